import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteUserStore } from '../../../lib/stores/sqlite/users';
import { SqliteDenylistStore } from '../../../lib/stores/sqlite/denylist';
import { SqliteRefreshTokenStore } from '../../../lib/stores/sqlite/refresh-tokens';
import { LATEST_SCHEMA_VERSION, migrate } from '../../../lib/stores/sqlite/schema';
import { openSqlite } from '../../../lib/stores/sqlite/database';
import type { RefreshFamily, RefreshTokenRecord } from '../../../lib/stores/types';
import { describeRefreshTokenStoreContract } from '../refresh-tokens-contract';

describeRefreshTokenStoreContract(
  'SqliteRefreshTokenStore',
  () => new SqliteRefreshTokenStore(':memory:'),
  (store) => store.close(),
);

// A database the app opened itself has foreign keys off unless it turned them
// on; the store must not depend on ON DELETE CASCADE.
const passedIn = new Map<SqliteRefreshTokenStore, Database.Database>();
describeRefreshTokenStoreContract(
  'SqliteRefreshTokenStore on a database with foreign keys off',
  () => {
    const db = new Database(':memory:');
    const store = new SqliteRefreshTokenStore(db);
    passedIn.set(store, db);
    return store;
  },
  (store) => {
    passedIn.get(store)?.close();
    passedIn.delete(store);
  },
);

const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;
const GRACE = 30_000;

function family(overrides: Partial<RefreshFamily> = {}): RefreshFamily {
  return {
    id: randomUUID(),
    userId: randomUUID(),
    scopes: ['read'],
    epoch: 0,
    createdAt: T0,
    expiresAt: T0 + 30 * 24 * HOUR,
    revokedAt: null,
    jkt: null,
    ...overrides,
  };
}

function token(familyId: string, createdAt: number): RefreshTokenRecord {
  return {
    hash: randomBytes(32).toString('base64url'),
    familyId,
    createdAt,
    expiresAt: createdAt + 24 * HOUR,
    rotatedAt: null,
    replacedBy: null,
    retried: false,
  };
}

describe('SqliteRefreshTokenStore', () => {
  let dir: string;
  const opened: { close(): unknown }[] = [];

  /** Tracks what a test opens so a failing test still closes it before the directory goes. */
  function track<T extends { close(): unknown }>(thing: T): T {
    opened.push(thing);
    return thing;
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'express-jwt-auth-sqlite-refresh-'));
  });

  afterEach(async () => {
    for (const thing of opened.splice(0).reverse()) await thing.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('when a write inside rotate fails', () => {
    let db: Database.Database;
    let store: SqliteRefreshTokenStore;
    let fam: RefreshFamily;
    let first: RefreshTokenRecord;

    beforeEach(async () => {
      db = track(new Database(':memory:'));
      store = new SqliteRefreshTokenStore(db);
      fam = family();
      first = token(fam.id, T0);
      await store.createFamily(fam, first);
    });

    // Checked with toHaveProperty('message'), not toThrow: see refresh-tokens-contract.ts.
    function failInserts(): void {
      db.exec(`CREATE TRIGGER fail_insert BEFORE INSERT ON refresh_tokens BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
    }

    it('rolls back a rotation: both tokens stay as they were and the old token rotates afterwards', async () => {
      failInserts();
      const next = token(fam.id, T0 + HOUR);

      await expect(store.rotate(first.hash, next, T0 + HOUR, GRACE)).rejects.toHaveProperty('message', 'disk full');

      expect(await store.find(first.hash)).toEqual({ token: first, family: fam });
      expect(await store.find(next.hash)).toBeNull();
      db.exec('DROP TRIGGER fail_insert');
      expect((await store.rotate(first.hash, next, T0 + HOUR, GRACE)).outcome).toBe('rotated');
      expect((await store.find(next.hash))?.token).toEqual(next);
    });

    it('rolls back a retry: the token and its successor stay as they were and the retry works afterwards', async () => {
      const successor = token(fam.id, T0 + HOUR);
      await store.rotate(first.hash, successor, T0 + HOUR, GRACE);
      const before = [await store.find(first.hash), await store.find(successor.hash)];
      failInserts();
      const next = token(fam.id, T0 + HOUR + 1000);

      await expect(store.rotate(first.hash, next, T0 + HOUR + 1000, GRACE)).rejects.toHaveProperty('message', 'disk full');

      expect([await store.find(first.hash), await store.find(successor.hash)]).toEqual(before);
      expect(await store.find(next.hash)).toBeNull();
      db.exec('DROP TRIGGER fail_insert');
      expect((await store.rotate(first.hash, next, T0 + HOUR + 1000, GRACE)).outcome).toBe('retried');
    });

    it('rolls back a revocation for reuse: the family stays live', async () => {
      await store.rotate(first.hash, token(fam.id, T0 + HOUR), T0 + HOUR, GRACE);
      db.exec(
        `CREATE TRIGGER fail_revoke BEFORE UPDATE ON refresh_families BEGIN SELECT RAISE(ABORT, 'disk full'); END;`,
      );

      await expect(
        store.rotate(first.hash, token(fam.id, T0 + 2 * HOUR), T0 + 2 * HOUR, GRACE),
      ).rejects.toHaveProperty('message', 'disk full');

      expect((await store.find(first.hash))?.family.revokedAt).toBeNull();
    });
  });

  it('shares one database between the user, refresh-token and denylist stores', async () => {
    const file = path.join(dir, 'auth.db');
    const db = track(openSqlite(file));
    const users = new SqliteUserStore(db);
    const refreshTokens = new SqliteRefreshTokenStore(db);
    const denylist = new SqliteDenylistStore(db);

    // Migrations have no IF NOT EXISTS: had the second or third store run them
    // again, its constructor would have thrown.
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);

    const alice = await users.create({ username: 'alice', passwordHash: 'h' });
    const fam = family({ userId: alice.id, epoch: alice.tokenEpoch });
    const first = token(fam.id, T0);
    await refreshTokens.createFamily(fam, first);
    await denylist.add('jti-1', T0 + HOUR);

    // A second connection to the file, as another process would open it.
    const other = track(openSqlite(file));
    expect(other.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(await new SqliteUserStore(other).findById(alice.id)).toEqual(alice);
    expect(await new SqliteRefreshTokenStore(other).find(first.hash)).toEqual({ token: first, family: fam });
    expect(await new SqliteDenylistStore(other).has('jti-1', T0)).toBe(true);
  });

  it('shares rotations between two stores on one file, so reuse through either is detected', async () => {
    const file = path.join(dir, 'auth.db');
    const a = track(new SqliteRefreshTokenStore(file));
    const b = track(new SqliteRefreshTokenStore(file));
    const fam = family();
    const first = token(fam.id, T0);
    await a.createFamily(fam, first);

    const second = token(fam.id, T0 + HOUR);
    expect((await a.rotate(first.hash, second, T0 + HOUR, GRACE)).outcome).toBe('rotated');
    expect((await b.rotate(first.hash, token(fam.id, T0 + 2 * HOUR), T0 + 2 * HOUR, GRACE)).outcome).toBe('reused');

    expect((await a.find(second.hash))?.family.revokedAt).toBe(T0 + 2 * HOUR);
    expect((await a.rotate(second.hash, token(fam.id, T0 + 3 * HOUR), T0 + 3 * HOUR, GRACE)).outcome).toBe('invalid');
  });

  it('reads times as numbers from a database with safe integers on', async () => {
    const db = track(new Database(':memory:'));
    db.defaultSafeIntegers(true);
    const store = new SqliteRefreshTokenStore(db);
    const fam = family({ epoch: 4 });
    const first = token(fam.id, T0);
    await store.createFamily(fam, first);

    expect(await store.find(first.hash)).toEqual({ token: first, family: fam });
    expect((await store.rotate(first.hash, token(fam.id, T0 + HOUR), T0 + HOUR, GRACE)).outcome).toBe('rotated');
  });

  it('stores scopes space-separated, retried as 0 or 1 and never the token itself', async () => {
    const db = track(new Database(':memory:'));
    const store = new SqliteRefreshTokenStore(db);
    const fam = family({ scopes: ['read', 'write'] });
    const first = token(fam.id, T0);
    await store.createFamily(fam, first);

    expect(db.prepare('SELECT scopes FROM refresh_families').pluck().get()).toBe('read write');
    expect(db.prepare('SELECT hash, retried FROM refresh_tokens').all()).toEqual([{ hash: first.hash, retried: 0 }]);
  });

  it('refuses a database from a newer version of the library', () => {
    const file = path.join(dir, 'auth.db');
    const db = new Database(file);
    db.pragma('user_version = 999');
    db.close();

    expect(() => track(new SqliteRefreshTokenStore(file))).toThrow(/schema version 999/);
  });

  it('uses a database it is given and leaves it open on close', async () => {
    const db = track(new Database(':memory:'));
    await new SqliteRefreshTokenStore(db).close();

    expect(db.open).toBe(true);
  });

  it('rejects after close() when it opened the database itself', async () => {
    const store = new SqliteRefreshTokenStore(path.join(dir, 'auth.db'));
    await store.close();
    await store.close(); // a second close is harmless

    await expect(store.find('x')).rejects.toThrow(/not open/);
    await expect(store.rotate('x', token(randomUUID(), T0), T0, GRACE)).rejects.toThrow(/not open/);
  });
});

describe('openSqlite', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'express-jwt-auth-open-sqlite-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens a file in WAL mode with a busy timeout and foreign keys on', () => {
    const db = openSqlite(path.join(dir, 'auth.db'));
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    } finally {
      db.close();
    }
  });

  it('opens an in-memory database too', () => {
    const db = openSqlite(':memory:');
    try {
      expect(db.memory).toBe(true);
    } finally {
      db.close();
    }
  });
});

describe('SqliteRefreshTokenStore schema upgrade for DPoP', () => {
  it('upgrades a database from before DPoP: existing families come back unbound (jkt null) and keep working', async () => {
    const db = new Database(':memory:');
    try {
      migrate(db, LATEST_SCHEMA_VERSION - 1);
      const fam = family();
      const first = token(fam.id, T0);
      db.prepare('INSERT INTO refresh_families (id, user_id, scopes, epoch, created_at, expires_at) VALUES (?, ?, ?, 0, ?, ?)').run(
        fam.id, fam.userId, fam.scopes.join(' '), fam.createdAt, fam.expiresAt,
      );
      db.prepare('INSERT INTO refresh_tokens (hash, family_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(first.hash, fam.id, first.createdAt, first.expiresAt);

      const store = new SqliteRefreshTokenStore(db);
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
      expect((await store.find(first.hash))?.family).toEqual(fam);
      expect((await store.rotate(first.hash, token(fam.id, T0 + HOUR), T0 + HOUR, GRACE)).outcome).toBe('rotated');
    } finally {
      db.close();
    }
  });
});

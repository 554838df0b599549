import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteUserStore } from '../../../lib/stores/sqlite/users';
import { LATEST_SCHEMA_VERSION, migrate } from '../../../lib/stores/sqlite/schema';
import { UsernameCollisionError, UsernameTakenError } from '../../../lib/core/errors';
import { describeUserStoreContract } from '../user-store-contract';
import request from 'supertest';
import { usernameKey } from '../../../lib/core/usernames';
import { PASSWORD, passwordHash, setup } from '../../helpers';
import type { UserStore } from '../../../lib/stores/types';

/** The test app of ../../helpers on these users; setup adds its own alice, which none of these tests has. */
const setupWith = (users: UserStore) => setup({}, users);

let clock = Date.UTC(2024, 0, 1);

describeUserStoreContract(
  'SqliteUserStore',
  () => new SqliteUserStore(':memory:', { now: () => clock }),
  (store) => store.close(),
  {
    advanceClock: (ms) => {
      clock += ms;
    },
  },
);

describe('SqliteUserStore', () => {
  let dir: string;
  let file: string;
  const opened: { close(): unknown }[] = [];

  /** Tracks what a test opens so a failing test still closes it before the directory goes. */
  function track<T extends { close(): unknown }>(thing: T): T {
    opened.push(thing);
    return thing;
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'express-jwt-auth-sqlite-'));
    file = path.join(dir, 'users.db');
  });

  afterEach(async () => {
    for (const thing of opened.splice(0)) await thing.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps users in a file across close and reopen', async () => {
    const first = track(new SqliteUserStore(file));
    const alice = await first.create({ username: 'Alice', email: 'a@example.com', passwordHash: 'h', scopes: ['read'] });
    await first.close();

    const second = track(new SqliteUserStore(file));

    expect(await second.findByUsername('alice')).toEqual(alice);
    expect(await second.list()).toEqual([alice]);
  });

  it('puts a file database in WAL mode', async () => {
    track(new SqliteUserStore(file));
    const db = track(new Database(file));

    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('migrates a new file once and leaves it at the latest schema version', async () => {
    const first = track(new SqliteUserStore(file));
    const alice = await first.create({ username: 'alice', passwordHash: 'h' });
    await first.close();

    // The migrations have no IF NOT EXISTS: running them again would throw here.
    const second = track(new SqliteUserStore(file));
    const db = track(new Database(file));

    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(await second.findById(alice.id)).toEqual(alice);
  });

  it('upgrades a database from the first schema version, giving existing users token epoch 0', async () => {
    // The schema as version 1 of the migrations left it, with one account.
    const old = new Database(file);
    old.exec(`CREATE TABLE users (
      id            TEXT PRIMARY KEY,
      username      TEXT NOT NULL,
      username_key  TEXT NOT NULL UNIQUE,
      email         TEXT,
      password_hash TEXT NOT NULL,
      scopes        TEXT NOT NULL DEFAULT '',
      disabled      INTEGER NOT NULL DEFAULT 0,
      created_at    INTEGER NOT NULL,
      updated_at    INTEGER NOT NULL
    )`);
    old
      .prepare(
        `INSERT INTO users (id, username, username_key, email, password_hash, scopes, disabled, created_at, updated_at)
         VALUES ('u1', 'Alice', 'alice', NULL, 'h', 'read', 0, 1000, 2000)`,
      )
      .run();
    old.pragma('user_version = 1');
    old.close();

    const store = track(new SqliteUserStore(file));
    const db = track(new Database(file));

    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(await store.findById('u1')).toEqual({
      id: 'u1',
      username: 'Alice',
      email: null,
      passwordHash: 'h',
      scopes: ['read'],
      disabled: false,
      tokenEpoch: 0,
      createdAt: new Date(1000),
      updatedAt: new Date(2000),
    });
    expect(await store.update('u1', { tokenEpoch: 1 })).toMatchObject({ tokenEpoch: 1 });
    // The tables of the other SQLite stores come with the upgrade.
    expect(
      db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
        .pluck()
        .all(),
    ).toEqual(['access_denylist', 'refresh_families', 'refresh_tokens', 'username_skeletons', 'users']);
  });

  describe('upgrade of username keys to RFC 8265 (schema version 5)', () => {
    /** The key versions 1 to 4 stored: NFC, lower case. */
    const oldKey = (username: string) => username.normalize('NFC').toLowerCase();

    /** A file at schema version 4, with these accounts keyed the old way. */
    function databaseAtVersion4(accounts: Array<[id: string, username: string]>): void {
      const old = new Database(file);
      migrate(old, 4);
      const insert = old.prepare(
        `INSERT INTO users (id, username, username_key, password_hash, scopes, disabled, token_epoch, created_at, updated_at)
         VALUES (?, ?, ?, 'h', '', 0, 0, 1000, 1000)`,
      );
      for (const [id, username] of accounts) insert.run(id, username, oldKey(username));
      old.close();
    }

    function snapshot(): { version: unknown; rows: unknown[] } {
      const db = new Database(file);
      try {
        return { version: db.pragma('user_version', { simple: true }), rows: db.prepare('SELECT * FROM users ORDER BY id').all() };
      } finally {
        db.close();
      }
    }

    it('refuses to upgrade a database with accounts that become one name, naming them, and leaves it unchanged', () => {
      databaseAtVersion4([
        ['u1', 'STRASSE'],
        ['u2', 'straße'],
        ['u3', 'ΟΔΟΣ'],
        ['u4', 'ＳＴＲＡＳＳＥ'],
        ['u5', 'οδοσ'],
        ['u6', 'ａｌｉｃｅ'],
        ['u7', 'Alice'],
        ['u8', 'bob'],
      ]);
      const before = snapshot();
      expect(before.version).toBe(4);

      let error: unknown;
      try {
        track(new SqliteUserStore(file));
      } catch (err) {
        error = err;
      }

      expect(error).toBeInstanceOf(UsernameCollisionError);
      const { collisions, message } = error as UsernameCollisionError;
      expect(collisions).toEqual([
        { key: 'alice', accounts: [{ id: 'u7', username: 'Alice' }, { id: 'u6', username: 'ａｌｉｃｅ' }] },
        { key: 'strasse', accounts: [{ id: 'u1', username: 'STRASSE' }, { id: 'u2', username: 'straße' }, { id: 'u4', username: 'ＳＴＲＡＳＳＥ' }] },
        // The old rule lower-cased ΟΔΟΣ to οδος (final sigma), another name than οδοσ then.
        { key: 'οδοσ', accounts: [{ id: 'u3', username: 'ΟΔΟΣ' }, { id: 'u5', username: 'οδοσ' }] },
      ]);
      expect(message).toContain('"STRASSE" (id "u1"), "straße" (id "u2") and "ＳＴＲＡＳＳＥ" (id "u4") are all "strasse"');
      expect(message).toContain('"ΟΔΟΣ" (id "u3") and "οδοσ" (id "u5") are both "οδοσ"');
      expect(message).toMatch(/Nothing was changed, and no account was merged or removed/);
      expect(message).toMatch(/rename .* or remove all but one account of each group/);
      expect(snapshot()).toEqual(before);
    });

    it('rolls back the earlier steps of the same upgrade too', () => {
      const old = new Database(file);
      migrate(old, 1);
      for (const [id, username] of [['u1', 'STRASSE'], ['u2', 'straße']]) {
        old.prepare(`INSERT INTO users (id, username, username_key, password_hash, created_at, updated_at) VALUES (?, ?, ?, 'h', 0, 0)`).run(id, username, oldKey(username));
      }
      old.close();

      expect(() => track(new SqliteUserStore(file))).toThrow(UsernameCollisionError);

      const db = track(new Database(file));
      expect(db.pragma('user_version', { simple: true })).toBe(1);
      expect(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all()).toEqual(['users']);
    });

    it('upgrades a database without such accounts: the new keys find and guard every name', async () => {
      databaseAtVersion4([
        ['u1', 'ａｌｉｃｅ'],
        ['u2', 'STRASSE'],
        ['u3', 'Bob'],
        ['u4', 'ΟΔΟΣ'],
      ]);

      const store = track(new SqliteUserStore(file));

      expect(snapshot().version).toBe(LATEST_SCHEMA_VERSION);
      const db = track(new Database(file));
      expect(db.prepare('SELECT id, username, username_key FROM users ORDER BY id').all()).toEqual([
        { id: 'u1', username: 'ａｌｉｃｅ', username_key: 'alice' },
        { id: 'u2', username: 'STRASSE', username_key: 'strasse' },
        { id: 'u3', username: 'Bob', username_key: 'bob' },
        { id: 'u4', username: 'ΟΔΟΣ', username_key: 'οδοσ' },
      ]);
      expect((await store.findByUsername('alice'))?.id).toBe('u1');
      expect((await store.findByUsername('straße'))?.id).toBe('u2');
      expect((await store.findByUsername('οδος'))?.id).toBe('u4');
      await expect(store.create({ username: 'Alice', passwordHash: 'h' })).rejects.toBeInstanceOf(UsernameTakenError);
      await expect(store.create({ username: 'straße', passwordHash: 'h' })).rejects.toBeInstanceOf(UsernameTakenError);
      expect((await store.list()).map((user) => user.id)).toEqual(['u1', 'u3', 'u2', 'u4']);
    });

    it('moves keys aside first, so one account may take the stored key of another', () => {
      // Keys as another engine's toLowerCase or a hand-made row may have left them: u1's new
      // key is u2's stored key, and u2's key changes too. Set one by one, u1 would clash with u2.
      const old = new Database(file);
      migrate(old, 4);
      const insert = old.prepare(`INSERT INTO users (id, username, username_key, password_hash, created_at, updated_at) VALUES (?, ?, ?, 'h', 0, 0)`);
      insert.run('u1', 'ＢＯＢ', 'ｂｏｂ');
      insert.run('u2', 'ｂｏｂ２', 'bob');
      old.close();

      track(new SqliteUserStore(file));

      const db = track(new Database(file));
      expect(db.prepare('SELECT id, username_key FROM users ORDER BY id').all()).toEqual([
        { id: 'u1', username_key: 'bob' },
        { id: 'u2', username_key: 'bob2' },
      ]);
    });
  });

  describe('username skeletons (schema version 7)', () => {
    /** A file at schema version 6 with these accounts (keys as step 5 left them), created in this order. */
    function databaseAtVersion6(accounts: Array<[id: string, username: string, passwordHash?: string]>): void {
      const old = new Database(file);
      migrate(old, 6);
      const insert = old.prepare(
        `INSERT INTO users (id, username, username_key, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
      );
      accounts.forEach(([id, username, hash = 'h'], i) => insert.run(id, username, usernameKey(username), hash, 1000 + i, 1000 + i));
      old.close();
    }

    function skeletonRows(): unknown[] {
      const db = new Database(file);
      try {
        return db.prepare('SELECT skeleton, user_id, shared FROM username_skeletons ORDER BY skeleton, user_id').all();
      } finally {
        db.close();
      }
    }

    it('keeps accounts that already looked alike: both log in, and a new look-alike of either is refused', async () => {
      databaseAtVersion6([
        ['u1', 'all', await passwordHash()],
        ['u2', 'al1', await passwordHash()],
        ['u3', 'bob'],
      ]);
      const users = track(new SqliteUserStore(file));

      expect(skeletonRows()).toEqual([
        { skeleton: 'ALL', user_id: 'u1', shared: '' },
        { skeleton: 'ALl', user_id: 'u2', shared: '' },
        { skeleton: 'BOB', user_id: 'u3', shared: '' },
        // The older account holds "all"; the younger one shares it.
        { skeleton: 'all', user_id: 'u1', shared: '' },
        { skeleton: 'all', user_id: 'u2', shared: 'u2' },
        { skeleton: 'bob', user_id: 'u3', shared: '' },
      ]);
      const f = await setupWith(users);
      for (const username of ['all', 'al1']) {
        const res = await request(f.app).post('/token').type('form').send({ grant_type: 'password', username, password: PASSWORD });
        expect(res.status).toBe(200);
      }
      for (const lookalike of ['aIl', 'a1l', 'AIl']) {
        const err = await users.create({ username: lookalike, passwordHash: 'h' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(UsernameTakenError);
        expect((err as UsernameTakenError).lookalike).toBe(true);
      }
      expect((await request(f.app).post('/users').send({ username: 'aIl', password: 'long enough password' })).status).toBe(409);
      // Renaming one of them to another case of itself is no new look-alike.
      expect(await users.update('u2', { username: 'AL1' })).toMatchObject({ username: 'AL1' });
    });

    it('keeps the skeleton taken while any account has it: removing the holder makes a sharer the holder', async () => {
      databaseAtVersion6([
        ['u1', 'all'],
        ['u2', 'al1'],
        ['u3', 'a1l'],
      ]);
      const users = track(new SqliteUserStore(file));

      await users.delete('u1');
      await expect(users.create({ username: 'aIl', passwordHash: 'h' })).rejects.toBeInstanceOf(UsernameTakenError);
      await users.update('u2', { username: 'bert' });
      await expect(users.create({ username: 'aIl', passwordHash: 'h' })).rejects.toBeInstanceOf(UsernameTakenError);
      expect(skeletonRows()).toContainEqual({ skeleton: 'all', user_id: 'u3', shared: '' });
      await users.delete('u3');

      expect((await users.create({ username: 'aIl', passwordHash: 'h' })).username).toBe('aIl');
    });

    it('keeps look-alikes apart across connections to one file', async () => {
      const a = track(new SqliteUserStore(file));
      const b = track(new SqliteUserStore(file));
      await a.create({ username: 'alice', passwordHash: 'h' });

      await expect(b.create({ username: '\u0430\u04cf\u0456\u0441\u0435', passwordHash: 'h' })).rejects.toBeInstanceOf(UsernameTakenError);
      expect(await b.list()).toHaveLength(1);
    });

    it('leaves no skeleton behind when a create fails on a taken key', async () => {
      const users = track(new SqliteUserStore(file));
      await users.create({ username: 'alice', passwordHash: 'h' });
      await expect(users.create({ username: 'ALICE', passwordHash: 'h' })).rejects.toBeInstanceOf(UsernameTakenError);

      expect(skeletonRows()).toHaveLength(2);
    });
  });

  it('stores the token epoch as an integer column', async () => {
    const db = track(new Database(':memory:'));
    const store = new SqliteUserStore(db);
    const alice = await store.create({ username: 'alice', passwordHash: 'h', tokenEpoch: 2 });
    await store.update(alice.id, { tokenEpoch: 3 });

    expect(db.prepare('SELECT token_epoch FROM users').pluck().get()).toBe(3);
  });

  it('refuses a database from a newer version of the library', () => {
    const db = new Database(file);
    db.pragma('user_version = 999');
    db.close();

    expect(() => track(new SqliteUserStore(file))).toThrow(/schema version 999/);
  });

  it('keeps usernames unique across connections to one file', async () => {
    const a = track(new SqliteUserStore(file));
    const b = track(new SqliteUserStore(file));
    await a.create({ username: 'alice', passwordHash: 'h' });

    await expect(b.create({ username: 'ALICE', passwordHash: 'h' })).rejects.toBeInstanceOf(UsernameTakenError);
    expect((await b.findByUsername('Alice'))?.username).toBe('alice');
  });

  it('compares and sets across connections to one file: a write expecting a version another connection changed does nothing', async () => {
    const a = track(new SqliteUserStore(file));
    const b = track(new SqliteUserStore(file));
    const alice = await a.create({ username: 'alice', passwordHash: 'h1' });
    const seenByB = (await b.findById(alice.id))!;

    await a.update(alice.id, { passwordHash: 'h2', tokenEpoch: 1 }, { ifMatch: { tokenEpoch: 0 } });

    expect(await b.update(alice.id, { passwordHash: 'h1-rehashed' }, { ifMatch: { passwordHash: seenByB.passwordHash, tokenEpoch: seenByB.tokenEpoch } })).toBeNull();
    expect(await b.findById(alice.id)).toMatchObject({ passwordHash: 'h2', tokenEpoch: 1 });
  });

  it('uses a database it is given and leaves it open on close', async () => {
    const db = track(new Database(':memory:'));
    const store = new SqliteUserStore(db);
    await store.create({ username: 'alice', passwordHash: 'h' });
    await store.close();

    expect(db.open).toBe(true);
    expect(db.prepare('SELECT username FROM users').pluck().all()).toEqual(['alice']);
  });

  it('reads times as numbers from a database with safe integers on', async () => {
    const db = track(new Database(':memory:'));
    db.defaultSafeIntegers(true);
    const store = new SqliteUserStore(db, { now: () => Date.UTC(2024, 0, 1) });
    const created = await store.create({ username: 'alice', passwordHash: 'h' });

    expect(await store.findById(created.id)).toEqual(created);
    expect(created.createdAt.getTime()).toBe(Date.UTC(2024, 0, 1));
  });

  it('stores scopes space-separated and booleans as 0 or 1', async () => {
    const db = track(new Database(':memory:'));
    const store = new SqliteUserStore(db);
    await store.create({ username: 'alice', passwordHash: 'h', scopes: ['read', 'write'], disabled: true });
    await store.create({ username: 'bob', passwordHash: 'h' });

    expect(db.prepare('SELECT username_key, scopes, disabled FROM users ORDER BY username_key').all()).toEqual([
      { username_key: 'alice', scopes: 'read write', disabled: 1 },
      { username_key: 'bob', scopes: '', disabled: 0 },
    ]);
  });

  it('rejects, without throwing, when its database was closed', async () => {
    const db = new Database(':memory:');
    const store = new SqliteUserStore(db);
    const alice = await store.create({ username: 'alice', passwordHash: 'h' });
    db.close();

    const calls: (() => Promise<unknown>)[] = [
      () => store.findById(alice.id),
      () => store.findByUsername('alice'),
      () => store.create({ username: 'bob', passwordHash: 'h' }),
      () => store.update(alice.id, { disabled: true }),
      () => store.delete(alice.id),
      () => store.list(),
    ];
    for (const call of calls) {
      let promise: Promise<unknown> | undefined;
      expect(() => {
        promise = call();
      }).not.toThrow();
      await expect(promise).rejects.toThrow(/not open/);
    }
  });

  it('rejects after close() when it opened the database itself', async () => {
    const store = new SqliteUserStore(file);
    await store.close();
    await store.close(); // a second close is harmless

    await expect(store.findById('x')).rejects.toThrow(/not open/);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteUserStore } from '../../../lib/stores/sqlite/users';
import { LATEST_SCHEMA_VERSION } from '../../../lib/stores/sqlite/schema';
import { UsernameTakenError } from '../../../lib/core/errors';
import { describeUserStoreContract } from '../user-store-contract';

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
    ).toEqual(['access_denylist', 'refresh_families', 'refresh_tokens', 'users']);
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

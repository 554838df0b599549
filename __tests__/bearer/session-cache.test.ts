import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { SessionCache, DEFAULT_SESSION_CACHE } from '../../lib/bearer/session-cache';
import { MemoryDenylistStore } from '../../lib/stores/memory/denylist';
import { MemoryUserStore } from '../../lib/stores/memory/users';
import { openSqlite } from '../../lib/stores/sqlite/database';
import { SqliteDenylistStore } from '../../lib/stores/sqlite/denylist';
import { SqliteUserStore } from '../../lib/stores/sqlite/users';
import type { DenylistStore, UserStore } from '../../lib/stores/types';
import { expectBearerError, setup, type Fixture } from '../helpers';
import { countingStore } from '../stores/counting-store';
import { me, within } from '../stores/feed-helpers';
import { killAll, ROOT, runNode } from '../examples/processes';

const revoke = (f: Fixture, token: string) => request(f.app).post('/revoke').type('form').send({ token });


describe('session state in memory, kept current by the stores’ change feeds (sessionCache)', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(() => {
    killAll(children);
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
  const tempFile = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ejwt-session-cache-'));
    dirs.push(dir);
    return path.join(dir, 'auth.db');
  };

  const backends: Array<[string, () => { users: UserStore; denylist: DenylistStore }]> = [
    ['memory', () => ({ users: new MemoryUserStore(), denylist: new MemoryDenylistStore() })],
    [
      'SQLite',
      () => {
        const db = openSqlite(tempFile());
        return { users: new SqliteUserStore(db), denylist: new SqliteDenylistStore(db) };
      },
    ],
  ];

  describe.each(backends)('on %s stores', (_name, open) => {
    async function counted(overrides: Record<string, unknown> = {}) {
      const stores = open();
      const users = countingStore(stores.users);
      const denylist = countingStore(stores.denylist);
      const f = await setup({ denylist: denylist.store, ...overrides }, users.store);
      users.calls.length = 0;
      denylist.calls.length = 0;
      return { f, users, denylist, stores };
    }

    it('answers protected requests in steady state with no store query: the first use of a token reads, the next ones do not', async () => {
      const { f, users, denylist } = await counted();
      const token = f.tokenFor();
      expect((await me(f, token)).status).toBe(200);
      expect([...users.calls, ...denylist.calls]).toEqual(['findById', 'has']);
      users.calls.length = 0;
      denylist.calls.length = 0;

      for (let i = 0; i < 20; i++) {
        const res = await me(f, token);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ username: 'alice', disabled: false });
        expect(res.body).not.toHaveProperty('passwordHash');
      }
      expect(users.calls).toEqual([]);
      expect(denylist.calls).toEqual([]);

      // Another token of the same user: only its jti is new.
      expect((await me(f, f.tokenFor())).status).toBe(200);
      expect([...users.calls, ...denylist.calls]).toEqual(['has']);
    });

    it('reads both stores on every request with sessionCache: false, as without a cache', async () => {
      const { f, users, denylist } = await counted({ sessionCache: false });
      const token = f.tokenFor();
      for (let i = 0; i < 3; i++) expect((await me(f, token)).status).toBe(200);
      expect(users.calls).toEqual(['findById', 'findById', 'findById']);
      expect(denylist.calls).toEqual(['has', 'has', 'has']);
    });

    it('refuses at once, in the same process, a revoked token, a disabled account and an ended epoch that were kept', async () => {
      const { f } = await counted();
      const revoked = f.tokenFor();
      expect((await me(f, revoked)).status).toBe(200);
      expect((await revoke(f, revoked)).status).toBe(200);
      expectBearerError(await me(f, revoked), 401, 'invalid_token');
      expect(f.failures.at(-1)?.reason).toBe('token.revoked');

      const token = f.tokenFor();
      expect((await me(f, token)).status).toBe(200);
      await f.users.update(f.alice.id, { tokenEpoch: f.alice.tokenEpoch + 1 });
      expectBearerError(await me(f, token), 401, 'invalid_token');
      expect(f.failures.at(-1)?.reason).toBe('session.ended');

      const current = (await f.users.findById(f.alice.id))!;
      const fresh = f.tokenFor(current);
      expect((await me(f, fresh)).status).toBe(200);
      await f.users.update(f.alice.id, { disabled: true });
      expectBearerError(await me(f, fresh), 401, 'invalid_token');
      expect(f.failures.at(-1)?.reason).toBe('user.disabled');
    });

    it('gives each request its own copy of the account: a handler that changes req.user changes no other request', async () => {
      const { f } = await counted();
      f.app.get('/meddle', f.auth.authenticate(), (req, res) => {
        req.user!.scopes.push('root');
        req.user!.username = 'mallory';
        req.user!.createdAt.setTime(0);
        res.json({});
      });
      const token = f.tokenFor();
      const before = await me(f, token);
      expect((await request(f.app).get('/meddle').set('Authorization', `Bearer ${token}`)).status).toBe(200);
      const after = await me(f, token);
      expect(after.body).toEqual(before.body);
      expect(after.body).toMatchObject({ username: 'alice', scopes: ['read', 'admin'] });
    });

    it('gives the request that read the account a copy of its own too: what it changes is not what the next request is answered from', async () => {
      const { f } = await counted();
      f.app.get('/meddle', f.auth.authenticate(), (req, res) => {
        req.user!.scopes.push('root');
        req.user!.createdAt.setTime(0);
        res.json({});
      });
      const token = f.tokenFor();
      // The first request of this account reads the store (and keeps what it read).
      expect((await request(f.app).get('/meddle').set('Authorization', `Bearer ${token}`)).status).toBe(200);
      const after = await me(f, token);
      expect(after.body).toMatchObject({ username: 'alice', scopes: ['read', 'admin'] });
      expect(after.body.createdAt).toBe(f.alice.createdAt.toISOString());
    });

    it('copies fields of its own that a store adds, nested ones, sets and buffers included', async () => {
      class ProfileStore extends MemoryUserStore {
        override async findById(id: string) {
          const user = await super.findById(id);
          return user && Object.assign(user, { profile: { role: 'member', teams: ['a'] }, roles: new Set(['reader']), avatar: Buffer.from('AAAA') });
        }
      }
      const f = await setup({}, new ProfileStore());
      f.app.get('/meddle', f.auth.authenticate(), (req, res) => {
        const user = req.user as unknown as { profile: { role: string; teams: string[] }; roles: Set<string>; avatar: Buffer };
        const seen = { roles: [...user.roles], avatar: user.avatar.toString() };
        user.profile.role = 'owner';
        user.profile.teams.push('root');
        user.roles.add('admin');
        user.avatar.fill(0x5a);
        res.json(seen);
      });
      const token = f.tokenFor();
      for (let i = 0; i < 2; i++) {
        const res = await request(f.app).get('/meddle').set('Authorization', `Bearer ${token}`);
        // Each request starts from what the store holds.
        expect(res.body).toEqual({ roles: ['reader'], avatar: 'AAAA' });
      }
      expect((await me(f, token)).body).toMatchObject({ profile: { role: 'member', teams: ['a'] } });
    });

    it('copies a field named __proto__ (JSON a store parsed) as a field, never as the prototype', async () => {
      class SettingsStore extends MemoryUserStore {
        override async findById(id: string) {
          const user = await super.findById(id);
          return user && Object.assign(user, { prefs: JSON.parse('{"__proto__":{"isAdmin":true},"theme":"dark"}') as object });
        }
      }
      const f = await setup({}, new SettingsStore());
      const seen: unknown[] = [];
      f.app.get('/prefs', f.auth.authenticate(), (req, res) => {
        const prefs = (req.user as unknown as { prefs: Record<string, unknown> }).prefs;
        seen.push(prefs.isAdmin);
        res.json({});
      });
      const token = f.tokenFor();
      // The first request reads the store, the next ones are answered from memory: the same answer.
      for (let i = 0; i < 3; i++) expect((await request(f.app).get('/prefs').set('Authorization', `Bearer ${token}`)).status).toBe(200);
      expect(seen).toEqual([undefined, undefined, undefined]);
    });

    it('reads the account again after maxStaleness even when its feed never told of a write (a path the feed cannot see)', async () => {
      const inner = new MemoryUserStore();
      // A feed that says it is current and never tells anything: what a write around every trigger looks like.
      const silent: UserStore = {
        findById: (id) => inner.findById(id),
        findByUsername: (name) => inner.findByUsername(name),
        findLookalike: (name) => inner.findLookalike(name),
        create: (user) => inner.create(user),
        update: (id, patch, options) => inner.update(id, patch, options),
        delete: (id) => inner.delete(id),
        list: () => inner.list(),
        changeFeed: () => ({ subscribe: () => () => undefined, currentAsOf: () => performance.now() }),
      };
      const f = await setup({ sessionCache: { maxStaleness: 50 } }, silent);
      const token = f.tokenFor();
      expect((await me(f, token)).status).toBe(200);
      expect((await me(f, token)).status).toBe(200);
      await inner.update(f.alice.id, { disabled: true });
      const took = await within(1000, async () => (await me(f, token)).status === 401);
      expect(took).toBeLessThan(1000);
      expect(f.failures.at(-1)?.reason).toBe('user.disabled');
    });

    it('reads through a store without a change feed (a store of your own), on every request', async () => {
      const stores = open();
      const plain: UserStore = {
        findById: (id) => stores.users.findById(id),
        findByUsername: (name) => stores.users.findByUsername(name),
        findLookalike: (name) => stores.users.findLookalike!(name),
        create: (user) => stores.users.create(user),
        update: (id, patch, options) => stores.users.update(id, patch, options),
        delete: (id) => stores.users.delete(id),
        list: () => stores.users.list(),
      };
      const users = countingStore(plain);
      const f = await setup({ denylist: stores.denylist }, users.store);
      users.calls.length = 0;
      const token = f.tokenFor();
      for (let i = 0; i < 3; i++) expect((await me(f, token)).status).toBe(200);
      expect(users.calls).toEqual(['findById', 'findById', 'findById']);
    });
  });

  describe('SQLite: writes of other connections and processes, through PRAGMA data_version', () => {
    it('refuses on the next request a token whose account another connection disabled', async () => {
      const file = tempFile();
      const db = openSqlite(file);
      const f = await setup({ denylist: new SqliteDenylistStore(db) }, new SqliteUserStore(db));
      const token = f.tokenFor();
      expect((await me(f, token)).status).toBe(200);
      expect((await me(f, token)).status).toBe(200);

      const other = new SqliteUserStore(file);
      await other.update(f.alice.id, { disabled: true });
      await other.close();
      // PRAGMA data_version is read at most every 2 ms.
      await new Promise((resolve) => setTimeout(resolve, 5));
      expectBearerError(await me(f, token), 401, 'invalid_token');
      expect(f.failures.at(-1)?.reason).toBe('user.disabled');
      db.close();
    });

    it('refuses on the next request a token whose account the app disabled with its own SQL on the same connection', async () => {
      // data_version does not move for this connection's own writes; total_changes() does.
      const db = openSqlite(tempFile());
      const f = await setup({ denylist: new SqliteDenylistStore(db) }, new SqliteUserStore(db));
      const token = f.tokenFor();
      expect((await me(f, token)).status).toBe(200);
      expect((await me(f, token)).status).toBe(200);
      db.prepare('UPDATE users SET disabled = 1 WHERE id = ?').run(f.alice.id);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expectBearerError(await me(f, token), 401, 'invalid_token');
      expect(f.failures.at(-1)?.reason).toBe('user.disabled');
      db.close();
    });

    it('sees a disable made by the users CLI (another process) within the bound, and a revocation made by another connection', async () => {
      const cli = path.join(ROOT, 'build/examples/server/users-cli.js');
      if (!fs.existsSync(cli)) throw new Error('build/ is missing: run `npm run build` (npm test does it in pretest)');
      const file = tempFile();
      const db = openSqlite(file);
      const f = await setup({ denylist: new SqliteDenylistStore(db) }, new SqliteUserStore(db));
      const kept = f.tokenFor();
      const revoked = f.tokenFor();
      expect((await me(f, kept)).status).toBe(200);
      expect((await me(f, revoked)).status).toBe(200);

      const otherDenylist = new SqliteDenylistStore(file);
      await otherDenylist.add(JSON.parse(Buffer.from(revoked.split('.')[1]!, 'base64url').toString()).jti, f.clock.now() + 900_000);
      await otherDenylist.close();
      expect(await within(1000, async () => (await me(f, revoked)).status === 401)).toBeLessThan(1000);
      expect((await me(f, kept)).status).toBe(200);

      const run = runNode(cli, ['disable', 'alice'], { PATH: process.env.PATH, DATABASE_URL: `sqlite:${file}` }, undefined, children);
      expect(await run.exited).toBe(0);
      const took = await within(1000, async () => (await me(f, kept)).status === 401);
      expect(took).toBeLessThan(DEFAULT_SESSION_CACHE.maxStaleness);
      expect(f.failures.at(-1)?.reason).toBe('user.disabled');
      db.close();
    });

    it('starts cold after a restart: a new process reads the stores, and refuses what changed while it was down', async () => {
      const file = tempFile();
      let db = openSqlite(file);
      const first = await setup({ denylist: new SqliteDenylistStore(db) }, new SqliteUserStore(db));
      const token = first.tokenFor();
      expect((await me(first, token)).status).toBe(200);
      const next = first.tokenFor();
      db.close();

      // Down: the account is disabled by someone else.
      const other = new SqliteUserStore(file);
      await other.update(first.alice.id, { disabled: true });
      await other.close();

      db = openSqlite(file);
      const users = countingStore(new SqliteUserStore(db));
      const denylist = countingStore(new SqliteDenylistStore(db));
      const second = await setup({ denylist: denylist.store }, users.store);
      users.calls.length = 0;
      expectBearerError(await me(second, next), 401, 'invalid_token');
      expect(second.failures.at(-1)?.reason).toBe('user.disabled');
      expect(users.calls).toEqual(['findById']);
      db.close();
    });
  });

  describe('bounded memory', () => {
    const limits = { ...DEFAULT_SESSION_CACHE };

    it('keeps at most maxTokens token ids under a million distinct tokens, the oldest going first', () => {
      const cache = new SessionCache(new MemoryUserStore(), new MemoryDenylistStore(), limits);
      const now = Date.UTC(2026, 0, 1);
      for (let i = 0; i < 1_000_000; i++) {
        cache.keepClearToken(cache.tokenTicket(), `jti-${i}`, now + 900_000, now);
      }
      expect(cache.size.tokens).toBe(limits.maxTokens);
      expect(cache.tokenClear('jti-0', now)).toBe(false);
      expect(cache.tokenClear('jti-999999', now)).toBe(true);
    });

    it('lets a token id go at its expiry', () => {
      const cache = new SessionCache(new MemoryUserStore(), new MemoryDenylistStore(), limits);
      let now = Date.UTC(2026, 0, 1);
      for (let i = 0; i < 10_000; i++) {
        cache.keepClearToken(cache.tokenTicket(), `jti-${i}`, now + 1000, now);
        now += 1;
      }
      // Every insertion also drops up to two expired ones from the front: the size stays near the live count.
      expect(cache.size.tokens).toBeLessThan(1100);
      expect(cache.tokenClear('jti-0', now)).toBe(false);
      expect(cache.tokenClear('jti-9999', now)).toBe(true);
      expect(cache.tokenClear('jti-9999', now + 1000)).toBe(false);
    });

    it('keeps at most maxUsers accounts', async () => {
      const cache = new SessionCache(new MemoryUserStore(), new MemoryDenylistStore(), { ...limits, maxUsers: 100 });
      const store = new MemoryUserStore();
      const user = await store.create({ username: 'alice', passwordHash: 'x' });
      for (let i = 0; i < 1000; i++) cache.keepUser(cache.userTicket(), { ...user, id: `user-${i}` });
      expect(cache.size.users).toBe(100);
      expect(cache.user('user-0')).toBeUndefined();
      expect(cache.user('user-999')).toMatchObject({ id: 'user-999', username: 'alice' });
      expect(cache.user('user-999')).not.toHaveProperty('passwordHash');
    });

    it('keeps nothing a store without a feed gave: there is nothing to keep it current', async () => {
      const store = new MemoryUserStore();
      const user = await store.create({ username: 'alice', passwordHash: 'x' });
      const plain = { findById: store.findById.bind(store) } as unknown as UserStore;
      const cache = new SessionCache(plain, {} as DenylistStore, limits);
      cache.keepUser(cache.userTicket(), user);
      cache.keepClearToken(cache.tokenTicket(), 'jti', Date.now() + 1000, Date.now());
      expect(cache.size).toEqual({ users: 0, tokens: 0 });
      expect(cache.enabled).toEqual({ users: false, tokens: false });
    });

    it('does not keep what a read found when a change was told while the read ran', async () => {
      const users = new MemoryUserStore();
      const user = await users.create({ username: 'alice', passwordHash: 'x' });
      const cache = new SessionCache(users, new MemoryDenylistStore(), limits);
      const ticket = cache.userTicket();
      await users.update(user.id, { disabled: true });
      cache.keepUser(ticket, user);
      expect(cache.user(user.id)).toBeUndefined();
    });
  });
});

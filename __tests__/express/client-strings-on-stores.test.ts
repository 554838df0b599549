import request from 'supertest';
import { MemoryDenylistStore } from '../../lib/stores/memory/denylist';
import { MemoryRefreshTokenStore } from '../../lib/stores/memory/refresh-tokens';
import { MemoryUserStore } from '../../lib/stores/memory/users';
import { PostgresDenylistStore } from '../../lib/stores/postgres/denylist';
import { PostgresRefreshTokenStore } from '../../lib/stores/postgres/refresh-tokens';
import { PostgresUserStore } from '../../lib/stores/postgres/users';
import { openSqlite } from '../../lib/stores/sqlite/database';
import { SqliteDenylistStore } from '../../lib/stores/sqlite/denylist';
import { SqliteRefreshTokenStore } from '../../lib/stores/sqlite/refresh-tokens';
import { SqliteUserStore } from '../../lib/stores/sqlite/users';
import type { DenylistStore, RefreshTokenStore, UserStore } from '../../lib/stores/types';
import { expectOAuthError, PASSWORD, setup, type Fixture } from '../helpers';
import { describePostgres, useTestDatabase } from '../stores/postgres/helpers';

/**
 * Whatever string a client sends (a NUL, a control or bidi character, a lone
 * surrogate) is a 400 or the answer any other wrong value gets, never a 500,
 * on every store: PostgreSQL text cannot hold U+0000 and refuses it with an
 * error, where SQLite and memory would store it.
 */

interface Backend {
  users: UserStore;
  refreshTokenStore: RefreshTokenStore;
  denylist: DenylistStore;
}

/** Emails no account route stores: each is a 400 invalid_request on PATCH /users/me and POST /users. */
const BAD_EMAILS: [string, string][] = [
  ['a NUL', 'a@b.c\u0000'],
  ['a NUL in the local part', 'a\u0000b@example.com'],
  ['a RIGHT-TO-LEFT OVERRIDE', 'moc.elpmaxe\u202E@evil.example'],
  ['a ZERO WIDTH SPACE', 'ali\u200Bce@example.com'],
  ['a lone surrogate', 'a\uD800@example.com'],
  ['an empty label', 'a@b..c'],
  ['a leading dot', '.a@b.c'],
];

/** An account route's refusal: its status and RFC error code. */
function expectRefused(res: request.Response, status: number, error: string): void {
  expect(res.status).toBe(status);
  expect(res.body.error).toBe(error);
}

function describeClientStrings(name: string, makeBackend: () => Promise<Backend>) {
  describe(`${name}: client strings`, () => {
    let f: Fixture;
    beforeEach(async () => {
      const backend = await makeBackend();
      f = await setup({ refreshTokenStore: backend.refreshTokenStore, denylist: backend.denylist }, backend.users);
    });

    const token = (fields: Record<string, string>) => request(f.app).post('/token').type('form').send(fields);
    const login = async () => (await token({ grant_type: 'password', username: 'alice', password: PASSWORD })).body as { access_token: string; refresh_token: string };

    it.each(BAD_EMAILS)('refuses an email with %s with 400 invalid_request at PATCH /users/me, and keeps the old one', async (_name, email) => {
      const { access_token } = await login();
      const res = await request(f.app).patch('/users/me').set('Authorization', `Bearer ${access_token}`).send({ email });
      expectRefused(res, 400, 'invalid_request');
      expect(f.appErrors).toEqual([]);
      expect((await f.users.findById(f.alice.id))!.email).toBe('alice@example.com');
    });

    it.each(BAD_EMAILS)('refuses an email with %s with 400 invalid_request at POST /users, and creates nobody', async (_name, email) => {
      const res = await request(f.app).post('/users').send({ username: 'dave', password: 'long enough password', email });
      expectRefused(res, 400, 'invalid_request');
      expect(f.appErrors).toEqual([]);
      expect(await f.users.findByUsername('dave')).toBeNull();
    });

    it('stores an internationalised address (RFC 6531) as given', async () => {
      const { access_token } = await login();
      const res = await request(f.app).patch('/users/me').set('Authorization', `Bearer ${access_token}`).send({ email: 'δοκιμή@παράδειγμα.δοκιμή' });
      expect(res.status).toBe(200);
      expect((await f.users.findById(f.alice.id))!.email).toBe('δοκιμή@παράδειγμα.δοκιμή');
    });

    it('answers a NUL in a username or password at the token endpoint like any wrong credentials', async () => {
      expectOAuthError(await token({ grant_type: 'password', username: 'ali\u0000ce', password: PASSWORD }), 400, 'invalid_grant');
      expectOAuthError(await token({ grant_type: 'password', username: 'alice', password: `${PASSWORD}\u0000` }), 400, 'invalid_grant');
      expect(f.appErrors).toEqual([]);
    });

    it('answers a NUL in a requested scope with invalid_scope', async () => {
      expectOAuthError(await token({ grant_type: 'password', username: 'alice', password: PASSWORD, scope: 'read\u0000' }), 400, 'invalid_scope');
      expect(f.appErrors).toEqual([]);
    });

    it('answers a refresh token with a NUL as an unknown one, and revokes nothing for it', async () => {
      const { refresh_token } = await login();
      expectOAuthError(await token({ grant_type: 'refresh_token', refresh_token: `${refresh_token}\u0000` }), 400, 'invalid_grant');
      expectOAuthError(await token({ grant_type: 'refresh_token', refresh_token: '\u0000' }), 400, 'invalid_grant');
      for (const hint of ['refresh_token', 'access_token', undefined]) {
        const res = await request(f.app).post('/revoke').type('form').send({ token: `${refresh_token}\u0000`, ...(hint ? { token_type_hint: hint } : {}) });
        expect(res.status).toBe(200);
      }
      expect((await token({ grant_type: 'refresh_token', refresh_token })).status).toBe(200);
      expect(f.appErrors).toEqual([]);
    });

    it('registers no username with a NUL (400), and answers a login with it like an unknown user', async () => {
      expectRefused(await request(f.app).post('/users').send({ username: 'da\u0000ve', password: 'long enough password' }), 400, 'invalid_request');
      expectOAuthError(await token({ grant_type: 'password', username: 'da\u0000ve', password: 'long enough password' }), 400, 'invalid_grant');
      expect(f.appErrors).toEqual([]);
    });

    it('takes a NUL in a new password (it is hashed, never stored) and refuses one in a wrong current password with invalid_grant', async () => {
      const { access_token } = await login();
      const change = (current: string, next: string) =>
        request(f.app).put('/users/me/password').set('Authorization', `Bearer ${access_token}`).send({ current_password: current, new_password: next });
      expectRefused(await change('wrong\u0000', 'a new long password'), 400, 'invalid_grant');
      expect((await change(PASSWORD, 'a new\u0000long password')).status).toBe(204);
      expect((await token({ grant_type: 'password', username: 'alice', password: 'a new\u0000long password' })).status).toBe(200);
      expect(f.appErrors).toEqual([]);
    });
  });
}

describeClientStrings('memory', async () => ({ users: new MemoryUserStore(), refreshTokenStore: new MemoryRefreshTokenStore(), denylist: new MemoryDenylistStore() }));

describeClientStrings('SQLite', async () => {
  const db = openSqlite(':memory:');
  return { users: new SqliteUserStore(db), refreshTokenStore: new SqliteRefreshTokenStore(db), denylist: new SqliteDenylistStore(db) };
});

describePostgres('PostgreSQL', () => {
  const db = useTestDatabase();
  describeClientStrings('PostgreSQL', async () => {
    const users = new PostgresUserStore(db.pool);
    await users.ready();
    // The previous test's token endpoint may still be purging expired rows (fire-and-forget), and
    // PostgreSQL may pick this TRUNCATE as the victim of the deadlock between the two: try again.
    for (let attempt = 1; ; attempt++) {
      try {
        await db.pool.query('TRUNCATE users, username_skeletons, refresh_tokens, refresh_families, access_denylist');
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== '40P01' || attempt === 5) throw err;
      }
    }
    return { users, refreshTokenStore: new PostgresRefreshTokenStore(db.pool), denylist: new PostgresDenylistStore(db.pool) };
  });
});

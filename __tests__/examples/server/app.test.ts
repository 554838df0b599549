import request from 'supertest';
import type { Express } from 'express';
import { createApp, failureLogLine } from '../../../examples/server/app';
import { createLogger } from '../../../examples/server/logger';
import { runUsersCli } from '../../../examples/server/users-cli';
import { createAuth, type Auth } from '../../../lib/create-auth';
import { PasswordHasher } from '../../../lib/login/passwords';
import { SqliteUserStore } from '../../../lib/stores/sqlite/users';
import type { NewUser, UserPatch, UserStore, UserUpdateOptions } from '../../../lib/stores/types';
import type { User } from '../../../lib/core/user';
import { expectBearerError, expectMethodNotAllowed, NOT_POST, requestWith, testClock } from '../../helpers';
import { resolvedAuthOf } from '../../../lib/config/handles';

const SECRET = 'example-app-test-secret-of-more-than-32-bytes';
const ISSUER = 'express-jwt-auth-example';
const AUDIENCE = 'example-api';
const ALICE_PASSWORD = 'alice-Pa55word-that-is-long';
const BOB_PASSWORD = 'bob-Pa55word-that-is-long';
/** Cheap argon2 for tests; the auth uses the same parameters, so logins never rehash. */
const ARGON2 = { memoryCost: 8192, timeCost: 1 };


/** The SQLite store, with a switch that makes findById fail the way a broken database would. */
class BreakableStore implements UserStore {
  brokenFindById = false;
  constructor(readonly inner: SqliteUserStore) {}
  findById(id: string): Promise<User | null> {
    return this.brokenFindById ? Promise.reject(new Error('SQLITE_IOERR: disk I/O error')) : this.inner.findById(id);
  }
  findByUsername(username: string) { return this.inner.findByUsername(username); }
  findLookalike(username: string) { return this.inner.findLookalike(username); }
  create(user: NewUser) { return this.inner.create(user); }
  update(id: string, patch: UserPatch, options?: UserUpdateOptions) { return this.inner.update(id, patch, options); }
  delete(id: string) { return this.inner.delete(id); }
  list() { return this.inner.list(); }
  close() { return this.inner.close(); }
}

describe('example server app', () => {
  let users: BreakableStore;
  let clock: ReturnType<typeof testClock>;
  let auth: Auth;
  let app: Express;
  /** Lines the app wrote through its `logger` option (pino), parsed. */
  let logLines: Record<string, unknown>[];
  /** Lines made by failureLogLine in the onFailure hook, as main.ts does. */
  let failureLines: Record<string, unknown>[];
  const hasher = new PasswordHasher(ARGON2);

  /** Adds a user through the CLI, the password arriving on stdin with its newline. */
  async function addUser(username: string, password: string, scopes?: string): Promise<string[]> {
    const out: string[] = [];
    const argv = ['add', username, '--password-stdin', ...(scopes === undefined ? [] : ['--scopes', scopes])];
    await runUsersCli(argv, users, { readStdin: async () => `${password}\n`, out: (line) => out.push(line) }, hasher);
    return out;
  }

  const login = (username: string, password: string) =>
    request(app)
      .post('/token')
      .type('form')
      .send(new URLSearchParams({ grant_type: 'password', username, password }).toString());

  async function tokenOf(username: string, password: string): Promise<string> {
    const res = await login(username, password);
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  }

  beforeEach(async () => {
    users = new BreakableStore(new SqliteUserStore(':memory:'));
    clock = testClock();
    logLines = [];
    failureLines = [];
    auth = createAuth({
      secret: SECRET,
      issuer: ISSUER,
      audience: AUDIENCE,
      users,
      now: clock.now,
      argon2: ARGON2,
      onFailure: (event) => failureLines.push(failureLogLine(event)),
    });
    app = createApp({ auth, users, logger: createLogger('info', { write: (line) => void logLines.push(JSON.parse(line)) }) });
    await addUser('alice', ALICE_PASSWORD, 'admin');
    await addUser('bob', BOB_PASSWORD);
  });

  afterEach(async () => {
    await users.close();
  });

  it('answers GET /health with 200 {status:"ok"} without any credentials', async () => {
    const res = await request(app).get('/health');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('issues a token to alice, added by the CLI, and returns her at /users/me without a password hash', async () => {
    const res = await login('alice', ALICE_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, refresh_token: expect.any(String), scope: 'admin' });

    const me = await request(app).get('/users/me').set('Authorization', `Bearer ${res.body.access_token}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'alice', email: null, scopes: ['admin'], disabled: false, id: expect.any(String) });
    expect(me.body).not.toHaveProperty('passwordHash');
    expect(me.text).not.toContain('$argon2');
    expect(me.headers['cache-control']).toBe('no-store'); // account data: no cache may keep it
  });

  it('refuses GET /users/me without a token with 401 and a bare Bearer challenge', async () => {
    const res = await request(app).get('/users/me');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it('refuses POST /token with the password plus the newline the CLI stripped (400 invalid_grant)', async () => {
    const res = await login('alice', `${ALICE_PASSWORD}\n`);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('lists the users at GET /admin/users for an admin token, without password hashes', async () => {
    const token = await tokenOf('alice', ALICE_PASSWORD);
    const res = await request(app).get('/admin/users').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.map((u: { username: string }) => u.username)).toEqual(['alice', 'bob']);
    for (const user of res.body) expect(user).not.toHaveProperty('passwordHash');
    expect(res.text).not.toContain('$argon2');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers PATCH /users/me with no-store too: every answer with account data', async () => {
    const token = await tokenOf('alice', ALICE_PASSWORD);
    const res = await request(app).patch('/users/me').set('Authorization', `Bearer ${token}`).send({ email: 'alice@example.com' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('refuses GET /admin/users to bob, who lacks admin, with 403 insufficient_scope naming scope "admin"', async () => {
    const token = await tokenOf('bob', BOB_PASSWORD);
    const res = await request(app).get('/admin/users').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(res.headers['www-authenticate']).toContain('scope="admin"');
    expect(res.body.error).toBe('insufficient_scope');
    expect(failureLines).toEqual([expect.objectContaining({ level: 'warn', status: 403, error: 'insufficient_scope', path: '/admin/users' })]);
  });

  it('refuses alice\'s token once the clock passes its expiry (401 invalid_token)', async () => {
    const token = await tokenOf('alice', ALICE_PASSWORD);
    clock.advance(900 + 30 - 1);
    expect((await request(app).get('/users/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    clock.advance(2);
    const res = await request(app).get('/users/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_token');
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it.each(NOT_POST)('answers %s /token and /revoke with 405 and Allow: POST, not the 404 of an unknown route', async (method) => {
    expectMethodNotAllowed(await requestWith(app, method, '/token'), method);
    expectMethodNotAllowed(await requestWith(app, method, '/revoke'), method);
  });

  it('answers an unknown route with 404 JSON {error:"not_found"}', async () => {
    const res = await request(app).get('/no/such/route');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: 'not_found' });
  });

  it('answers 500 {error:"server_error"} when the store fails, and logs one error line without the token', async () => {
    const token = await tokenOf('alice', ALICE_PASSWORD);
    users.brokenFindById = true;
    const res = await request(app).get('/users/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'server_error' });
    expect(res.text).not.toContain('SQLITE');

    const errors = logLines.filter((line) => line.level === 'error');
    // The request's one line, at error level with the cause.
    expect(errors).toEqual([
      { level: 'error', time: expect.any(String), msg: 'request failed', method: 'GET', path: '/users/me', status: 500, ms: expect.any(Number), err: 'SQLITE_IOERR: disk I/O error' },
    ]);
    expect(logLines.filter((line) => line.path === '/users/me')).toHaveLength(1);
    expect(JSON.stringify(errors[0])).not.toContain(token);
    // A store failure is not an authentication failure.
    expect(failureLines).toEqual([]);
  });

  it('never writes a password or a token into the log or failure lines', async () => {
    const wrongPassword = 'wrong-Pa55word-guess';
    const aliceToken = await tokenOf('alice', ALICE_PASSWORD);
    const bobToken = await tokenOf('bob', BOB_PASSWORD);
    // A well-formed token signed with another key.
    const forged = resolvedAuthOf(createAuth({ secret: `${SECRET}-other`, issuer: ISSUER, audience: AUDIENCE, users, now: clock.now }))
      .tokens.issue((await users.findByUsername('alice'))!.id, ['admin']).token;
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

    expect((await login('alice', wrongPassword)).status).toBe(400);
    expect((await login('nobody', ALICE_PASSWORD)).status).toBe(400);
    expect((await request(app).get('/users/me').set(bearer(forged))).status).toBe(401);
    expect((await request(app).get('/admin/users').set(bearer(bobToken))).status).toBe(403);
    expect((await request(app).get('/users/me').set('Authorization', `Bearer ${aliceToken} extra`)).status).toBe(400);
    clock.advance(3600);
    expect((await request(app).get('/users/me').set(bearer(aliceToken))).status).toBe(401);
    users.brokenFindById = true;
    clock.advance(-3600);
    expect((await request(app).get('/users/me').set(bearer(aliceToken))).status).toBe(500);

    expect(failureLines.map((line) => [line.status, line.error, line.reason, line.detail])).toEqual([
      [400, 'invalid_grant', 'login.wrong_password', 'wrong password'],
      [400, 'invalid_grant', 'login.unknown_user', 'unknown user'],
      [401, 'invalid_token', 'token.signature', 'invalid signature'],
      [403, 'insufficient_scope', 'scope.insufficient', 'granted: '],
      [400, 'invalid_request', 'request.invalid', 'malformed Bearer credentials'],
      [401, 'invalid_token', 'token.expired', 'jwt expired'],
    ]);
    // One line per request: the store failure's is its `request failed` line.
    expect(logLines.filter((line) => line.msg !== 'request')).toHaveLength(1);

    const secrets = [ALICE_PASSWORD, BOB_PASSWORD, wrongPassword];
    for (const token of [aliceToken, bobToken, forged]) secrets.push(token, token.split('.')[2]);
    for (const line of [...failureLines, ...logLines]) {
      const text = JSON.stringify(line);
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });

  it('refreshes, then logs out by revoking the refresh token', async () => {
    const first = (await login('alice', ALICE_PASSWORD)).body;
    const refreshed = await request(app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(refreshed.status).toBe(200);
    const revoked = await request(app).post('/revoke').type('form').send({ token: refreshed.body.refresh_token, token_type_hint: 'refresh_token' });
    expect(revoked.status).toBe(200);
    const after = await request(app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token });
    expect(after.status).toBe(400);
    expect(after.body.error).toBe('invalid_grant');
  });

  it('keeps registration off by default, and on with allowRegistration', async () => {
    const body = { username: 'carol', password: 'carol-long-password' };
    expect((await request(app).post('/users').send(body)).status).toBe(404);
    const open = createApp({ auth, users, logger: createLogger('silent'), allowRegistration: true });
    expect((await request(open).post('/users').send(body)).status).toBe(201);
  });

  it('ends sessions when the CLI disables a user or changes a password', async () => {
    const token = await tokenOf('bob', BOB_PASSWORD);
    await runUsersCli(['disable', 'bob'], users, { readStdin: async () => '', out: () => undefined }, hasher);
    await runUsersCli(['enable', 'bob'], users, { readStdin: async () => '', out: () => undefined }, hasher);
    expectBearerError(await request(app).get('/users/me').set('Authorization', `Bearer ${token}`), 401, 'invalid_token');

    const again = await tokenOf('bob', BOB_PASSWORD);
    await runUsersCli(['passwd', 'bob', '--password-stdin'], users, { readStdin: async () => 'bob-new-password\n', out: () => undefined }, hasher);
    expectBearerError(await request(app).get('/users/me').set('Authorization', `Bearer ${again}`), 401, 'invalid_token');
  });

  it('keeps a password out of the log even when the JSON around it is malformed', async () => {
    const res = await request(app)
      .post('/token')
      .set('Content-Type', 'application/json')
      .send('{"grant_type":"password","username":"alice","password":s3cr3t-pw-123}');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(JSON.stringify([failureLines, logLines])).not.toContain('s3cr3t');
  });
});

import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import { createApp, SCOPES } from '../../../examples/server/app';
import { auditLog } from '../../../examples/server/audit-log';
import { createLogger, type LogLevel } from '../../../examples/server/logger';
import { loggedPath } from '../../../examples/server/request-log';
import { runUsersCli } from '../../../examples/server/users-cli';
import { createAuth } from '../../../lib/create-auth';
import { PasswordHasher } from '../../../lib/login/passwords';
import { SqliteUserStore } from '../../../lib/stores/sqlite/users';
import type { User } from '../../../lib/core/user';

const ALICE_PASSWORD = 'alice-Pa55word-that-is-long';
const BOB_PASSWORD = 'bob-Pa55word-that-is-long';
const ARGON2 = { memoryCost: 8192, timeCost: 1 };

type Line = Record<string, unknown>;

describe('example server logging (pino)', () => {
  let users: SqliteUserStore;
  let alice: User;
  let lines: Line[];
  /** Every byte the logger wrote, to search for secrets. */
  let raw: string;

  /** The app with its pino logger and the audit hooks writing into `lines`, as main.ts wires them. */
  function appAt(level: LogLevel): Express {
    const logger = createLogger(level, {
      write: (text: string) => {
        raw += text;
        lines.push(JSON.parse(text) as Line);
      },
    });
    const auth = createAuth({ secret: 'logging-test-secret-of-more-than-32-bytes', issuer: 'example', audience: 'api', users, argon2: ARGON2, scopes: { ...SCOPES }, ...auditLog(logger) });
    return createApp({ auth, users, logger });
  }

  const login = (app: Express, username: string, password: string) =>
    request(app).post('/token').type('form').send(new URLSearchParams({ grant_type: 'password', username, password }).toString());
  const requestLines = () => lines.filter((line) => line.msg === 'request');

  beforeEach(async () => {
    users = new SqliteUserStore(':memory:');
    const hasher = new PasswordHasher(ARGON2);
    const io = (password: string) => ({ readStdin: async () => `${password}\n`, out: () => undefined });
    await runUsersCli(['add', 'alice', '--scopes', 'admin', '--password-stdin'], users, io(ALICE_PASSWORD), hasher);
    await runUsersCli(['add', 'bob', '--password-stdin'], users, io(BOB_PASSWORD), hasher);
    alice = (await users.findByUsername('alice'))!;
    lines = [];
    raw = '';
  });

  afterEach(async () => {
    await users.close();
  });

  it('writes one request line per request: method, path without the query, status, duration, and the user id once authenticated', async () => {
    const app = appAt('info');
    await request(app).get('/health?verbose=1');
    const token = (await login(app, 'alice', ALICE_PASSWORD)).body.access_token as string;
    await request(app).get('/users/me').set('Authorization', `Bearer ${token}`);

    expect(requestLines()).toEqual([
      { level: 'info', time: expect.any(String), msg: 'request', method: 'GET', path: '/health', status: 200, ms: expect.any(Number) },
      { level: 'info', time: expect.any(String), msg: 'request', method: 'GET', path: '/users/me', status: 200, ms: expect.any(Number), userId: alice.id },
    ]);
    // The login's one line is its `login` line.
    expect(lines).toHaveLength(3);
    expect(lines[1]).toEqual({
      level: 'info',
      time: expect.any(String),
      msg: 'login',
      method: 'POST',
      path: '/token',
      status: 200,
      ms: expect.any(Number),
      userId: alice.id,
      username: 'alice',
      scopes: ['admin'],
      ip: expect.any(String),
    });
    expect(Date.parse(String(requestLines()[0].time))).not.toBeNaN();
  });

  it('writes a refused request\'s one line as a warn `auth failure` line with its reason, and a login\'s as an info `login` line', async () => {
    const app = appAt('info');
    await login(app, 'alice', 'wrong-Pa55word-guess');
    await login(app, 'nobody', ALICE_PASSWORD);
    await request(app).get('/users/me');
    const bobToken = (await login(app, 'bob', BOB_PASSWORD)).body.access_token as string;
    await request(app).get('/admin/users').set('Authorization', `Bearer ${bobToken}`);

    const failures = lines.filter((line) => line.msg === 'auth failure');
    expect(failures.map(({ level, status, error, reason, detail, path }) => ({ level, status, error, reason, detail, path }))).toEqual([
      { level: 'warn', status: 400, error: 'invalid_grant', reason: 'login.wrong_password', detail: 'wrong password', path: '/token' },
      { level: 'warn', status: 400, error: 'invalid_grant', reason: 'login.unknown_user', detail: 'unknown user', path: '/token' },
      { level: 'warn', status: 401, error: null, reason: 'credentials.missing', detail: 'Authentication required', path: '/users/me' },
      { level: 'warn', status: 403, error: 'insufficient_scope', reason: 'scope.insufficient', detail: 'granted: ', path: '/admin/users' },
    ]);
    const bob = (await users.findByUsername('bob'))!;
    expect(lines.filter((line) => line.msg === 'login')).toEqual([
      { level: 'info', time: expect.any(String), msg: 'login', method: 'POST', path: '/token', status: 200, ms: expect.any(Number), userId: bob.id, username: 'bob', scopes: [], ip: expect.any(String) },
    ]);
    // Five requests, five lines: none of them a second `request` line.
    expect(lines).toHaveLength(5);
    expect(requestLines()).toHaveLength(0);
  });

  it('never logs a token, password or hash: not from the body, the Authorization header or the query string', async () => {
    const app = appAt('trace');
    const wrong = 'wrong-Pa55word-guess';
    const newPassword = 'alice-new-Pa55word-long';
    const first = (await login(app, 'alice', ALICE_PASSWORD)).body as { access_token: string; refresh_token: string };
    await login(app, 'alice', wrong);
    await request(app).get(`/users/me?access_token=${first.access_token}`);
    await request(app).get('/users/me').set('Authorization', `Bearer ${first.access_token}x`);
    await request(app).post('/token').set('Content-Type', 'application/json').send(`{"grant_type":"password","username":"alice","password":${wrong}}`);
    const refreshed = (await request(app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).body as {
      access_token: string;
      refresh_token: string;
    };
    await request(app).put('/users/me/password').set('Authorization', `Bearer ${refreshed.access_token}`).send({ current_password: ALICE_PASSWORD, new_password: newPassword });
    await request(app).post('/revoke').type('form').send({ token: refreshed.refresh_token });

    // Eight requests, one line each: every one of them was written, and searched below.
    expect(lines).toHaveLength(8);
    const hash = (await users.findByUsername('alice'))!.passwordHash;
    const secrets = [ALICE_PASSWORD, wrong, newPassword, hash, '$argon2'];
    for (const token of [first.access_token, first.refresh_token, refreshed.access_token, refreshed.refresh_token]) {
      secrets.push(token, token.split('.').at(-1)!);
    }
    for (const secret of secrets) expect(raw).not.toContain(secret);
    expect(raw).not.toMatch(/Bearer [\w-]/);
  });

  it('never logs a token a client put into the path', async () => {
    const app = appAt('info');
    const token = (await login(app, 'alice', ALICE_PASSWORD)).body.access_token as string;
    const [h, p, sig] = token.split('.');
    const refreshToken = (await login(app, 'alice', ALICE_PASSWORD)).body.refresh_token as string;
    const paths = [
      `/users/me;access_token=${token}`,
      `/users/me%3Faccess_token=${token}`,
      `/users/me%23${token}`,
      `/users/me/${h}%2E${p}%2e${sig}`,
      `/x/${h}%2F${p}%2F${sig}`,
      `/x/${h}.${p}/${sig}`,
      `/users/${refreshToken}`,
      `/users/me/${token}`,
    ];
    for (const path of paths) await request(app).get(path);
    expect(lines.filter((line) => line.method === 'GET')).toHaveLength(paths.length);
    expect(raw).not.toContain(refreshToken);
    expect(raw).not.toContain(token);
    expect(raw).not.toContain(sig);
    expect(raw).not.toContain(p);
    expect(lines.at(-1)).toMatchObject({ path: '/users/me/[redacted]' });
  });

  it('logs only the path of an absolute-form target, never its userinfo', () => {
    expect(loggedPath('http://alice:Hunter2-secret-pw@example.test/health?x=1')).toBe('/health');
    expect(loggedPath('https://example.test')).toBe('');
    expect(loggedPath('/users/me?access_token=x')).toBe('/users/me');
  });

  it('never logs what a client sent as a scope (a token, a password in the wrong field)', async () => {
    const app = appAt('info');
    const first = (await login(app, 'alice', ALICE_PASSWORD)).body as { access_token: string; refresh_token: string };
    const typed = 'my-Secret-passw0rd';
    const res = await request(app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: first.refresh_token, scope: `admin ${first.access_token} ${typed}` });
    expect(res.status).toBe(400);
    expect(lines.at(-1)).toMatchObject({ msg: 'auth failure', reason: 'scope.invalid', detail: 'requested 2 scopes beyond what the grant holds (admin)' });
    expect(raw).not.toContain(first.access_token.split('.')[2]);
    expect(raw).not.toContain(typed);
  });

  it('writes a line of its own for a login whose client hung up first, after the request line, with its reason', async () => {
    const app = appAt('info');
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as { port: number };
      const body = new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'wrong-Pa55word-guess' }).toString();
      const socket = net.connect(port, '127.0.0.1');
      // Gone once the server has read the body, while the password check runs.
      server.once('request', (req: IncomingMessage) => req.once('end', () => socket.destroy()));
      socket.write(`POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      for (let i = 0; i < 100 && !lines.some((line) => line.msg === 'auth failure'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      server.close();
    }
    expect(lines.map((line) => line.msg)).toEqual(['request', 'auth failure']);
    expect(lines[0]).toMatchObject({ method: 'POST', path: '/token', status: null, aborted: true });
    expect(lines[1]).toMatchObject({ level: 'warn', status: 400, reason: 'login.wrong_password', path: '/token' });
  });

  it('keeps failure lines and drops request and login lines at LOG_LEVEL=warn', async () => {
    const app = appAt('warn');
    await login(app, 'alice', ALICE_PASSWORD);
    await login(app, 'alice', 'wrong-Pa55word-guess');
    expect(lines.map((line) => [line.level, line.msg])).toEqual([['warn', 'auth failure']]);
  });

  it('redacts password, token and hash fields should a later log call pass them', () => {
    const written: string[] = [];
    const logger = createLogger('info', { write: (text: string) => void written.push(text) });
    logger.info({ password: 'p4ss', token: 't0k', access_token: 'a', user: { passwordHash: '$argon2id$x', authorization: 'Bearer y' } }, 'oops');
    expect(JSON.parse(written[0])).toMatchObject({
      password: '[redacted]',
      token: '[redacted]',
      access_token: '[redacted]',
      user: { passwordHash: '[redacted]', authorization: '[redacted]' },
    });
  });
});

import * as jwt from 'jsonwebtoken';
import request from 'supertest';
import { PasswordHasher } from '../../lib/login/passwords';
import { MemoryUserStore } from '../../lib/stores/memory/users';
import http from 'node:http';
import { AUDIENCE, ISSUER, NOT_POST, PASSWORD, SECRET, expectMethodNotAllowed, expectOAuthError, requestWith, setup, type Fixture } from '../helpers';

describe('token()', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setup();
  });

  const form = (fields: Record<string, string | string[]>) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) params.append(name, v);
    return request(f.app).post('/token').type('form').send(params.toString());
  };
  const login = (extra: Record<string, string> = {}) => form({ grant_type: 'password', username: 'alice', password: PASSWORD, ...extra });

  function expectNoStore(res: request.Response) {
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
  }

  function expectTokenError(res: request.Response, status: number, error: string) {
    expect(res.status).toBe(status);
    expect(res.body.error).toBe(error);
    expect(typeof res.body.error_description).toBe('string');
    expectNoStore(res);
  }

  it('issues an at+jwt access token for a form-encoded password grant (RFC 6749 §4.3.2)', async () => {
    const res = await login();
    expect(res.status).toBe(200);
    expectNoStore(res);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), scope: 'read admin' });

    const { header, payload } = jwt.decode(res.body.access_token, { complete: true }) as jwt.Jwt;
    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    const now = f.clock.seconds();
    expect(payload).toEqual({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: f.alice.id,
      client_id: 'express-jwt-auth',
      iat: now,
      exp: now + 900,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      scope: 'read admin',
      epoch: 0,
    });
    // And the token opens the protected route.
    const me = await request(f.app).get('/users/me').set('Authorization', `Bearer ${res.body.access_token}`);
    expect(me.body.username).toBe('alice');
  });

  it('issues a token for a JSON body too', async () => {
    const res = await request(f.app).post('/token').send({ grant_type: 'password', username: 'alice', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe('Bearer');
  });

  it('gives every token its own jti', async () => {
    const a = jwt.decode((await login()).body.access_token) as jwt.JwtPayload;
    const b = jwt.decode((await login()).body.access_token) as jwt.JwtPayload;
    expect(a.jti).not.toBe(b.jti);
  });

  it('matches the username regardless of case', async () => {
    expect((await login({ username: 'ALICE' })).status).toBe(200);
  });

  it('narrows the scope to the one requested', async () => {
    const res = await login({ scope: 'read' });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('read');
    const admin = await request(f.app).get('/admin').set('Authorization', `Bearer ${res.body.access_token}`);
    expect(admin.status).toBe(403);
  });

  it('refuses a scope the user does not hold as invalid_scope', async () => {
    expectTokenError(await login({ scope: 'read root' }), 400, 'invalid_scope');
  });

  it('refuses a malformed scope as invalid_scope', async () => {
    expectTokenError(await login({ scope: 'read  admin' }), 400, 'invalid_scope');
    expectTokenError(await login({ scope: 'read "admin"' }), 400, 'invalid_scope');
  });

  it('answers a wrong password, an unknown user and a disabled user identically', async () => {
    const bob = await f.users.create({ username: 'bob', passwordHash: await new PasswordHasher().hash(PASSWORD), disabled: true });
    const wrong = await login({ password: 'wrong password' });
    const unknown = await login({ username: 'mallory' });
    const disabled = await login({ username: bob.username });
    for (const res of [wrong, unknown, disabled]) {
      expectTokenError(res, 400, 'invalid_grant');
      expect(res.body).toEqual(wrong.body);
      expect(res.headers['content-type']).toBe(wrong.headers['content-type']);
    }
    expect(f.failures.map((e) => e.reason)).toEqual(['login.wrong_password', 'login.unknown_user', 'login.user_disabled']);
  });

  it('does not reveal scopes to a wrong password: invalid_grant comes before invalid_scope', async () => {
    expectTokenError(await login({ password: 'wrong', scope: 'root' }), 400, 'invalid_grant');
  });

  it('refuses a missing grant_type as invalid_request', async () => {
    expectTokenError(await form({ username: 'alice', password: PASSWORD }), 400, 'invalid_request');
  });

  it('names a missing grant_type in a description RFC 6749 §5.2 allows (no double quotes)', async () => {
    const res = await form({ username: 'alice' });
    expectTokenError(res, 400, 'invalid_request');
    expect(res.body.error_description).toBe("Parameter 'grant_type' is required");
  });

  it('refuses another grant type as unsupported_grant_type', async () => {
    expectTokenError(await form({ grant_type: 'client_credentials' }), 400, 'unsupported_grant_type');
  });

  it.each(['username', 'password'])('refuses a missing %s as invalid_request', async (name) => {
    const fields: Record<string, string> = { grant_type: 'password', username: 'alice', password: PASSWORD };
    delete fields[name];
    expectTokenError(await form(fields), 400, 'invalid_request');
  });

  it('treats an empty parameter as omitted (RFC 6749 §3.2)', async () => {
    expectTokenError(await login({ password: '' }), 400, 'invalid_request');
  });

  it('refuses a repeated parameter as invalid_request', async () => {
    const res = await form({ grant_type: 'password', username: ['alice', 'bob'], password: PASSWORD });
    expectTokenError(res, 400, 'invalid_request');
    expect(res.body.error_description).toContain('username');
  });

  it.each([
    ['a number', 42],
    ['an array', ['a']],
    ['an object', { $ne: '' }],
    ['true', true],
  ])('refuses a JSON password that is %s as invalid_request', async (_name, value) => {
    const res = await request(f.app).post('/token').send({ grant_type: 'password', username: 'alice', password: value });
    expectTokenError(res, 400, 'invalid_request');
  });

  it('refuses a JSON body that is not an object', async () => {
    const res = await request(f.app).post('/token').set('Content-Type', 'application/json').send('["grant_type"]');
    expectTokenError(res, 400, 'invalid_request');
  });

  it('refuses malformed JSON as invalid_request', async () => {
    const res = await request(f.app).post('/token').set('Content-Type', 'application/json').send('{"grant_type":');
    expectTokenError(res, 400, 'invalid_request');
  });

  it('refuses a body of another content type as invalid_request', async () => {
    const res = await request(f.app).post('/token').set('Content-Type', 'text/plain').send('grant_type=password');
    expectTokenError(res, 400, 'invalid_request');
  });

  it('refuses an oversized body with 413', async () => {
    const res = await login({ padding: 'x'.repeat(20 * 1024) });
    expectTokenError(res, 413, 'invalid_request');
  });

  it('refuses credentials in the query string and never uses them', async () => {
    const res = await request(f.app)
      .post(`/token?grant_type=password&username=alice&password=${encodeURIComponent(PASSWORD)}`)
      .type('form')
      .send('');
    expectTokenError(res, 400, 'invalid_request');
    expect(res.body.error_description).toMatch(/body/);
    // Even when the body has them too.
    const both = await request(f.app).post(`/token?password=x`).type('form').send(`grant_type=password&username=alice&password=${encodeURIComponent(PASSWORD)}`);
    expectTokenError(both, 400, 'invalid_request');
  });

  it('ignores unknown parameters (RFC 6749 §3.2)', async () => {
    expect((await login({ client_id: 'web', extra: 'x' })).status).toBe(200);
  });

  it('does not treat __proto__ or constructor as parameters', async () => {
    const res = await request(f.app)
      .post('/token')
      .set('Content-Type', 'application/json')
      .send('{"grant_type":"password","username":"alice","__proto__":{"password":"' + PASSWORD + '"}}');
    expectTokenError(res, 400, 'invalid_request');
    expect(({} as Record<string, unknown>).password).toBeUndefined();
    const form = await request(f.app).post('/token').type('form').send(`grant_type=password&username=alice&__proto__=x&constructor=y&password=${encodeURIComponent(PASSWORD)}`);
    expect(form.status).toBe(200);
  });

  it('refuses a password over the maximum length with 400 before hashing it', async () => {
    const hash = jest.spyOn(f.auth.passwords, 'verify');
    const dummy = jest.spyOn(f.auth.passwords, 'verifyDummy');
    const res = await login({ password: 'p'.repeat(1025) });
    expectTokenError(res, 400, 'invalid_request');
    expect(res.body.error_description).toContain('1024');
    expect(hash).not.toHaveBeenCalled();
    expect(dummy).not.toHaveBeenCalled();
  });

  it('accepts a password of exactly the maximum length', async () => {
    const long = 'ü'.repeat(1024);
    await f.users.update(f.alice.id, { passwordHash: await f.auth.passwords.hash(long) });
    expect((await login({ password: long })).status).toBe(200);
  });

  it('keeps Unicode as given: a decomposed password matches its composed form (NFC)', async () => {
    await f.users.update(f.alice.id, { passwordHash: await f.auth.passwords.hash('Am\u00e9lie-\u{1F511}-pass') });
    expect((await login({ password: 'Ame\u0301lie-\u{1F511}-pass' })).status).toBe(200);
  });

  it('treats a NUL byte as an ordinary character, never the end of the password', async () => {
    await f.users.update(f.alice.id, { passwordHash: await f.auth.passwords.hash('abc\u0000def-long-enough') });
    expect((await login({ password: 'abc\u0000def-long-enough' })).status).toBe(200);
    expectTokenError(await login({ password: 'abc' }), 400, 'invalid_grant');
  });

  it('rehashes and saves a hash made with outdated parameters at login', async () => {
    const old = new PasswordHasher({ memoryCost: 8192, timeCost: 1 });
    await f.users.update(f.alice.id, { passwordHash: await old.hash(PASSWORD) });
    expect((await login()).status).toBe(200);
    const saved = (await f.users.findById(f.alice.id))!.passwordHash;
    expect(saved).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await f.auth.passwords.verify(saved, PASSWORD)).toBe(true);
    // A current hash is left alone.
    expect((await login()).status).toBe(200);
    expect((await f.users.findById(f.alice.id))!.passwordHash).toBe(saved);
  });

  it('runs one argon2 verify for an unknown user, as for a wrong password', async () => {
    const verify = jest.spyOn(f.auth.passwords, 'verify');
    const dummy = jest.spyOn(f.auth.passwords, 'verifyDummy');
    expectTokenError(await login({ username: 'nobody' }), 400, 'invalid_grant');
    expect(dummy).toHaveBeenCalledTimes(1);
    expect(verify).toHaveBeenCalledTimes(1); // the dummy hash's verify
    expectTokenError(await login({ password: 'wrong' }), 400, 'invalid_grant');
    expect(dummy).toHaveBeenCalledTimes(1);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  describe('says which body encodings it reads (RFC 6749 §4.3.2: form-encoded; JSON besides)', () => {
    const ACCEPTED = 'Send the body as application/x-www-form-urlencoded or application/json, with that Content-Type';
    const login = JSON.stringify({ grant_type: 'password', username: 'alice', password: PASSWORD });

    it('names the JSON content type when a JSON body arrives as a form (curl -d without -H)', async () => {
      const res = await request(f.app).post('/token').set('Content-Type', 'application/x-www-form-urlencoded').send(login);
      expectTokenError(res, 400, 'invalid_request');
      expect(res.body.error_description).toBe('The body looks like JSON: send it with Content-Type: application/json');
      expect(f.failures.map((event) => [event.reason, event.error.detail])).toEqual([['request.invalid', 'JSON body sent as a form']]);
    });

    it.each([
      ['no Content-Type', undefined],
      ['text/plain (what fetch sends for a string body)', 'text/plain;charset=UTF-8'],
      ['multipart/form-data', 'multipart/form-data; boundary=x'],
    ])('names both accepted content types for a body with %s', async (_name, type) => {
      const res = await rawPost(f, '/token', login, type);
      expect(res.status).toBe(400);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({ error: 'invalid_request', error_description: ACCEPTED });
    });

    it('answers the revocation endpoint the same way', async () => {
      const res = await rawPost(f, '/revoke', 'token=abc', undefined);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: ACCEPTED });
      const json = await request(f.app).post('/revoke').set('Content-Type', 'application/x-www-form-urlencoded').send('{"token":"abc"}');
      expectOAuthError(json, 400, 'invalid_request');
      expect(json.body.error_description).toBe('The body looks like JSON: send it with Content-Type: application/json');
    });
  });

  it.each(NOT_POST)('answers %s with 405 and Allow: POST where the README mounts it (RFC 6749 §3.2)', async (method) => {
    expectMethodNotAllowed(await requestWith(f.app, method, '/token'), method);
    expect(f.failures.map((event) => event.reason)).toEqual(['request.method']);
  });

  it('answers 500 through next(err) when the store fails', async () => {
    const users = new MemoryUserStore();
    const broken = await setup({}, users);
    users.findByUsername = () => Promise.reject(new Error('database is down'));
    const res = await request(broken.app).post('/token').type('form').send(`grant_type=password&username=alice&password=x`);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'server_error' });
    expect(broken.appErrors).toEqual([expect.objectContaining({ message: 'database is down' })]);
  });

  it('reports a login to onLogin without the hash', async () => {
    const logins: unknown[] = [];
    const g = await setup({ onLogin: (e) => logins.push({ user: e.user, scopes: e.scopes }) });
    await request(g.app).post('/token').type('form').send(`grant_type=password&username=alice&password=${encodeURIComponent(PASSWORD)}`);
    expect(logins).toEqual([{ user: expect.objectContaining({ username: 'alice' }), scopes: ['read', 'admin'] }]);
    expect(JSON.stringify(logins)).not.toContain('argon2');
  });

  it('never reports the password to onFailure', async () => {
    expectTokenError(await login({ password: 'hunter2-secret-guess' }), 400, 'invalid_grant');
    expect(f.failures).toHaveLength(1);
    expect(JSON.stringify(f.failures.map((e) => ({ reason: e.reason, body: e.error.toJSON() })))).not.toContain('hunter2');
  });

  it('verifies with a KeyObject-backed key that also accepts a Buffer secret', async () => {
    const g = await setup({ secret: Buffer.from(SECRET) });
    expect((await request(g.app).post('/token').send({ grant_type: 'password', username: 'alice', password: PASSWORD })).status).toBe(200);
  });
});

describe('token() with compressed bodies', () => {
  it.each(['gzip', 'br', 'deflate'])('refuses a %s body as invalid_request, corrupt or not', async (encoding) => {
    const f = await setup();
    const res = await request(f.app).post('/token').set('Content-Type', 'application/x-www-form-urlencoded').set('Content-Encoding', encoding).send('not really compressed');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(f.appErrors).toEqual([]);
  });
});

/** POSTs `body` with exactly the given Content-Type, or none at all (supertest always sets one for a string body). */
async function rawPost(f: Fixture, path: string, body: string, type: string | undefined): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  const server = f.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  try {
    return await new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { 'Content-Length': Buffer.byteLength(body), ...(type !== undefined && { 'Content-Type': type }) };
      const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end(body);
    });
  } finally {
    server.close();
  }
}

describe('handlers without options', () => {
  it.each(['token', 'revoke', 'updateMe', 'changePassword', 'signOutEverywhere', 'register'] as const)('%s() refuses an option at start-up', async (name) => {
    const { auth } = await setup();
    const handler = auth[name] as unknown as (options?: unknown) => unknown;
    expect(() => handler({ foo: 1 })).toThrow(new TypeError(`${name}() takes no options`));
    expect(typeof handler()).toBe('function');
  });
});

import express from 'express';
import request from 'supertest';
import { MemoryUserStore } from '../../lib/stores/memory/users';
import { EpochlessUserStore, expectBearerError, SECRET, b64, claims, setup, sign, signRaw, without, type Fixture } from '../helpers';
import type { FailureReason } from '../../lib/core/errors';
import net from 'node:net';

const CHALLENGE = 'Bearer realm="api"';
const INVALID_TOKEN = 'Bearer realm="api", error="invalid_token", error_description="The access token is invalid"';
const EXPIRED = 'Bearer realm="api", error="invalid_token", error_description="The access token expired"';

describe('authenticate()', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setup();
  });

  const me = (authorization?: string) => {
    const req = request(f.app).get('/users/me');
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };

  /** The client sees 401 invalid_token with the generic description; the server keeps `reason`. */
  async function expectInvalidToken(res: request.Response, reason: FailureReason) {
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
    expect(res.body).toEqual({ error: 'invalid_token', error_description: 'The access token is invalid' });
    expect(f.failures.at(-1)?.reason).toBe(reason);
  }

  it('admits a valid token and sets req.user without the password hash', async () => {
    const res = await me(`Bearer ${f.tokenFor()}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: f.alice.id, username: 'alice', email: 'alice@example.com', scopes: ['read', 'admin'] });
    expect(res.body).not.toHaveProperty('passwordHash');
  });

  it('accepts the scheme in any case', async () => {
    expect((await me(`bEARER ${f.tokenFor()}`)).status).toBe(200);
  });

  it('challenges a request without credentials, with no error code', async () => {
    const res = await me();
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(CHALLENGE);
    expect(res.body.error).toBeUndefined();
  });

  it('challenges a request with another scheme as one without credentials', async () => {
    const res = await me('Basic YWxpY2U6cGFzc3dvcmQ=');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(CHALLENGE);
    expect(res.body.error).toBeUndefined();
  });

  it.each([
    ['Bearer tok junk', `Bearer ${'a.b.c'} junk`],
    ['an empty Bearer', 'Bearer'],
    ['Bearer with only spaces', 'Bearer    '],
    ['characters outside b64token', 'Bearer abc$def'],
    ['a comma-separated second credential', 'Bearer a.b.c, Bearer d.e.f'],
  ])('refuses %s as invalid_request', async (_name, header) => {
    const res = await me(header);
    expect(res.status).toBe(400);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_request", error_description="/);
    expect(res.body.error).toBe('invalid_request');
  });

  it('refuses two Authorization headers as invalid_request', async () => {
    const token = f.tokenFor();
    // HTTP clients merge or refuse duplicate Authorization headers; send two raw lines instead.
    const raw = await rawRequest(f, ['GET /users/me HTTP/1.1', 'Host: x', `Authorization: Bearer ${token}`, `Authorization: Bearer ${token}`]);
    expect(raw.status).toBe(400);
    expect(raw.headers['www-authenticate']).toContain('error="invalid_request"');
    expect(raw.body).toMatchObject({ error: 'invalid_request', error_description: 'More than one Authorization header' });
  });

  it('refuses a query-string token unless the app opts in', async () => {
    const token = f.tokenFor();
    const res = await request(f.app).get(`/users/me?access_token=${token}`);
    expectBearerError(res, 400, 'invalid_request');
    expect(res.body).toEqual({ error: 'invalid_request', error_description: 'Access tokens are not accepted in the query string' });

    const optedIn = await setup({ allowQueryToken: true });
    const ok = await request(optedIn.app).get(`/users/me?access_token=${optedIn.tokenFor()}`);
    expect(ok.status).toBe(200);
    expect(ok.body.username).toBe('alice');
  });

  it('refuses a query-string token even when a polluted Object.prototype says allowQueryToken', async () => {
    // Only the options the app wrote count: prototype pollution elsewhere in the app must not switch one on.
    const polluted = Object.prototype as { allowQueryToken?: boolean };
    polluted.allowQueryToken = true;
    let g: Fixture;
    try {
      g = await setup();
    } finally {
      delete polluted.allowQueryToken;
    }
    const res = await request(g.app).get(`/users/me?access_token=${g.tokenFor()}`);
    expectBearerError(res, 400, 'invalid_request');
  });

  it.each([
    ['scope', 'admin', '/admin', 403],
    ['exp', 4102444800, '/users/me', 401],
  ])('does not fill a claim missing from a signed token (%s) from a polluted Object.prototype', async (claim, value, path, status) => {
    const token = sign(without(claims(f.alice.id, f.clock.seconds()), claim));
    const before = await request(f.app).get(path).set('Authorization', `Bearer ${token}`);
    expect(before.status).toBe(status);
    (Object.prototype as Record<string, unknown>)[claim] = value;
    let res: request.Response;
    try {
      res = await request(f.app).get(path).set('Authorization', `Bearer ${token}`);
    } finally {
      delete (Object.prototype as Record<string, unknown>)[claim];
    }
    expect(res.status).toBe(status);
  });

  it('does not take credentials from a polluted Object.prototype.authorization', async () => {
    const token = f.tokenFor();
    const app = express();
    // Node's headers object inherits from the Object.prototype of Node's own realm (not Jest's): pollute
    // that one, while the server handles the request only (the HTTP client must not see it).
    let polluted: Record<string, unknown> | undefined;
    app.use((req, res, next) => {
      polluted = Object.getPrototypeOf(req.headers) as Record<string, unknown>;
      polluted.authorization = `Bearer ${token}`;
      res.once('close', () => delete polluted!.authorization);
      next();
    });
    app.get('/users/me', f.auth.authenticate(), (req, res) => void res.json(req.user));
    const res = await request(app).get('/users/me');
    delete polluted?.authorization;
    expect(polluted).toBeDefined();
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it('refuses a token sent twice, in the header and the query', async () => {
    const optedIn = await setup({ allowQueryToken: true });
    const token = optedIn.tokenFor();
    const res = await request(optedIn.app).get(`/users/me?access_token=${token}`).set('Authorization', `Bearer ${token}`);
    expectBearerError(res, 400, 'invalid_request');
  });

  it('rejects an expired token as invalid_token and says it expired', async () => {
    const token = f.tokenFor();
    f.clock.advance(15 * 60 + 30); // the ttl plus the 30 s tolerance
    const res = await me(`Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(EXPIRED);
    expect(res.body).toEqual({ error: 'invalid_token', error_description: 'The access token expired' });
  });

  it('still admits a token within the clock tolerance of its expiry', async () => {
    const token = f.tokenFor();
    f.clock.advance(15 * 60 + 29);
    expect((await me(`Bearer ${token}`)).status).toBe(200);
  });

  describe('refuses forged and malformed tokens as invalid_token', () => {
    const now = () => f.clock.seconds();
    const good = () => claims(f.alice.id, now());

    it('rejects alg none', async () => {
      const token = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(good())}.`;
      const res = await me(`Bearer ${token}`);
      // an empty signature is not a compact JWS of ours at all
      await expectInvalidToken(res, 'token.malformed');
      const withSig = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(good())}.AAAA`;
      await expectInvalidToken(await me(`Bearer ${withSig}`), 'token.alg');
    });

    it('rejects HS256 signed with another key', async () => {
      await expectInvalidToken(await me(`Bearer ${sign(good(), 'another-secret-that-is-32-bytes-long!!')}`), 'token.signature');
    });

    it('rejects an HS512 token where the key is pinned to HS256', async () => {
      const token = signRaw({ alg: 'HS512', typ: 'at+jwt' }, good(), SECRET, 'sha512');
      await expectInvalidToken(await me(`Bearer ${token}`), 'token.alg');
    });

    it('rejects a tampered payload', async () => {
      const [h, , s] = f.tokenFor().split('.');
      const forged = `${h}.${b64({ ...good(), scope: 'read admin root' })}.${s}`;
      await expectInvalidToken(await me(`Bearer ${forged}`), 'token.signature');
    });

    it('rejects a token whose nbf is in the future', async () => {
      await expectInvalidToken(await me(`Bearer ${sign({ ...good(), nbf: now() + 120 })}`), 'token.not_yet_valid');
    });

    it('rejects a token whose iat is in the future', async () => {
      await expectInvalidToken(await me(`Bearer ${sign({ ...good(), iat: now() + 120 })}`), 'token.iat_future');
    });

    // Everything else about these tokens is right, so only the missing-claim check can refuse them:
    // without it, a missing iss or aud would still be refused, but as token.issuer / token.audience.
    it.each(['exp', 'iat', 'iss', 'aud', 'sub', 'jti'])('rejects a token without %s as a missing claim', async (claim) => {
      await expectInvalidToken(await me(`Bearer ${sign(without(good(), claim))}`), 'token.claim_missing');
    });

    it('rejects a token from another issuer', async () => {
      await expectInvalidToken(await me(`Bearer ${sign({ ...good(), iss: 'https://evil.test' })}`), 'token.issuer');
    });

    it('rejects a token for another audience', async () => {
      await expectInvalidToken(await me(`Bearer ${sign({ ...good(), aud: 'other-api' })}`), 'token.audience');
    });

    it.each([
      ['JWT', { typ: 'JWT' }],
      ['no typ', { typ: undefined }],
      ['a refresh-token type', { typ: 'rt+jwt' }],
    ])('rejects the wrong typ (%s)', async (_name, header) => {
      await expectInvalidToken(await me(`Bearer ${sign(good(), SECRET, header)}`), 'token.typ');
    });

    it('accepts typ application/at+jwt in any case (RFC 9068 §4)', async () => {
      expect((await me(`Bearer ${sign(good(), SECRET, { typ: 'Application/AT+JWT' })}`)).status).toBe(200);
    });

    it('rejects a token with a crit header', async () => {
      await expectInvalidToken(await me(`Bearer ${sign(good(), SECRET, { crit: ['exp'] })}`), 'token.crit');
    });

    it('rejects a token with a kid we do not hold, without looking anywhere else', async () => {
      const token = sign(good(), SECRET, { kid: '../../etc/passwd', jku: 'http://127.0.0.1:9/jwks.json' });
      await expectInvalidToken(await me(`Bearer ${token}`), 'token.kid_unknown');
    });

    it('rejects a payload that is not a JSON object', async () => {
      const reason = 'token.malformed';
      await expectInvalidToken(await me(`Bearer ${sign('"just a string"')}`), reason);
      await expectInvalidToken(await me(`Bearer ${sign([good()])}`), reason);
      await expectInvalidToken(await me(`Bearer ${sign('not json')}`), reason);
      await expectInvalidToken(await me(`Bearer ${sign('42')}`), reason);
    });

    it('rejects a numeric sub', async () => {
      await expectInvalidToken(await me(`Bearer ${sign({ ...good(), sub: 42 })}`), 'token.claim_missing');
    });

    it('rejects a header that is not JSON', async () => {
      await expectInvalidToken(await me(`Bearer ${b64('nope')}.${b64(good())}.abc`), 'token.malformed');
    });

    it('rejects a token with four segments', async () => {
      await expectInvalidToken(await me(`Bearer ${f.tokenFor()}.abc`), 'token.malformed');
    });
  });

  it('rejects the token of a deleted user', async () => {
    const token = f.tokenFor();
    await f.users.delete(f.alice.id);
    await expectInvalidToken(await me(`Bearer ${token}`), 'user.not_found');
  });

  it('rejects the token of a disabled user', async () => {
    const token = f.tokenFor();
    await f.users.update(f.alice.id, { disabled: true });
    await expectInvalidToken(await me(`Bearer ${token}`), 'user.disabled');
  });

  it('answers 500 through next(err) when the store fails, never 401', async () => {
    const failing = new MemoryUserStore();
    const broken = await setup({}, failing);
    const token = broken.tokenFor();
    failing.findById = () => Promise.reject(new Error('database is down'));
    const res = await request(broken.app).get('/users/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(500);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(broken.appErrors).toEqual([expect.objectContaining({ message: 'database is down' })]);
  });

  it("passes a failure in the app's own handler to the app's error handler", async () => {
    const res = await request(f.app).get('/boom').set('Authorization', `Bearer ${f.tokenFor()}`);
    expect(res.status).toBe(500);
    expect(f.appErrors).toEqual([expect.objectContaining({ message: 'the app failed' })]);
  });

  it("passes a failure in the app's own handler to the app's error handler when the check answered from memory", async () => {
    const token = f.tokenFor();
    // The first request reads the store and fills the caches; the second is answered synchronously.
    expect((await me(`Bearer ${token}`)).status).toBe(200);
    const res = await request(f.app).get('/boom').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(500);
    expect(f.appErrors).toEqual([expect.objectContaining({ message: 'the app failed' })]);

    const app = express();
    app.get('/later', f.auth.authenticate(), async () => {
      throw new Error('the app failed later');
    });
    const errors: unknown[] = [];
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      errors.push(err);
      res.status(500).json({ error: 'server_error' });
    });
    expect((await request(app).get('/later').set('Authorization', `Bearer ${token}`)).status).toBe(500);
    expect(errors).toEqual([expect.objectContaining({ message: 'the app failed later' })]);
  });

  it('admits a request whose token and session it already knows at once, without a promise', async () => {
    const token = f.tokenFor();
    const guard = f.auth.authenticate();
    const call = () => {
      const req = { method: 'GET', url: '/users/me', headers: { authorization: `Bearer ${token}` }, rawHeaders: ['Authorization', `Bearer ${token}`] } as unknown as express.Request;
      const next = jest.fn();
      const returned = guard(req, {} as express.Response, next);
      return { req, next, returned };
    };
    const first = call();
    await first.returned;
    expect(first.next).toHaveBeenCalledWith();
    const second = call();
    // next() already ran when the middleware returned, and it returned no promise.
    expect(second.returned).toBeUndefined();
    expect(second.next).toHaveBeenCalledWith();
    expect(second.req.user).toMatchObject({ id: f.alice.id, username: 'alice' });
    expect(second.req.auth?.claims.sub).toBe(f.alice.id);
  });

  it('never puts the token into the failure report', async () => {
    const token = sign({ ...claims(f.alice.id, f.clock.seconds()), aud: 'other' });
    await me(`Bearer ${token}`);
    expect(JSON.stringify({ reason: f.failures[0].reason, error: f.failures[0].error.toJSON(), headers: f.failures[0].error.headers })).not.toContain(token);
  });
});

describe('authenticate() and a token in a form body (RFC 6750 §2.2)', () => {
  /** A fixture whose app parses form and JSON bodies before the guard, as an app with a form would. */
  async function withBodyRoutes(allowBodyToken: boolean) {
    const f = await setup({ allowBodyToken });
    const guarded = [express.urlencoded({ extended: false }), express.json(), f.auth.authenticate()];
    const handler = (req: express.Request, res: express.Response) => {
      res.json({ user: req.user?.username });
    };
    f.app.post('/notes', ...guarded, handler);
    f.app.get('/notes', ...guarded, handler);
    return f;
  }
  const form = (token: string) => `title=hello&access_token=${encodeURIComponent(token)}`;

  it('ignores a body token without allowBodyToken: a request with nothing else has no credentials', async () => {
    const f = await withBodyRoutes(false);
    const res = await request(f.app).post('/notes').type('form').send(form(f.tokenFor()));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(CHALLENGE);
    expect(f.failures.map((event) => event.reason)).toEqual(['credentials.missing']);
  });

  it('accepts a token in a form-encoded POST body with allowBodyToken', async () => {
    const f = await withBodyRoutes(true);
    const res = await request(f.app).post('/notes').type('form').send(form(f.tokenFor()));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: 'alice' });
  });

  it('never reads a body token on GET, even with allowBodyToken', async () => {
    const f = await withBodyRoutes(true);
    const res = await request(f.app).get('/notes').type('form').send(form(f.tokenFor()));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(CHALLENGE);
  });

  it('reads no token from a JSON body, only from a form-encoded one', async () => {
    const f = await withBodyRoutes(true);
    const res = await request(f.app).post('/notes').send({ access_token: f.tokenFor() });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(CHALLENGE);
  });

  it('refuses a token in both the body and the Authorization header as invalid_request (RFC 6750 §2)', async () => {
    const f = await withBodyRoutes(true);
    const token = f.tokenFor();
    const res = await request(f.app).post('/notes').set('Authorization', `Bearer ${token}`).type('form').send(form(token));
    expectBearerError(res, 400, 'invalid_request');
    expect(res.body.error_description).toBe('Access token sent more than once');
  });

  it('refuses an access_token field given twice in the body as invalid_request', async () => {
    const f = await withBodyRoutes(true);
    const token = f.tokenFor();
    const res = await request(f.app).post('/notes').type('form').send(`access_token=${token}&access_token=${token}`);
    expectBearerError(res, 400, 'invalid_request');
  });
});

describe('authenticate() with a user store whose records lack tokenEpoch', () => {
  it('refuses the token (fails closed), so that sign-out everywhere cannot silently do nothing', async () => {
    const f = await setup({}, new EpochlessUserStore());
    const record = (await f.users.findById(f.alice.id))!;
    expect(record.tokenEpoch).toBeUndefined();
    // Issued from that record, the token has no epoch claim either: undefined === undefined would admit it.
    const token = f.tokenFor(record);
    expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())).not.toHaveProperty('epoch');
    const res = await request(f.app).get('/users/me').set('Authorization', `Bearer ${token}`);
    expectBearerError(res, 401, 'invalid_token');
    expect(f.failures.map((event) => event.reason)).toEqual(['session.ended']);
  });
});

/** Sends raw request lines (for what HTTP clients will not send, like two Authorization headers). */
async function rawRequest(f: Fixture, lines: string[]): Promise<{ status: number; headers: Record<string, string>; body: any }> {
  const server = f.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  try {
    const text = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end(lines.join('\r\n') + '\r\nConnection: close\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    const [head, body] = text.split('\r\n\r\n');
    const [statusLine, ...headerLines] = head.split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
    }
    return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) };
  } finally {
    server.close();
  }
}

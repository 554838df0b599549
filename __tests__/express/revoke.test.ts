import request from 'supertest';
import { expectBearerError, expectMethodNotAllowed, expectOAuthError, NOT_POST, PASSWORD, requestWith, setup, sign, claims, type Fixture } from '../helpers';
import { resolvedAuthOf } from '../../lib/config/handles';
import { generateKey } from '../../lib/jose/keys';
import { highSTwin } from '../jose/key-helpers';

describe('revoke() (RFC 7009)', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setup();
  });

  const login = async () =>
    (await request(f.app).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password: PASSWORD })).body as {
      access_token: string;
      refresh_token: string;
    };
  const revoke = (fields: Record<string, string>) => request(f.app).post('/revoke').type('form').send(fields);
  const refresh = (token: string) => request(f.app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: token });
  const me = (token: string) => request(f.app).get('/users/me').set('Authorization', `Bearer ${token}`);

  /**
   * RFC 7009 §2.2: 200 whatever the token was. The body is an empty JSON object, not an empty body:
   * clients ignore it, but some (simple-oauth2's revokeAll) refuse a body that is not JSON.
   */
  function expectOk(res: request.Response) {
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json\b/);
    expect(res.text).toBe('{}');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.pragma).toBe('no-cache');
  }

  it('revokes a refresh token and its whole family', async () => {
    const first = await login();
    const second = (await refresh(first.refresh_token)).body;
    expectOk(await revoke({ token: second.refresh_token, token_type_hint: 'refresh_token' }));
    expectOAuthError(await refresh(second.refresh_token), 400, 'invalid_grant');
  });

  it('denies a revoked access token until its own expiry', async () => {
    const { access_token } = await login();
    expect((await me(access_token)).status).toBe(200);
    expectOk(await revoke({ token: access_token, token_type_hint: 'access_token' }));
    const res = await me(access_token);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_token');
    expect(f.failures.at(-1)?.reason).toBe('token.revoked');
  });

  it('refuses the high-S twin of an ES256 token, before and after revocation: one token, one spelling', async () => {
    f = await setup({ secret: undefined, keys: { active: generateKey('ES256') } });
    const { access_token } = await login();
    const twin = highSTwin(access_token);
    expectBearerError(await me(twin), 401, 'invalid_token');
    expect(f.failures.at(-1)?.reason).toBe('token.signature');
    expect((await me(access_token)).status).toBe(200);
    // A revocation sent with the twin revokes nothing (it is not a token we issued); the original stays valid.
    expectOk(await revoke({ token: twin }));
    expect((await me(access_token)).status).toBe(200);
    expectOk(await revoke({ token: access_token }));
    expectBearerError(await me(access_token), 401, 'invalid_token');
    expect(f.failures.at(-1)?.reason).toBe('token.revoked');
  });

  it('keeps denying a revoked access token through the clock tolerance after its expiry', async () => {
    const { access_token } = await login();
    f.clock.advance(15 * 60 + 10); // expired, but within the 30 s tolerance
    expect((await me(access_token)).status).toBe(200);
    expectOk(await revoke({ token: access_token }));
    expect((await me(access_token)).status).toBe(401);
  });

  it('finds the token even with a wrong hint', async () => {
    const { access_token, refresh_token } = await login();
    expectOk(await revoke({ token: access_token, token_type_hint: 'refresh_token' }));
    expectOk(await revoke({ token: refresh_token, token_type_hint: 'access_token' }));
    expect((await me(access_token)).status).toBe(401);
    expect((await refresh(refresh_token)).status).toBe(400);
  });

  it('answers 200 for an unknown, forged or already revoked token, revealing nothing', async () => {
    expectOk(await revoke({ token: 'no-such-token' }));
    expectOk(await revoke({ token: sign({ ...claims(f.alice.id, f.clock.seconds()) }, 'another-secret-that-is-32-bytes-long!!') }));
    const { refresh_token } = await login();
    expectOk(await revoke({ token: refresh_token }));
    expectOk(await revoke({ token: refresh_token }));
  });

  it('does not let a forged access token put a jti on the denylist', async () => {
    const { access_token } = await login();
    const jti = JSON.parse(Buffer.from(access_token.split('.')[1], 'base64url').toString()).jti;
    const forged = sign({ ...claims(f.alice.id, f.clock.seconds()), jti }, 'another-secret-that-is-32-bytes-long!!');
    expectOk(await revoke({ token: forged }));
    expect((await me(access_token)).status).toBe(200);
  });

  it.each(NOT_POST)('answers %s with 405 and Allow: POST where the README mounts it (RFC 7009 §2.1)', async (method) => {
    expectMethodNotAllowed(await requestWith(f.app, method, '/revoke'), method);
    expect(f.failures.map((event) => event.reason)).toEqual(['request.method']);
  });

  it('refuses a request without a token as invalid_request', async () => {
    const res = await revoke({ token_type_hint: 'access_token' });
    expectOAuthError(res, 400, 'invalid_request');
  });

  it('refuses a token in the query string', async () => {
    const { refresh_token } = await login();
    const res = await request(f.app).post(`/revoke?token=${refresh_token}`).type('form').send('');
    expectOAuthError(res, 400, 'invalid_request');
    expect((await refresh(refresh_token)).status).toBe(200);
  });

  it('answers 500 through next(err) when the denylist fails', async () => {
    const { access_token } = await login();
    resolvedAuthOf(f.auth).denylist.add = () => Promise.reject(new Error('denylist down'));
    const res = await revoke({ token: access_token });
    expect(res.status).toBe(500);
    expect(f.appErrors).toEqual([expect.objectContaining({ message: 'denylist down' })]);
  });
});

import net from 'node:net';
import express, { type Express } from 'express';
import { Passport } from 'passport';
import request from 'supertest';
import { createAuth, type Auth } from '../../lib/create-auth';
import type { AuthOptions } from '../../lib/config/auth-options';
import type { FailureEvent } from '../../lib/config/hooks';
import { MemoryDpopReplayStore } from '../../lib/stores/memory/dpop-replay';
import { MemoryRefreshTokenStore } from '../../lib/stores/memory/refresh-tokens';
import { MemoryUserStore } from '../../lib/stores/memory/users';
import { ath, clientKey, makeProof, payloadOf, type ClientKey, type ProofClaims, type ProofOptions } from '../dpop-helpers';
import { AUDIENCE, ISSUER, PASSWORD, SECRET, passwordHash, setup, testClock } from '../helpers';

/**
 * DPoP (RFC 9449) as a client sees it: the token endpoint binds tokens to the
 * proof's key (§5), protected routes want `Authorization: DPoP` with a fresh
 * proof (§7), and every refusal has its status, challenge and error code.
 */

const HOST = 'api.example';
const url = (path: string) => `http://${HOST}${path}`;
const ALGS = 'algs="RS256 PS256 ES256 EdDSA Ed25519"';
/** RFC 9449 §7.1: an error of the DPoP scheme, beside the bare Bearer challenge when both are accepted. */
const dpopError = (error: string, description: string, bearer = true) =>
  `DPoP realm="api", error="${error}", error_description="${description}", ${ALGS}${bearer ? ', Bearer realm="api"' : ''}`;
const BARE_BOTH = `Bearer realm="api", DPoP realm="api", ${ALGS}`;

let alice: ClientKey;
let mallory: ClientKey;
beforeAll(() => {
  alice = clientKey('ES256');
  mallory = clientKey('ES256');
});

/** A fixture with `dpop` on, and helpers speaking to it as `HOST`. */
async function dpopSetup(overrides: Partial<AuthOptions> = {}) {
  const f = await setup({ dpop: 'allowed', ...overrides });
  const proof = (key: ClientKey, claims: Partial<ProofClaims> & Pick<ProofClaims, 'htm' | 'htu'>, options?: ProofOptions) =>
    makeProof(key, { iat: f.clock.seconds(), ...claims }, options);
  const tokenRequest = (params: Record<string, string>, dpop?: string | string[]) => {
    const req = request(f.app).post('/token').set('Host', HOST).type('form');
    // An array sends one DPoP header line per proof.
    return (dpop === undefined ? req : req.set('DPoP', dpop as string)).send(new URLSearchParams(params).toString());
  };
  const login = (key?: ClientKey, extra: Partial<ProofClaims> = {}) =>
    tokenRequest(
      { grant_type: 'password', username: 'alice', password: PASSWORD },
      key && proof(key, { htm: 'POST', htu: url('/token'), ...extra }),
    );
  const refresh = (refreshToken: string, key?: ClientKey) =>
    tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }, key && proof(key, { htm: 'POST', htu: url('/token') }));
  /** GET `path` with `Authorization: <scheme> <token>` and, if given, the DPoP header. */
  const get = (path: string, authorization?: string, dpop?: string | string[]) => {
    let req = request(f.app).get(path).set('Host', HOST);
    if (authorization !== undefined) req = req.set('Authorization', authorization);
    return dpop === undefined ? req : req.set('DPoP', dpop as string);
  };
  /** GET /users/me with a DPoP-bound token and a valid proof for it (claims may be altered). */
  const me = (token: string, key: ClientKey, claims: Partial<ProofClaims> = {}, options?: ProofOptions) =>
    get('/users/me', `DPoP ${token}`, proof(key, { htm: 'GET', htu: url('/users/me'), ath: ath(token), ...claims }, options));
  async function boundTokens(key: ClientKey = alice): Promise<{ access_token: string; refresh_token: string }> {
    const res = await login(key);
    expect(res.status).toBe(200);
    return res.body;
  }
  const lastReason = () => f.failures.at(-1)?.reason;
  return { ...f, proof, tokenRequest, login, refresh, get, me, boundTokens, lastReason };
}

/** A 401 of the DPoP scheme with its error code, as a client sees it. */
function expectDpop401(res: request.Response, error: string, description: string, bearer = true) {
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toBe(dpopError(error, description, bearer));
  expect(res.body).toEqual({ error, error_description: description });
}

describe('the token endpoint with DPoP (RFC 9449 §5)', () => {
  it('answers a password grant with a DPoP proof with token_type DPoP and an access token bound by cnf.jkt', async () => {
    const f = await dpopSetup();
    const res = await f.login(alice);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'DPoP', expires_in: 900, refresh_token: expect.any(String), scope: 'read admin' });
    // RFC 9449 §6.1: the RFC 7638 thumbprint of the proof's key, computed here independently.
    expect(payloadOf(res.body.access_token).cnf).toEqual({ jkt: alice.jkt });
  });

  it('binds to keys of every accepted algorithm', async () => {
    const f = await dpopSetup();
    for (const alg of ['EdDSA', 'RS256', 'PS256'] as const) {
      const key = clientKey(alg);
      const res = await f.login(key);
      expect(res.status).toBe(200);
      expect(payloadOf(res.body.access_token).cnf).toEqual({ jkt: key.jkt });
      expect((await f.me(res.body.access_token, key)).status).toBe(200);
    }
  });

  it('takes alg Ed25519, the fully-specified name of EdDSA over Ed25519 (RFC 9864 §2.2), as oauth4webapi sends it', async () => {
    const f = await dpopSetup();
    const key = clientKey('EdDSA');
    const res = await f.tokenRequest(
      { grant_type: 'password', username: 'alice', password: PASSWORD },
      f.proof(key, { htm: 'POST', htu: url('/token') }, { header: { alg: 'Ed25519' } }),
    );
    expect(res.status).toBe(200);
    expect(payloadOf(res.body.access_token).cnf).toEqual({ jkt: key.jkt });
    // Ed25519 names one curve: a P-256 key under it is refused.
    const wrong = await f.tokenRequest({ grant_type: 'password', username: 'alice', password: PASSWORD }, f.proof(alice, { htm: 'POST', htu: url('/token') }, { header: { alg: 'Ed25519' } }));
    expect(wrong.body).toEqual({ error: 'invalid_dpop_proof', error_description: 'The DPoP proof jwk does not fit its alg' });
  });

  it('still issues Bearer tokens without a DPoP header when DPoP is allowed', async () => {
    const f = await dpopSetup();
    const res = await f.login();
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe('Bearer');
    expect(payloadOf(res.body.access_token).cnf).toBeUndefined();
  });

  it('ignores the DPoP header and issues Bearer tokens when dpop is off', async () => {
    const f = await dpopSetup({ dpop: 'off' });
    const res = await f.login(alice);
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe('Bearer');
    expect(payloadOf(res.body.access_token).cnf).toBeUndefined();
  });

  it('refuses a token request without a proof when dpop is required (400 invalid_dpop_proof)', async () => {
    const f = await dpopSetup({ dpop: 'required' });
    const res = await f.login();
    expect(res.status).toBe(400);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.body).toEqual({ error: 'invalid_dpop_proof', error_description: 'A DPoP proof is required' });
    expect(f.lastReason()).toBe('dpop.required');
  });

  it.each<[string, (f: Awaited<ReturnType<typeof dpopSetup>>) => string | string[], string]>([
    ['a proof for another URL', (f) => f.proof(alice, { htm: 'POST', htu: url('/revoke') }), 'The DPoP proof htu does not match the request URL'],
    ['a proof for another method', (f) => f.proof(alice, { htm: 'GET', htu: url('/token') }), 'The DPoP proof htm does not match the request method'],
    ['a proof signed with a key other than its jwk', (f) => f.proof(alice, { htm: 'POST', htu: url('/token') }, { signWith: mallory.privateKey }), 'The DPoP proof signature does not verify with its jwk'],
    ['two DPoP headers', (f) => [f.proof(alice, { htm: 'POST', htu: url('/token') }), f.proof(alice, { htm: 'POST', htu: url('/token') })], 'Send exactly one DPoP header'],
  ])('refuses %s with 400 invalid_dpop_proof and no-store, before checking the password', async (_name, make, description) => {
    const f = await dpopSetup();
    const res = await f.tokenRequest({ grant_type: 'password', username: 'alice', password: 'wrong password' }, make(f));
    expect(res.status).toBe(400);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ error: 'invalid_dpop_proof', error_description: description });
    expect(f.lastReason()).toBe('dpop.invalid_proof');
  });

  it('refuses a proof replayed at the token endpoint', async () => {
    const f = await dpopSetup();
    const dpop = f.proof(alice, { htm: 'POST', htu: url('/token') });
    const params = { grant_type: 'password', username: 'alice', password: PASSWORD };
    expect((await f.tokenRequest(params, dpop)).status).toBe(200);
    const res = await f.tokenRequest(params, dpop);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_dpop_proof', error_description: 'The DPoP proof was already used' });
    expect(f.lastReason()).toBe('dpop.replayed');
  });

  describe('refresh tokens of a public client, bound to the same key (§5)', () => {
    it('refreshes with a proof of the same key: a new DPoP-bound access token and refresh token', async () => {
      const f = await dpopSetup();
      const first = await f.boundTokens();
      const res = await f.refresh(first.refresh_token, alice);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ token_type: 'DPoP', refresh_token: expect.any(String) });
      expect(res.body.refresh_token).not.toBe(first.refresh_token);
      expect(payloadOf(res.body.access_token).cnf).toEqual({ jkt: alice.jkt });
      // The rotated refresh token is still bound.
      expect((await f.refresh(res.body.refresh_token)).status).toBe(400);
    });

    it('refuses a refresh with a proof of another key with invalid_grant, and leaves the token to its owner', async () => {
      const f = await dpopSetup();
      const first = await f.boundTokens();
      const res = await f.refresh(first.refresh_token, mallory);
      expect(res.status).toBe(400);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'The refresh token is invalid, expired or revoked' });
      expect(f.lastReason()).toBe('dpop.key_mismatch');
      // Neither rotated nor revoked: a thief without the key cannot spend it.
      expect((await f.refresh(first.refresh_token, alice)).status).toBe(200);
    });

    it('refuses a refresh of a bound token without a proof with invalid_grant', async () => {
      const f = await dpopSetup();
      const first = await f.boundTokens();
      const res = await f.refresh(first.refresh_token);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_grant');
      expect(f.lastReason()).toBe('dpop.required');
      expect((await f.refresh(first.refresh_token, alice)).status).toBe(200);
    });

    it('revokes a bound refresh or access token only with a proof of its key: a thief without it cannot log the owner out', async () => {
      const f = await dpopSetup();
      const first = await f.boundTokens();
      const revoke = (token: string, key?: ClientKey) => {
        const req = request(f.app).post('/revoke').set('Host', HOST).type('form');
        return (key ? req.set('DPoP', f.proof(key, { htm: 'POST', htu: url('/revoke') })) : req).send({ token });
      };
      for (const token of [first.refresh_token, first.access_token]) {
        const without = await revoke(token);
        expect(without.status).toBe(400);
        expect(without.headers['cache-control']).toBe('no-store');
        expect(without.body.error).toBe('invalid_dpop_proof');
        expect(f.lastReason()).toBe('dpop.required');
        const other = await revoke(token, mallory);
        expect(other.status).toBe(400);
        expect(f.lastReason()).toBe('dpop.key_mismatch');
      }
      // Neither was revoked: the owner still refreshes and still reaches the API.
      expect((await f.me(first.access_token, alice)).status).toBe(200);
      const refreshed = await f.refresh(first.refresh_token, alice);
      expect(refreshed.status).toBe(200);
      // The owner, with a proof of the key, revokes.
      expect((await revoke(refreshed.body.refresh_token, alice)).status).toBe(200);
      expect((await f.refresh(refreshed.body.refresh_token, alice)).status).toBe(400);
      expect((await revoke(refreshed.body.access_token, alice)).status).toBe(200);
      expect((await f.me(refreshed.body.access_token, alice)).status).toBe(401);
    });

    it('ends a bound family through the refresh cookie (cookie mode) only with a proof of its key', async () => {
      const f = await dpopSetup({ cookies: { jsonClients: true } });
      const first = await f.boundTokens();
      // A JSON client's bound refresh token, sent as if it were a page's cookie, with the page's CSRF headers.
      const page = { Host: HOST, Origin: `http://${HOST}`, 'X-Requested-With': 'fetch', Cookie: `refresh_token=${first.refresh_token}` };
      const without = await request(f.app).post('/revoke').set(page).type('form').send({});
      expect(without.status).toBe(400);
      expect(without.body.error).toBe('invalid_dpop_proof');
      expect(f.lastReason()).toBe('dpop.required');
      expect((await f.refresh(first.refresh_token, alice)).status).toBe(200);
    });

    it('keeps the binding when dpop is switched off later: a bound refresh token is refused, not downgraded', async () => {
      const users = new MemoryUserStore();
      const refreshTokenStore = new MemoryRefreshTokenStore();
      const on = await setup({ dpop: 'allowed', refreshTokenStore }, users);
      const login = await request(on.app).post('/token').set('Host', HOST).set('DPoP', makeProof(alice, { htm: 'POST', htu: url('/token'), iat: on.clock.seconds() }))
        .type('form').send({ grant_type: 'password', username: 'alice', password: PASSWORD });
      expect(login.body.token_type).toBe('DPoP');
      const off = createAuth({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE, users, refreshTokenStore, now: on.clock.now, dpop: 'off' });
      const app = express().post('/token', off.token());
      const res = await request(app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: login.body.refresh_token });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_grant');
    });

    it('issues a DPoP-bound access token when the refresh token of a Bearer login comes with a proof', async () => {
      const f = await dpopSetup();
      const bearer = await f.login();
      const res = await f.refresh(bearer.body.refresh_token, alice);
      expect(res.status).toBe(200);
      expect(res.body.token_type).toBe('DPoP');
      expect(payloadOf(res.body.access_token).cnf).toEqual({ jkt: alice.jkt });
    });
  });
});

describe('protected routes with DPoP (RFC 9449 §7)', () => {
  let f: Awaited<ReturnType<typeof dpopSetup>>;
  let token: string;
  beforeEach(async () => {
    f = await dpopSetup();
    token = (await f.boundTokens()).access_token;
  });

  it('admits Authorization: DPoP with a proof whose ath is the token hash and whose key is cnf.jkt', async () => {
    const res = await f.me(token, alice);
    expect(res.status).toBe(200);
    expect(res.body.username).toBe('alice');
  });

  it('accepts the scheme name in any case', async () => {
    const res = await f.get('/users/me', `dpop ${token}`, f.proof(alice, { htm: 'GET', htu: url('/users/me'), ath: ath(token) }));
    expect(res.status).toBe(200);
  });

  it('challenges a request without credentials with both schemes (§7.1), no error code', async () => {
    const res = await f.get('/users/me');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(BARE_BOTH);
    expect(res.body.error).toBeUndefined();
  });

  it('admits a proof whose htu differs only by case, default port, query and fragment (RFC 3986 §6.2.2–6.2.3)', async () => {
    const res = await f.me(token, alice, { htu: `HTTP://API.Example:80/users/%6De?x=1#frag` });
    expect(res.status).toBe(200);
  });

  it('refuses a replayed proof (§11.1)', async () => {
    const dpop = f.proof(alice, { htm: 'GET', htu: url('/users/me'), ath: ath(token) });
    expect((await f.get('/users/me', `DPoP ${token}`, dpop)).status).toBe(200);
    expectDpop401(await f.get('/users/me', `DPoP ${token}`, dpop), 'invalid_dpop_proof', 'The DPoP proof was already used');
    expect(f.lastReason()).toBe('dpop.replayed');
  });

  it('refuses a proof for another method', async () => {
    expectDpop401(await f.me(token, alice, { htm: 'POST' }), 'invalid_dpop_proof', 'The DPoP proof htm does not match the request method');
    expect(f.lastReason()).toBe('dpop.invalid_proof');
  });

  it.each([
    ['another path', url('/admin')],
    ['another host', 'http://other.example/users/me'],
    ['another scheme', `https://${HOST}/users/me`],
    ['another port', `http://${HOST}:8080/users/me`],
    ['not a URL', 'users/me'],
  ])('refuses a proof for %s', async (_name, htu) => {
    expectDpop401(await f.me(token, alice, { htu }), 'invalid_dpop_proof', 'The DPoP proof htu does not match the request URL');
  });

  it('refuses a proof whose iat is older than dpopMaxAge (default 60 s)', async () => {
    const dpop = f.proof(alice, { htm: 'GET', htu: url('/users/me'), ath: ath(token) });
    f.clock.advance(61);
    expectDpop401(await f.get('/users/me', `DPoP ${token}`, dpop), 'invalid_dpop_proof', 'The DPoP proof is too old');
    expect(f.lastReason()).toBe('dpop.invalid_proof');
  });

  it('admits a proof 60 s old, and one from a clock up to clockTolerance ahead', async () => {
    expect((await f.me(token, alice, { iat: f.clock.seconds() - 60 })).status).toBe(200);
    expect((await f.me(token, alice, { iat: f.clock.seconds() + 30 })).status).toBe(200);
  });

  it('refuses a proof from the future, past clockTolerance', async () => {
    expectDpop401(await f.me(token, alice, { iat: f.clock.seconds() + 31 }), 'invalid_dpop_proof', 'The DPoP proof iat is in the future');
  });

  it('refuses a wrong ath', async () => {
    const other = (await f.boundTokens()).access_token;
    expectDpop401(await f.me(token, alice, { ath: ath(other) }), 'invalid_dpop_proof', 'The DPoP proof ath does not match the access token');
  });

  it('refuses a proof without ath at a protected route', async () => {
    expectDpop401(await f.me(token, alice, { ath: undefined }), 'invalid_dpop_proof', 'The DPoP proof lacks the ath claim');
  });

  it('refuses a proof signed with a key other than its jwk', async () => {
    expectDpop401(await f.me(token, alice, {}, { signWith: mallory.privateKey }), 'invalid_dpop_proof', 'The DPoP proof signature does not verify with its jwk');
  });

  it('refuses a jwk with its private key', async () => {
    const full = alice.privateKey.export({ format: 'jwk' });
    expectDpop401(await f.me(token, alice, {}, { header: { jwk: full } }), 'invalid_dpop_proof', 'The DPoP proof jwk must not contain a private key');
  });

  it.each([
    ['an HMAC alg keyed with the public jwk', { header: { alg: 'HS256' }, signAlg: 'HS256' as const, signWith: Buffer.from('k'.repeat(32)) }],
    ['alg none', { header: { alg: 'none' } }],
    ['an alg that is not the key\'s', { header: { alg: 'EdDSA' } }],
  ])('refuses %s', async (_name, options) => {
    const res = await f.me(token, alice, {}, options);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_dpop_proof');
    expect(res.headers['www-authenticate']).toMatch(/^DPoP realm="api", error="invalid_dpop_proof"/);
  });

  it('refuses an HMAC alg with a symmetric jwk (kty oct)', async () => {
    const secret = Buffer.from('s'.repeat(32));
    const res = await f.me(token, alice, {}, { header: { alg: 'HS256', jwk: { kty: 'oct', k: secret.toString('base64url') } }, signAlg: 'HS256', signWith: secret });
    expectDpop401(res, 'invalid_dpop_proof', 'The DPoP proof alg must be one of RS256, PS256, ES256, EdDSA, Ed25519');
  });

  it.each([
    ['typ JWT', { header: { typ: 'JWT' } }, 'The DPoP proof typ must be dpop+jwt'],
    ['no jwk', { header: { jwk: undefined } }, 'The DPoP proof jwk must be a public key'],
    ['a crit header', { header: { crit: ['exp'] } }, 'The DPoP proof has a crit header'],
  ])('refuses %s', async (_name, options, description) => {
    expectDpop401(await f.me(token, alice, {}, options), 'invalid_dpop_proof', description);
  });

  it.each(['jti', 'htm', 'htu', 'iat'])('refuses a proof without %s', async (claim) => {
    const res = await f.me(token, alice, { [claim]: undefined });
    expectDpop401(res, 'invalid_dpop_proof', `The DPoP proof lacks the ${claim} claim`);
  });

  it('refuses two DPoP headers', async () => {
    const one = () => f.proof(alice, { htm: 'GET', htu: url('/users/me'), ath: ath(token) });
    expectDpop401(await f.get('/users/me', `DPoP ${token}`, [one(), one()]), 'invalid_dpop_proof', 'Send exactly one DPoP header');
  });

  it('refuses a DPoP header that is not a JWT', async () => {
    expectDpop401(await f.get('/users/me', `DPoP ${token}`, 'not-a-jwt'), 'invalid_dpop_proof', 'The DPoP proof is not a well-formed JWT');
  });

  it('refuses the DPoP scheme without a proof', async () => {
    expectDpop401(await f.get('/users/me', `DPoP ${token}`), 'invalid_dpop_proof', 'A DPoP proof is required with the DPoP scheme');
  });

  it('refuses a DPoP-bound token sent as Bearer (§7.2), with the error on the Bearer challenge', async () => {
    const res = await f.get('/users/me', `Bearer ${token}`);
    expect(res.status).toBe(401);
    const description = 'The access token is DPoP-bound: send it with the DPoP scheme and a proof';
    expect(res.headers['www-authenticate']).toBe(`Bearer realm="api", error="invalid_token", error_description="${description}", DPoP realm="api", ${ALGS}`);
    expect(res.body).toEqual({ error: 'invalid_token', error_description: description });
    expect(f.lastReason()).toBe('token.dpop_bound');
  });

  it('refuses a DPoP-bound token sent as Bearer even with a proof beside it', async () => {
    const res = await f.get('/users/me', `Bearer ${token}`, f.proof(alice, { htm: 'GET', htu: url('/users/me'), ath: ath(token) }));
    expect(res.status).toBe(401);
    expect(f.lastReason()).toBe('token.dpop_bound');
  });

  it('refuses a proof by another key than the token is bound to (invalid_token, "Invalid DPoP key binding")', async () => {
    expectDpop401(await f.me(token, mallory), 'invalid_token', 'The access token is not bound to the DPoP proof key');
    expect(f.lastReason()).toBe('dpop.key_mismatch');
  });

  it('refuses a Bearer token (no cnf) sent with the DPoP scheme', async () => {
    const bearer = (await f.login()).body.access_token;
    expectDpop401(await f.me(bearer, alice), 'invalid_token', 'The access token is not bound to the DPoP proof key');
    expect(f.lastReason()).toBe('dpop.key_mismatch');
  });

  it('still admits an unbound Bearer token when DPoP is allowed', async () => {
    const bearer = (await f.login()).body.access_token;
    expect((await f.get('/users/me', `Bearer ${bearer}`)).status).toBe(200);
  });

  it('runs the DPoP check on requireScopes routes and the account routes too', async () => {
    expect((await f.get('/admin', `DPoP ${token}`, f.proof(alice, { htm: 'GET', htu: url('/admin'), ath: ath(token) }))).status).toBe(200);
    const patch = await request(f.app).patch('/users/me').set('Host', HOST).set('Authorization', `DPoP ${token}`)
      .set('DPoP', f.proof(alice, { htm: 'PATCH', htu: url('/users/me'), ath: ath(token) })).send({ email: 'a@example.org' });
    expect(patch.status).toBe(200);
    const forged = await request(f.app).patch('/users/me').set('Host', HOST).set('Authorization', `Bearer ${token}`).send({ email: 'b@example.org' });
    expect(forged.status).toBe(401);
  });

  it('puts insufficient_scope on the DPoP challenge for a DPoP request', async () => {
    const readOnly = await f.tokenRequest({ grant_type: 'password', username: 'alice', password: PASSWORD, scope: 'read' }, f.proof(alice, { htm: 'POST', htu: url('/token') }));
    expect(readOnly.status).toBe(200);
    const limited = readOnly.body.access_token as string;
    const denied = await f.get('/admin', `DPoP ${limited}`, f.proof(alice, { htm: 'GET', htu: url('/admin'), ath: ath(limited) }));
    expect(denied.status).toBe(403);
    expect(denied.headers['www-authenticate']).toBe(
      `DPoP realm="api", error="insufficient_scope", error_description="The access token does not grant the required scope", scope="admin", ${ALGS}, Bearer realm="api"`,
    );
  });
});

describe('the dpop policy', () => {
  it('off: the DPoP scheme is one the route does not know (a bare Bearer challenge), and bound tokens are still refused as Bearer', async () => {
    const on = await dpopSetup();
    const token = (await on.boundTokens()).access_token;
    const off = await dpopSetup({ dpop: 'off' });
    const dpop = await off.me(token, alice);
    expect(dpop.status).toBe(401);
    expect(dpop.headers['www-authenticate']).toBe('Bearer realm="api"');
    const bearer = await off.get('/users/me', `Bearer ${token}`);
    expect(bearer.status).toBe(401);
    expect(bearer.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="invalid_token", error_description="The access token is DPoP-bound: send it with the DPoP scheme and a proof"',
    );
    expect(off.lastReason()).toBe('token.dpop_bound');
  });

  it('required: a Bearer token is refused with the DPoP challenge alone', async () => {
    const f = await dpopSetup({ dpop: 'required' });
    const bearer = f.tokenFor();
    const res = await f.get('/users/me', `Bearer ${bearer}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(`DPoP realm="api", error="invalid_token", error_description="This resource requires a DPoP-bound access token", ${ALGS}`);
    expect(f.lastReason()).toBe('dpop.required');
    const none = await f.get('/users/me');
    expect(none.headers['www-authenticate']).toBe(`DPoP realm="api", ${ALGS}`);
    const token = (await f.boundTokens()).access_token;
    expect((await f.me(token, alice)).status).toBe(200);
  });

  it('advertises only the configured dpopAlgorithms, and refuses the others', async () => {
    const f = await dpopSetup({ dpopAlgorithms: ['EdDSA'] });
    const res = await f.login(alice);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_dpop_proof', error_description: 'The DPoP proof alg must be one of EdDSA, Ed25519' });
    const none = await f.get('/users/me');
    expect(none.headers['www-authenticate']).toBe('Bearer realm="api", DPoP realm="api", algs="EdDSA Ed25519"');
  });

  it('honours dpopMaxAge', async () => {
    const f = await dpopSetup({ dpopMaxAge: 10 });
    const token = (await f.boundTokens()).access_token;
    expect((await f.me(token, alice, { iat: f.clock.seconds() - 10 })).status).toBe(200);
    expectDpop401(await f.me(token, alice, { iat: f.clock.seconds() - 11 }), 'invalid_dpop_proof', 'The DPoP proof is too old');
  });

  describe('per route', () => {
    async function routes(appPolicy: AuthOptions['dpop']) {
      const f = await dpopSetup({ dpop: appPolicy });
      const app = express();
      app.get('/strict', f.auth.authenticate({ dpop: 'required' }), (_req, res) => void res.json({ ok: true }));
      app.get('/strict-admin', f.auth.requireScopes('admin', { dpop: 'required' }), (_req, res) => void res.json({ ok: true }));
      app.get('/lenient', f.auth.authenticate({ dpop: 'off' }), (_req, res) => void res.json({ ok: true }));
      // authenticate() with the app's policy, then a stricter requireScopes: the earlier check must not satisfy it.
      app.get('/layered', f.auth.authenticate(), f.auth.requireScopes('admin', { dpop: 'required' }), (_req, res) => void res.json({ ok: true }));
      const get = (path: string, authorization: string, dpop?: string) => {
        const req = request(app).get(path).set('Host', HOST).set('Authorization', authorization);
        return dpop === undefined ? req : req.set('DPoP', dpop);
      };
      return { f, get };
    }

    it('authenticate({ dpop: "required" }) refuses Bearer on that route while the app allows it', async () => {
      const { f, get } = await routes('allowed');
      const res = await get('/strict', `Bearer ${f.tokenFor()}`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^DPoP realm="api", error="invalid_token"/);
      expect(res.headers['www-authenticate']).not.toContain('Bearer');
      const token = (await f.boundTokens()).access_token;
      expect((await get('/strict', `DPoP ${token}`, f.proof(alice, { htm: 'GET', htu: url('/strict'), ath: ath(token) }))).status).toBe(200);
    });

    it('requireScopes(…, { dpop: "required" }) does too', async () => {
      const { f, get } = await routes('allowed');
      expect((await get('/strict-admin', `Bearer ${f.tokenFor()}`)).status).toBe(401);
      const token = (await f.boundTokens()).access_token;
      expect((await get('/strict-admin', `DPoP ${token}`, f.proof(alice, { htm: 'GET', htu: url('/strict-admin'), ath: ath(token) }))).status).toBe(200);
    });

    it('a stricter requireScopes after authenticate() refuses what authenticate() admitted as Bearer', async () => {
      const { f, get } = await routes('allowed');
      const res = await get('/layered', `Bearer ${f.tokenFor()}`);
      expect(res.status).toBe(401);
      expect(f.lastReason()).toBe('dpop.required');
      const token = (await f.boundTokens()).access_token;
      // One proof, checked once: requireScopes trusts the DPoP check authenticate() made.
      expect((await get('/layered', `DPoP ${token}`, f.proof(alice, { htm: 'GET', htu: url('/layered'), ath: ath(token) }))).status).toBe(200);
    });

    it('admits a DPoP request through an app-wide guard and a route\'s own (Express or Passport), checking its proof once', async () => {
      const f = await dpopSetup({ dpop: 'allowed' });
      const pass = new Passport();
      pass.use(f.auth.jwtStrategy);
      const app = express();
      const api = express.Router();
      api.use(f.auth.authenticate());
      api.get('/strict', f.auth.authenticate({ dpop: 'required' }), (_req, res) => void res.json({ ok: true }));
      api.get('/passport', pass.authenticate('jwt', { session: false, dpop: 'required' } as never), (_req, res) => void res.json({ ok: true }));
      app.use(api);
      // Passport first, with assignProperty (req.user left unset), then a guard of the same instance.
      const assigned = express();
      assigned.get('/assigned', pass.authenticate('jwt', { session: false, assignProperty: 'account' }), f.auth.authenticate({ dpop: 'required' }), (req, res) => void res.json({ id: req.user?.id }));
      const token = (await f.boundTokens()).access_token;
      for (const path of ['/strict', '/passport', '/assigned']) {
        const res = await request(path === '/assigned' ? assigned : app).get(path).set('Host', HOST).set('Authorization', `DPoP ${token}`).set('DPoP', f.proof(alice, { htm: 'GET', htu: url(path), ath: ath(token) }));
        expect(res.status).toBe(200);
      }
      // The app-wide guard admitted Bearer; the route that requires DPoP still refuses it.
      const bearer = await request(app).get('/strict').set('Host', HOST).set('Authorization', `Bearer ${f.tokenFor()}`);
      expect(bearer.status).toBe(401);
      expect(f.lastReason()).toBe('dpop.required');
    });

    it('a route can switch DPoP off: the DPoP scheme gets a bare Bearer challenge there', async () => {
      const { f, get } = await routes('required');
      const token = (await f.boundTokens()).access_token;
      const res = await get('/lenient', `DPoP ${token}`, f.proof(alice, { htm: 'GET', htu: url('/lenient'), ath: ath(token) }));
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
      expect((await get('/lenient', `Bearer ${f.tokenFor()}`)).status).toBe(200);
    });

    it('refuses a bad route option at start-up with a TypeError naming it', async () => {
      const f = await dpopSetup();
      expect(() => f.auth.authenticate({ dpop: 'sometimes' as never })).toThrow(new TypeError('authenticate: dpop must be "off", "allowed" or "required"'));
      expect(() => f.auth.authenticate({ dpopp: 'required' } as never)).toThrow(/authenticate: dpopp is not an option \(did you mean dpop\?\)/);
      expect(() => f.auth.requireScopes('admin', { dpop: 'sometimes' as never })).toThrow(new TypeError('requireScopes: dpop must be "off", "allowed" or "required"'));
      expect(() => f.auth.requireScopes({ dpop: 'required' } as never)).toThrow(/requireScopes needs at least one scope/);
    });
  });
});

describe('DPoP behind a proxy: htu is the URL the client used (trust proxy)', () => {
  async function proxied(trust: boolean) {
    const f = await dpopSetup();
    const token = (await f.boundTokens()).access_token;
    const app = express();
    if (trust) app.set('trust proxy', true);
    app.get('/users/me', f.auth.authenticate(), (req, res) => void res.json(req.user));
    const get = (htu: string) =>
      request(app)
        .get('/users/me')
        .set('Host', 'backend:3000')
        .set('X-Forwarded-Proto', 'https')
        .set('X-Forwarded-Host', 'api.example.com')
        .set('Authorization', `DPoP ${token}`)
        .set('DPoP', f.proof(alice, { htm: 'GET', htu, ath: ath(token) }));
    return get;
  }

  it('with trust proxy, admits a proof for https://<X-Forwarded-Host>/… and refuses one for the backend URL', async () => {
    const get = await proxied(true);
    expect((await get('https://api.example.com/users/me')).status).toBe(200);
    expect((await get('http://backend:3000/users/me')).status).toBe(401);
  });

  it('without trust proxy, ignores the X-Forwarded headers', async () => {
    const get = await proxied(false);
    expect((await get('https://api.example.com/users/me')).status).toBe(401);
    expect((await get('http://backend:3000/users/me')).status).toBe(200);
  });
});

describe('DPoP with a Host that is not an authority', () => {
  // A Host (or X-Forwarded-Host) with its own path or query moved the real path behind it, so a
  // proof made for one path was accepted on another.
  async function twoRoutes(trust = false) {
    const f = await dpopSetup();
    const token = (await f.boundTokens()).access_token;
    const app = express();
    if (trust) app.set('trust proxy', true);
    app.get(['/users/me', '/admin'], f.auth.authenticate(), (req, res) => void res.json(req.user));
    const get = (path: string, htu: string, headers: Record<string, string>) =>
      request(app).get(path).set(headers).set('Authorization', `DPoP ${token}`).set('DPoP', f.proof(alice, { htm: 'GET', htu, ath: ath(token) }));
    return { f, get };
  }

  it.each([
    ['a path', '/users/me', 'api.example/admin', 'http://api.example/admin/users/me'],
    ['a query mark', '/admin', 'api.example/users/me?', 'http://api.example/users/me'],
    ['a fragment mark', '/admin', 'api.example/users/me#', 'http://api.example/users/me'],
    ['userinfo', '/users/me', 'user@api.example', 'http://user@api.example/users/me'],
    ['a backslash', '/admin', 'api.example\\users\\me?', 'http://api.example/users/me'],
  ])('refuses a proof when the Host carries %s', async (_what, path, host, htu) => {
    const { f, get } = await twoRoutes();
    const res = await get(path, htu, { Host: host });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^DPoP realm="api", error="invalid_dpop_proof", error_description="The DPoP proof htu does not match the request URL"/);
    expect(res.body.error).toBe('invalid_dpop_proof');
    expect(f.lastReason()).toBe('dpop.invalid_proof');
  });

  it('refuses a proof when a trusted X-Forwarded-Host carries a path', async () => {
    const { get } = await twoRoutes(true);
    const res = await get('/users/me', 'https://api.example.com/x/users/me', { Host: 'backend:3000', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'api.example.com/x' });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_dpop_proof');
  });

  it.each(['https://api.example.com/users/me?', 'https://api.example.com/users/me#', 'HTTPS://api.example.com/users/me?, http'])(
    'refuses a proof when a trusted X-Forwarded-Proto carries a URL (%s)',
    async (proto) => {
      const { get } = await twoRoutes(true);
      const res = await get('/admin', 'https://api.example.com/users/me', { Host: 'api.example.com', 'X-Forwarded-Proto': proto });
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_dpop_proof');
    },
  );

  it.each([
    ['X-Forwarded-Host', { Host: 'backend:3000', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'orders.example.com, api.example.com' }],
    ['X-Forwarded-Host with a trailing comma', { Host: 'backend:3000', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'orders.example.com,' }],
    ['X-Forwarded-Proto', { Host: 'orders.example.com', 'X-Forwarded-Proto': 'https, http' }],
  ])('refuses a proof when a trusted %s is a list (the first value may be the client\'s)', async (_header, headers) => {
    const { get } = await twoRoutes(true);
    const res = await get('/admin', 'https://orders.example.com/admin', headers);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_dpop_proof');
  });

  it('admits a proof behind a proxy that says HTTPS in capitals', async () => {
    const { get } = await twoRoutes(true);
    const res = await get('/admin', 'https://api.example.com/admin', { Host: 'api.example.com', 'X-Forwarded-Proto': 'HTTPS' });
    expect(res.status).toBe(200);
  });

  it('refuses a proof for another origin sent as an absolute-form target, and admits one that names this origin', async () => {
    const f = await dpopSetup();
    const token = (await f.boundTokens()).access_token;
    const app = express();
    app.get('/users/me', f.auth.authenticate(), (req, res) => void res.json(req.user));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as net.AddressInfo;
    // RFC 9112 §3.2.2: "GET http://elsewhere/users/me" names an origin the client alone chose.
    const status = (target: string, htu: string) =>
      new Promise<number>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1');
        let answer = '';
        socket.setEncoding('utf8').on('data', (chunk: string) => {
          answer += chunk;
          if (answer.includes('\r\n')) {
            socket.destroy();
            resolve(Number(answer.split(' ')[1]));
          }
        });
        socket.on('error', reject);
        const dpop = f.proof(alice, { htm: 'GET', htu, ath: ath(token) });
        socket.write(`GET ${target} HTTP/1.1\r\nHost: ${HOST}\r\nAuthorization: DPoP ${token}\r\nDPoP: ${dpop}\r\nConnection: close\r\n\r\n`);
      });
    try {
      expect(await status('https://other.example/users/me', 'https://other.example/users/me')).toBe(401);
      expect(f.lastReason()).toBe('dpop.invalid_proof');
      expect(await status(url('/users/me'), url('/users/me'))).toBe(200);
    } finally {
      server.close();
    }
  });

  it('still admits a proof for a Host with a port, or an IPv6 literal', async () => {
    const { get } = await twoRoutes();
    expect((await get('/admin', 'http://api.example:8080/admin', { Host: 'api.example:8080' })).status).toBe(200);
    expect((await get('/admin', 'http://[::1]:8080/admin', { Host: '[::1]:8080' })).status).toBe(200);
  });
});

describe('server nonces (RFC 9449 §8)', () => {
  const NONCE = { secret: 'nonce-secret-of-at-least-32-bytes!!', lifetime: 60 };

  it('answers a proof without a nonce at the token endpoint with 400 use_dpop_nonce and a DPoP-Nonce, then accepts it', async () => {
    const f = await dpopSetup({ dpopNonce: NONCE });
    const first = await f.login(alice);
    expect(first.status).toBe(400);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body.error).toBe('use_dpop_nonce');
    const nonce = first.headers['dpop-nonce'];
    expect(nonce).toMatch(/^[\x21\x23-\x5b\x5d-\x7e]+$/);
    expect(f.lastReason()).toBe('dpop.nonce_required');
    const second = await f.login(alice, { nonce });
    expect(second.status).toBe(200);
    expect(second.body.token_type).toBe('DPoP');
    expect(second.headers['dpop-nonce']).toBe(nonce);
  });

  it('answers a protected request without a nonce with 401, a DPoP use_dpop_nonce challenge and a DPoP-Nonce', async () => {
    const f = await dpopSetup({ dpopNonce: NONCE });
    const nonce = (await f.login(alice)).headers['dpop-nonce'] as string;
    const token = (await f.login(alice, { nonce })).body.access_token as string;
    const res = await f.me(token, alice);
    expectDpop401(res, 'use_dpop_nonce', 'The DPoP proof must carry the nonce in DPoP-Nonce');
    expect(res.headers['dpop-nonce']).toBe(nonce);
    expect((await f.me(token, alice, { nonce })).status).toBe(200);
  });

  it('refuses a made-up nonce and one two lifetimes old, with a fresh nonce', async () => {
    const f = await dpopSetup({ dpopNonce: NONCE });
    const nonce = (await f.login(alice)).headers['dpop-nonce'] as string;
    const token = (await f.login(alice, { nonce })).body.access_token as string;
    expect((await f.me(token, alice, { nonce: 'made-up' })).body.error).toBe('use_dpop_nonce');
    // Still good in the next slot.
    f.clock.advance(60);
    expect((await f.me(token, alice, { nonce })).status).toBe(200);
    f.clock.advance(60);
    const stale = await f.me(token, alice, { nonce });
    expect(stale.body.error).toBe('use_dpop_nonce');
    expect(stale.headers['dpop-nonce']).not.toBe(nonce);
  });

  it('accepts a nonce issued by another instance with the same secret', async () => {
    const a = await dpopSetup({ dpopNonce: NONCE });
    const b = await dpopSetup({ dpopNonce: NONCE });
    const nonce = (await a.login(alice)).headers['dpop-nonce'] as string;
    expect((await b.login(alice, { nonce })).status).toBe(200);
  });
});

describe('store faults are 500s through next(err), never a way in', () => {
  it('fails closed when the replay store cannot be reached', async () => {
    const f = await dpopSetup({ dpopReplayStore: { claim: () => Promise.reject(new Error('redis down')) } });
    const token = f.tokenFor();
    const res = await f.login(alice);
    expect(res.status).toBe(500);
    expect(f.appErrors).toEqual([new Error('redis down')]);
    expect((await f.get('/users/me', `Bearer ${token}`)).status).toBe(200);
  });

  it('refuses to refresh through a refresh-token store that drops the DPoP binding (a family without jkt)', async () => {
    const inner = new MemoryRefreshTokenStore();
    const lossy = Object.assign(Object.create(inner) as MemoryRefreshTokenStore, {
      find: async (hash: string) => {
        const found = await inner.find(hash);
        if (!found) return null;
        const { jkt: _dropped, ...family } = found.family;
        return { token: found.token, family: family as typeof found.family };
      },
    });
    const f = await dpopSetup({ refreshTokenStore: lossy });
    const tokens = await f.boundTokens();
    const res = await f.refresh(tokens.refresh_token);
    expect(res.status).toBe(500);
    expect(String(f.appErrors[0])).toMatch(/family without jkt/);
  });
});

describe('the replay cache shared by two instances', () => {
  it('refuses a proof replayed to another instance sharing the replay store', async () => {
    const dpopReplayStore = new MemoryDpopReplayStore();
    const users = new MemoryUserStore();
    await users.create({ username: 'alice', passwordHash: await passwordHash(), scopes: ['read'] });
    const clock = testClock();
    const failures: FailureEvent[] = [];
    const instance = (): { auth: Auth; app: Express } => {
      const auth = createAuth({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE, users, now: clock.now, dpop: 'allowed', dpopReplayStore, onFailure: (e) => failures.push(e) });
      const app = express();
      app.post('/token', auth.token());
      app.get('/users/me', auth.authenticate(), (req, res) => void res.json(req.user));
      return { auth, app };
    };
    const [a, b] = [instance(), instance()];
    const login = await request(a.app).post('/token').set('Host', HOST).set('DPoP', makeProof(alice, { htm: 'POST', htu: url('/token'), iat: clock.seconds() }))
      .type('form').send({ grant_type: 'password', username: 'alice', password: PASSWORD });
    const token = login.body.access_token as string;
    const dpop = makeProof(alice, { htm: 'GET', htu: url('/users/me'), iat: clock.seconds(), ath: ath(token) });
    expect((await request(a.app).get('/users/me').set('Host', HOST).set('Authorization', `DPoP ${token}`).set('DPoP', dpop)).status).toBe(200);
    const replayed = await request(b.app).get('/users/me').set('Host', HOST).set('Authorization', `DPoP ${token}`).set('DPoP', dpop);
    expectDpop401(replayed, 'invalid_dpop_proof', 'The DPoP proof was already used');
    expect(failures.at(-1)?.reason).toBe('dpop.replayed');
  });
});

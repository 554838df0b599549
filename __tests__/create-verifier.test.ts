import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { toPublicJwk } from '../lib/jose/jwk';
import { generateKey } from '../lib/jose/keys';
import { createVerifier, type Verifier } from '../lib/create-verifier';
import type { FailureEvent } from '../lib/config/hooks';
import { JwksUnavailableError } from '../lib/core/errors';
import type { VerifierOptions } from '../lib/config/verifier-options';
import { AUDIENCE, ISSUER, b64, claims, setup, type Fixture } from './helpers';
import { ed25519Bytes, forge, forgeForSmallOrderKey, rawEd25519PublicKey, SMALL_ORDER_ED25519, startJwksServer, type JwksServer } from './jose/key-helpers';
import type { FailureReason } from '../lib/core/errors';
import { issueAccessToken } from '../lib/grants/token-response';
import { resolvedAuthOf } from '../lib/config/handles';
import { ath, clientKey, makeProof } from './dpop-helpers';

const INVALID_TOKEN = 'Bearer realm="api", error="invalid_token", error_description="The access token is invalid"';

/**
 * A verify-only service (createVerifier) in front of tokens from an issuer
 * (createAuth with an ES256 key) whose JWKS a loopback server publishes.
 */
describe('createVerifier: a verify-only service', () => {
  const issuerKey = generateKey('ES256');
  let issuer: Fixture;
  let jwks: JwksServer;
  let attacker: JwksServer;
  let verifier: Verifier;
  let app: express.Express;
  let failures: FailureEvent[];
  let appErrors: unknown[];

  beforeAll(async () => {
    attacker = await startJwksServer({ keys: [] });
  });
  afterAll(async () => {
    await attacker.close();
  });

  beforeEach(async () => {
    issuer = await setup({ secret: undefined, keys: { active: issuerKey } });
    jwks = await startJwksServer({ keys: [toPublicJwk(issuerKey)] });
    failures = [];
    appErrors = [];
    verifier = createVerifier({ jwksUri: jwks.url, issuer: ISSUER, audience: AUDIENCE, now: issuer.clock.now, onFailure: (e) => failures.push(e) });
    app = express();
    app.get('/hello', verifier.authenticate(), (req, res) => {
      res.json({ user: req.user, scopes: req.auth?.scopes });
    });
    app.get('/admin', verifier.requireScopes('admin'), (_req, res) => {
      res.json({ ok: true });
    });
    app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      appErrors.push(err);
      res.status(500).json({ error: 'server_error' });
    });
  });
  afterEach(async () => {
    await jwks.close();
  });

  const hello = (token?: string) => {
    const req = request(app).get('/hello');
    return token === undefined ? req : req.set('Authorization', `Bearer ${token}`);
  };
  const good = () => claims(issuer.alice.id, issuer.clock.seconds());

  async function expectInvalidToken(res: request.Response, reason: FailureReason) {
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
    expect(res.body).toEqual({ error: 'invalid_token', error_description: 'The access token is invalid' });
    expect(failures.at(-1)?.reason).toBe(reason);
  }

  it("admits the issuer's token and sets req.user to { id: sub } and req.auth", async () => {
    const res = await hello(issuer.tokenFor());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: { id: issuer.alice.id }, scopes: ['read', 'admin'] });
    expect(jwks.fetches).toBe(1);
  });

  it.each([
    ['no credentials', undefined, 401, 'Bearer realm="api"'],
    ['a malformed header', 'Bearer a.b.c junk', 400, 'Bearer realm="api", error="invalid_request", error_description="Malformed Bearer credentials"'],
    ['a token of another key', 'OTHER', 401, 'Bearer realm="api", error="invalid_token", error_description="The access token is invalid"'],
    ['an expired token', 'EXPIRED', 401, 'Bearer realm="api", error="invalid_token", error_description="The access token expired"'],
  ])("answers %s exactly as the issuer's authenticate() does", async (_name, authorization, status, challenge) => {
    let header = authorization;
    if (authorization === 'OTHER') header = `Bearer ${forge({ alg: 'ES256', typ: 'at+jwt', kid: issuerKey.kid }, good(), 'ES256', generateKey('ES256').key)}`;
    if (authorization === 'EXPIRED') header = `Bearer ${forge({ alg: 'ES256', typ: 'at+jwt', kid: issuerKey.kid }, { ...good(), exp: issuer.clock.seconds() - 60 }, 'ES256', issuerKey.key)}`;
    const send = (req: request.Test) => (header === undefined ? req : req.set('Authorization', header));
    const ours = await send(request(app).get('/hello'));
    const theirs = await send(request(issuer.app).get('/users/me'));
    expect([ours.status, ours.headers['www-authenticate'], ours.body]).toEqual([theirs.status, theirs.headers['www-authenticate'], theirs.body]);
    expect(ours.status).toBe(status);
    expect(ours.headers['www-authenticate']).toBe(challenge);
  });

  it.each(['application/at+jwt', 'AT+JWT'])('admits a token whose typ is %s (RFC 9068 §4, media types are case-insensitive)', async (typ) => {
    const res = await hello(forge({ alg: 'ES256', typ, kid: issuerKey.kid }, good(), 'ES256', issuerKey.key));
    expect(res.status).toBe(200);
  });

  it('refuses a token of another key under an unknown kid', async () => {
    const other = generateKey('ES256');
    await expectInvalidToken(await hello(forge({ alg: 'ES256', typ: 'at+jwt', kid: other.kid }, good(), 'ES256', other.key)), 'token.kid_unknown');
  });

  it('answers 403 insufficient_scope from requireScopes()', async () => {
    const res = await request(app).get('/admin').set('Authorization', `Bearer ${issuer.tokenFor(issuer.alice, ['read'])}`);
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="The access token does not grant the required scope", scope="admin"',
    );
    expect((await request(app).get('/admin').set('Authorization', `Bearer ${issuer.tokenFor()}`)).status).toBe(200);
  });

  it('answers a flood of unknown kids without a storm of fetches', async () => {
    await hello(issuer.tokenFor()); // the first fetch
    const made = generateKey('ES256');
    const tokens = Array.from({ length: 40 }, (_, i) => forge({ alg: 'ES256', typ: 'at+jwt', kid: `bogus-${i}` }, good(), 'ES256', made.key));
    const responses = await Promise.all(tokens.map((token) => hello(token)));
    expect(responses.every((res) => res.status === 401)).toBe(true);
    expect(jwks.fetches).toBe(1);
    issuer.clock.advance(30); // the default cooldown
    await Promise.all(tokens.map((token) => hello(token)));
    expect(jwks.fetches).toBe(2);
  });

  it.each([
    ['alg none', () => `${b64({ alg: 'none', typ: 'at+jwt', kid: issuerKey.kid })}.${b64(good())}.AAAA`, 'token.alg'],
    [
      'HS256 keyed with the public key PEM',
      () => forge({ alg: 'HS256', typ: 'at+jwt', kid: issuerKey.kid }, good(), 'HS256', issuerKey.verifyKey.export({ type: 'spki', format: 'pem' })),
      'token.alg',
    ],
    ['no kid', () => forge({ alg: 'ES256', typ: 'at+jwt' }, good(), 'ES256', issuerKey.key), 'token.kid_unknown'],
    ['a kid that is not a string', () => forge({ alg: 'ES256', typ: 'at+jwt', kid: 7 }, good(), 'ES256', issuerKey.key), 'token.kid_unknown'],
    ['another typ', () => forge({ alg: 'ES256', typ: 'JWT', kid: issuerKey.kid }, good(), 'ES256', issuerKey.key), 'token.typ'],
  ])('refuses %s before fetching anything', async (_name, make, reason) => {
    await expectInvalidToken(await hello(make()), reason as FailureReason);
    expect(jwks.fetches).toBe(0);
  });

  it('refuses an RS256 token naming the ES256 kid', async () => {
    const rs = generateKey('RS256');
    await expectInvalidToken(await hello(forge({ alg: 'RS256', typ: 'at+jwt', kid: issuerKey.kid }, good(), 'RS256', rs.key)), 'token.alg');
  });

  it.each(['jku', 'x5u', 'jwk'])('never fetches or uses a key named by a %s header', async (name) => {
    const own = generateKey('ES256');
    attacker.body = { keys: [toPublicJwk(own)] };
    const value = name === 'jwk' ? toPublicJwk(own) : attacker.url;
    for (const kid of [own.kid, issuerKey.kid]) {
      const token = forge({ alg: 'ES256', typ: 'at+jwt', kid, [name]: value }, good(), 'ES256', own.key);
      await expectInvalidToken(await hello(token), kid === own.kid ? 'token.kid_unknown' : 'token.signature');
    }
    expect(attacker.fetches).toBe(0);
  });

  it('answers 500, not 401, when the issuer is unreachable and no cached key fits', async () => {
    jwks.status = 503;
    const res = await hello(issuer.tokenFor());
    expect(res.status).toBe(500);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(appErrors.at(-1)).toBeInstanceOf(JwksUnavailableError);
    expect((appErrors.at(-1) as Error).message).toContain(jwks.url);
  });

  it('keeps admitting tokens of a cached key while the issuer is down', async () => {
    expect((await hello(issuer.tokenFor())).status).toBe(200);
    await jwks.close();
    issuer.clock.advance(600); // past the cache's max age: it tries, fails, and keeps what it has
    expect((await hello(issuer.tokenFor())).status).toBe(200);
  });

  it.each(SMALL_ORDER_ED25519.flatMap(({ name, hex, order }) => [false, true].map((signBit) => ({ name, signBit, bytes: ed25519Bytes(hex, signBit), order }))))(
    'ignores a JWKS key of small order ($name, sign bit $signBit) and refuses the token R = identity, S = 0 made for it',
    async ({ bytes, order }) => {
      jwks.body = { keys: [toPublicJwk(issuerKey), { ...rawEd25519PublicKey(bytes).jwk, kid: 'weak', alg: 'EdDSA', use: 'sig' }] };
      const forged = forgeForSmallOrderKey({ alg: 'EdDSA', typ: 'at+jwt', kid: 'weak' }, good(), bytes, order);

      await expectInvalidToken(await hello(forged), 'token.kid_unknown');
      // The rest of the set is still used.
      expect((await hello(issuer.tokenFor())).status).toBe(200);
    },
  );

  it('stops admitting tokens of a cached key once the JWKS has been unreachable for jwksMaxStale, and admits them again after a fetch succeeds', async () => {
    const strict = createVerifier({ jwksUri: jwks.url, issuer: ISSUER, audience: AUDIENCE, now: issuer.clock.now, jwksMaxAge: 60, jwksMaxStale: 3600 });
    const strictApp = express();
    strictApp.get('/hello', strict.authenticate(), (_req, res) => {
      res.json({ ok: true });
    });
    strictApp.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      appErrors.push(err);
      res.status(500).json({ error: 'server_error' });
    });
    const call = () => request(strictApp).get('/hello').set('Authorization', `Bearer ${issuer.tokenFor()}`);

    expect((await call()).status).toBe(200);
    jwks.status = 503;
    // Through the outage, up to maxStale, the cached key keeps working (refreshes fail in the background).
    for (let i = 0; i < 5; i++) {
      issuer.clock.advance(719);
      expect((await call()).status).toBe(200);
    }
    issuer.clock.advance(5); // 3600 s since the last successful fetch
    const stale = await call();
    expect(stale.status).toBe(500);
    expect(stale.headers['www-authenticate']).toBeUndefined();
    expect(appErrors.at(-1)).toBeInstanceOf(JwksUnavailableError);
    expect((appErrors.at(-1) as Error).message).toMatch(/has succeeded for 3600 s; cached keys are no longer trusted/);

    jwks.status = 200;
    issuer.clock.advance(30); // the cooldown since the last attempt
    expect((await call()).status).toBe(200);
  });

  it.each([
    ['jwksMaxStale', { jwksMaxStale: 0 }],
    ['jwksUri', { jwksUri: 'ftp://issuer.example/jwks' }],
    ['issuer', { issuer: '' }],
    ['audience', { audience: undefined }],
    ['algorithms', { algorithms: ['HS256'] }],
    ['clockTolerance', { clockTolerance: -1 }],
    ['realm', { realm: 'naïve' }],
    ['jwksCooldown', { jwksCooldown: -5 }],
    ['jwksTimeout', { jwksTimeout: 0 }],
    ['allowQueryToken', { allowQueryToken: 'yes' }],
  ])('throws a TypeError naming %s', (option, override) => {
    const make = () => createVerifier({ jwksUri: 'https://issuer.example/jwks.json', issuer: ISSUER, audience: AUDIENCE, ...(override as Partial<VerifierOptions>) });
    expect(make).toThrow(TypeError);
    expect(make).toThrow(option);
  });
});

describe('createVerifier: DPoP options', () => {
  it('checks them like createAuth does', () => {
    const options = { jwksUri: 'https://issuer.example/jwks.json', issuer: 'https://issuer.example', audience: 'api' };
    expect(() => createVerifier({ ...options, dpop: 'yes' as never })).toThrow(new TypeError('dpop must be "off", "allowed" or "required"'));
    expect(() => createVerifier({ ...options, dpopMaxAge: 601 })).toThrow(new TypeError('dpopMaxAge must be a whole number of seconds from 1 to 600'));
    expect(() => createVerifier({ ...options, dpop: 'required' }).authenticate({ dpop: 'nope' as never })).toThrow(
      new TypeError('authenticate: dpop must be "off", "allowed" or "required"'),
    );
  });
});

describe('createVerifier: DPoP-bound tokens from the issuer (RFC 9449 §7)', () => {
  const issuerKey = generateKey('ES256');
  const client = clientKey('EdDSA');
  let issuer: Fixture;
  let jwks: JwksServer;
  let app: express.Express;
  let failures: FailureEvent[];

  beforeEach(async () => {
    issuer = await setup({ secret: undefined, keys: { active: issuerKey }, dpop: 'allowed' });
    jwks = await startJwksServer({ keys: [toPublicJwk(issuerKey)] });
    failures = [];
    const verifier = createVerifier({ jwksUri: jwks.url, issuer: ISSUER, audience: AUDIENCE, now: issuer.clock.now, dpop: 'allowed', onFailure: (e) => failures.push(e) });
    app = express();
    app.get('/orders', verifier.requireScopes('read'), (req, res) => void res.json({ owner: req.auth!.claims.sub }));
  });
  afterEach(async () => {
    await jwks.close();
  });

  const bound = () => issueAccessToken(resolvedAuthOf(issuer.auth), issuer.alice, ['read'], client.jkt).token;
  const get = (authorization: string, dpop?: string) => {
    const req = request(app).get('/orders').set('Host', 'orders.example').set('Authorization', authorization);
    return dpop === undefined ? req : req.set('DPoP', dpop);
  };
  const proofFor = (token: string) => makeProof(client, { htm: 'GET', htu: 'http://orders.example/orders', iat: issuer.clock.seconds(), ath: ath(token) });

  it("admits the issuer's DPoP-bound token with its proof", async () => {
    const token = bound();
    const res = await get(`DPoP ${token}`, proofFor(token));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ owner: issuer.alice.id });
  });

  it('refuses it as Bearer, and a replayed proof, as the issuer would', async () => {
    const token = bound();
    const asBearer = await get(`Bearer ${token}`);
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_token", .*, DPoP realm="api", algs="RS256 PS256 ES256 EdDSA Ed25519"$/);
    expect(failures.at(-1)?.reason).toBe('token.dpop_bound');
    const proof = proofFor(token);
    expect((await get(`DPoP ${token}`, proof)).status).toBe(200);
    const replayed = await get(`DPoP ${token}`, proof);
    expect(replayed.status).toBe(401);
    expect(replayed.body.error).toBe('invalid_dpop_proof');
    expect(failures.at(-1)?.reason).toBe('dpop.replayed');
  });
});

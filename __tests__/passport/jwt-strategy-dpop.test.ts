import express from 'express';
import passport from 'passport';
import request from 'supertest';
import { resolvedAuthOf } from '../../lib/config/handles';
import { issueAccessToken } from '../../lib/grants/token-response';
import { ath, clientKey, makeProof } from '../dpop-helpers';
import { setup, type Fixture } from '../helpers';

/**
 * The "jwt" Passport strategy runs the one bearer check, so it takes
 * DPoP-bound tokens (RFC 9449 §7) like auth.authenticate() does, and a route
 * can set its own policy through passport.authenticate's options.
 */
describe('JwtStrategy with DPoP', () => {
  const client = clientKey('ES256');
  const ALGS = 'algs="RS256 PS256 ES256 EdDSA Ed25519"';
  let f: Fixture;
  let app: express.Express;

  beforeEach(async () => {
    f = await setup({ dpop: 'allowed', dpopNonce: { secret: 'a-nonce-secret-of-32-bytes-or-more!' } });
    const pass = new passport.Passport();
    pass.use(f.auth.jwtStrategy);
    app = express();
    app.get('/me', pass.authenticate('jwt', { session: false }), (req, res) => void res.json({ user: req.user?.username }));
    app.get('/strict', pass.authenticate('jwt', { session: false, dpop: 'required' } as passport.AuthenticateOptions), (req, res) => void res.json({ user: req.user?.username }));
  });

  const bound = () => issueAccessToken(resolvedAuthOf(f.auth), f.alice, ['read'], client.jkt).token;
  const nonce = () => resolvedAuthOf(f.auth).dpop.nonce()!;
  const get = (path: string, authorization: string, dpop?: string) => {
    const req = request(app).get(path).set('Host', 'api.example').set('Authorization', authorization);
    return dpop === undefined ? req : req.set('DPoP', dpop);
  };
  const proof = (path: string, token: string, extra: Record<string, unknown> = {}) =>
    makeProof(client, { htm: 'GET', htu: `http://api.example${path}`, iat: f.clock.seconds(), ath: ath(token), ...extra });

  it('admits a DPoP-bound token with its proof, and hands out the next nonce', async () => {
    const token = bound();
    const res = await get('/me', `DPoP ${token}`, proof('/me', token, { nonce: nonce() }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: 'alice' });
    expect(res.headers['dpop-nonce']).toBe(nonce());
  });

  it('answers a proof without the nonce with 401 use_dpop_nonce, the DPoP challenge and a DPoP-Nonce, through Passport', async () => {
    const token = bound();
    const res = await get('/me', `DPoP ${token}`, proof('/me', token));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      `DPoP realm="api", error="use_dpop_nonce", error_description="The DPoP proof must carry the nonce in DPoP-Nonce", ${ALGS}, Bearer realm="api"`,
    );
    expect(res.headers['dpop-nonce']).toBe(nonce());
  });

  it('refuses a DPoP-bound token sent as Bearer', async () => {
    const res = await get('/me', `Bearer ${bound()}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_token", error_description="The access token is DPoP-bound/);
    expect(f.failures.at(-1)?.reason).toBe('token.dpop_bound');
  });

  it('takes a route policy from passport.authenticate options: { dpop: "required" } refuses Bearer there', async () => {
    const res = await get('/strict', `Bearer ${f.tokenFor()}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(`DPoP realm="api", error="invalid_token", error_description="This resource requires a DPoP-bound access token", ${ALGS}`);
    expect((await get('/me', `Bearer ${f.tokenFor()}`)).status).toBe(200);
  });
});

describe('JwtStrategy route options under a polluted Object.prototype', () => {
  it('keeps the app policy "required" when Object.prototype.dpop says "off"', async () => {
    const f = await setup({ dpop: 'required' });
    const pass = new passport.Passport();
    pass.use(f.auth.jwtStrategy);
    const app = express();
    app.get('/me', pass.authenticate('jwt', { session: false }), (req, res) => void res.json({ user: req.user?.username }));
    Object.defineProperty(Object.prototype, 'dpop', { value: 'off', configurable: true, writable: true });
    let res: request.Response;
    try {
      res = await request(app).get('/me').set('Authorization', `Bearer ${f.tokenFor()}`);
    } finally {
      delete (Object.prototype as { dpop?: unknown }).dpop;
    }
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^DPoP realm="api", error="invalid_token", error_description="This resource requires a DPoP-bound access token"/);
  });
});

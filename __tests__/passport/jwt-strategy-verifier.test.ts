import express, { type NextFunction, type Request, type Response } from 'express';
import passport from 'passport';
import request from 'supertest';
import { toPublicJwk } from '../../lib/jose/jwk';
import { generateKey } from '../../lib/jose/keys';
import { JwksUnavailableError } from '../../lib/core/errors';
import { createVerifier } from '../../lib/create-verifier';
import { JwtStrategy } from '../../lib/passport/jwt-strategy';
import { AUDIENCE, ISSUER, setup, type Fixture } from '../helpers';
import { startJwksServer, type JwksServer } from '../jose/key-helpers';

describe('JwtStrategy of a verify-only service, with passport.authenticate', () => {
  const issuerKey = generateKey('EdDSA');
  let issuer: Fixture;
  let jwks: JwksServer;
  let app: express.Express;
  let errors: unknown[];

  beforeEach(async () => {
    issuer = await setup({ secret: undefined, keys: { active: issuerKey } });
    jwks = await startJwksServer({ keys: [toPublicJwk(issuerKey)] });
    errors = [];
    const pass = new passport.Passport();
    pass.use(new JwtStrategy(createVerifier({ jwksUri: jwks.url, issuer: ISSUER, audience: AUDIENCE, now: issuer.clock.now })));
    app = express();
    app.get('/me', pass.authenticate('jwt', { session: false }), (req, res) => {
      res.json({ user: req.user, scopes: req.auth?.scopes });
    });
    app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      errors.push(err);
      res.status(500).json({ error: 'server_error' });
    });
  });
  afterEach(async () => {
    await jwks.close();
  });

  it('admits an EdDSA token of the issuer and sets req.user to { id }', async () => {
    const res = await request(app).get('/me').set('Authorization', `Bearer ${issuer.tokenFor()}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: { id: issuer.alice.id }, scopes: ['read', 'admin'] });
  });

  it('challenges through Passport with the RFC 6750 header', async () => {
    expect((await request(app).get('/me')).headers['www-authenticate']).toBe('Bearer realm="api"');
    const token = issuer.tokenFor();
    issuer.clock.advance(3600);
    const res = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token", error_description="The access token expired"');
  });

  it('errors (500) rather than failing (401) when the issuer is unreachable', async () => {
    jwks.status = 500;
    const res = await request(app).get('/me').set('Authorization', `Bearer ${issuer.tokenFor()}`);
    expect(res.status).toBe(500);
    expect(errors[0]).toBeInstanceOf(JwksUnavailableError);
  });
});

import express, { type NextFunction, type Request, type Response } from 'express';
import passport from 'passport';
import request from 'supertest';
import { createAuth } from '../../lib/create-auth';
import { JwtStrategy } from '../../lib/passport/jwt-strategy';
import { MemoryUserStore } from '../../lib/stores/memory/users';
import { expectBearerError, AUDIENCE, ISSUER, SECRET, setup, type Fixture } from '../helpers';

describe('JwtStrategy with passport.authenticate', () => {
  let f: Fixture;
  let app: express.Express;
  let errors: unknown[];

  beforeEach(async () => {
    f = await setup();
    errors = [];
    const pass = new passport.Passport();
    pass.use(f.auth.jwtStrategy);
    app = express();
    app.get('/me', pass.authenticate('jwt', { session: false }), (req, res) => {
      res.json({ user: req.user?.username, scopes: req.auth?.scopes });
    });
    app.get('/admin', pass.authenticate('jwt', { session: false }), f.auth.requireScopes('admin'), (_req, res) => {
      res.json({ ok: true });
    });
    app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      errors.push(err);
      res.status(500).json({ error: 'server_error' });
    });
  });

  it('is named "jwt"', () => {
    expect(new JwtStrategy(createAuth({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE, users: new MemoryUserStore() })).name).toBe('jwt');
  });

  it('admits a valid token and sets req.user and req.auth', async () => {
    const res = await request(app).get('/me').set('Authorization', `Bearer ${f.tokenFor()}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: 'alice', scopes: ['read', 'admin'] });
  });

  it('lets requireScopes() use what the strategy verified', async () => {
    expect((await request(app).get('/admin').set('Authorization', `Bearer ${f.tokenFor()}`)).status).toBe(200);
    expectBearerError(await request(app).get('/admin').set('Authorization', `Bearer ${f.tokenFor(f.alice, ['read'])}`), 403, 'insufficient_scope');
  });

  it('challenges a request without credentials through Passport, with a WWW-Authenticate header', async () => {
    const res = await request(app).get('/me');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it('rejects an expired token with error="invalid_token" in the challenge', async () => {
    const token = f.tokenFor();
    f.clock.advance(3600);
    const res = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token", error_description="The access token expired"');
  });

  it('refuses Bearer tok junk with 400, unlike passport-jwt', async () => {
    const res = await request(app).get('/me').set('Authorization', `Bearer ${f.tokenFor()} junk`);
    // Passport itself answers here, and it writes WWW-Authenticate on a 401 only: the status is what shows.
    expect(res.status).toBe(400);
  });

  it('turns a store failure into a 500 through next(err), never a 401', async () => {
    const token = f.tokenFor();
    f.users.findById = () => Promise.reject(new Error('database is down'));
    const res = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(500);
    expect(errors).toEqual([expect.objectContaining({ message: 'database is down' })]);
  });

  it('works when Passport runs it on Object.create(strategy)', async () => {
    // Passport's own way of calling a strategy; #private fields would throw here.
    const instance = Object.create(f.auth.jwtStrategy) as JwtStrategy & { success: jest.Mock; fail: jest.Mock; error: jest.Mock };
    const done = new Promise<unknown[]>((resolve) => {
      instance.success = jest.fn((...args) => resolve(['success', ...args]));
      instance.fail = jest.fn((...args) => resolve(['fail', ...args]));
      instance.error = jest.fn((...args) => resolve(['error', ...args]));
    });
    instance.authenticate({ headers: {}, rawHeaders: [], method: 'GET', url: '/' } as unknown as Request);
    expect(await done).toEqual(['fail', 'Bearer realm="api"', 401]);
  });
});

import express from 'express';
import passport from 'passport';
import { ExtractJwt, Strategy as PassportJwtStrategy } from 'passport-jwt';
import request from 'supertest';
import { expectBearerError, SECRET, setup, type Fixture } from '../helpers';

// Pins the README's comparison: what passport-jwt does with a tutorial setup, next to what we do.
describe('passport-jwt as tutorials configure it (for comparison)', () => {
  let f: Fixture;
  let theirs: express.Express;

  beforeEach(async () => {
    f = await setup();
    const pass = new passport.Passport();
    pass.use(
      new PassportJwtStrategy({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: SECRET }, (payload, done) =>
        done(null, { id: payload.sub }),
      ),
    );
    theirs = express();
    theirs.get('/users/me', pass.authenticate('jwt', { session: false }), (req, res) => {
      res.json(req.user);
    });
  });

  it('sends no WWW-Authenticate with its 401, where we send an RFC 6750 challenge', async () => {
    const expired = f.tokenFor();
    f.clock.advance(3600);
    const theirRes = await request(theirs).get('/users/me').set('Authorization', 'Bearer not.a.token');
    expect(theirRes.status).toBe(401);
    expect(theirRes.headers['www-authenticate']).toBeUndefined();
    const ours = await request(f.app).get('/users/me').set('Authorization', `Bearer ${expired}`);
    expectBearerError(ours, 401, 'invalid_token');
  });

  it('accepts "Bearer <token> junk", where we refuse it as invalid_request', async () => {
    // passport-jwt checks exp against the real clock, so issue with it.
    const real = await setup({ now: Date.now });
    const token = real.tokenFor();
    expect((await request(theirs).get('/users/me').set('Authorization', `Bearer ${token} junk`)).status).toBe(200);
    expectBearerError(await request(real.app).get('/users/me').set('Authorization', `Bearer ${token} junk`), 400, 'invalid_request');
  });
});

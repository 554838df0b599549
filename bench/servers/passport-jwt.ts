import { createSecretKey, randomBytes } from 'node:crypto';
import express from 'express';
import * as jwt from 'jsonwebtoken';
import { Passport } from 'passport';
import { ExtractJwt, Strategy as JwtStrategy, type VerifiedCallback } from 'passport-jwt';
import { loadConfig } from '../../examples/server/config';
import { createLogger } from '../../examples/server/logger';
import { requestLog } from '../../examples/server/request-log';
import { serve } from './serve';
import { benchUsers } from './user-lookup';

/**
 * passport-jwt 4 as the popular tutorials set it up: a string secret,
 * `fromAuthHeaderAsBearerToken()`, a verify callback that loads the user.
 * `/keyobject/users/me` is the same with the secret prebuilt as a KeyObject,
 * to show how much of the cost is jsonwebtoken turning a string into a key
 * on every request.
 */
async function main(): Promise<void> {
  const secret = randomBytes(32).toString('base64url');
  const { id, find } = await benchUsers();
  const verify = (payload: { sub?: string }, done: VerifiedCallback) => {
    find(String(payload.sub)).then((user) => done(null, user ?? false), done);
  };

  const tutorial = new Passport();
  tutorial.use(new JwtStrategy({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: secret }, verify));
  const prebuilt = new Passport();
  // jsonwebtoken accepts a KeyObject; passport-jwt's types predate that.
  const key = createSecretKey(Buffer.from(secret)) as unknown as string;
  prebuilt.use(new JwtStrategy({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: key }, verify));

  const app = express();
  app.disable('x-powered-by');
  // The example app's request log, so that only the authentication differs from the open route.
  app.use(requestLog(createLogger(loadConfig().logLevel)));
  app.use(tutorial.initialize());
  app.get('/users/me', tutorial.authenticate('jwt', { session: false }), (req, res) => {
    res.json(req.user);
  });
  app.get('/keyobject/users/me', prebuilt.authenticate('jwt', { session: false }), (req, res) => {
    res.json(req.user);
  });
  serve(app, { valid: jwt.sign({ sub: id }, secret, { expiresIn: '15m' }) });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench passport-jwt server: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

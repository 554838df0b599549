import { createSecretKey, randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { expressjwt, type Request as JwtRequest } from 'express-jwt';
import * as jwt from 'jsonwebtoken';
import { loadConfig } from '../../examples/server/config';
import { createLogger } from '../../examples/server/logger';
import { requestLog } from '../../examples/server/request-log';
import { serve } from './serve';
import { benchUsers } from './user-lookup';

/**
 * express-jwt 8 as its README sets it up: a string secret and
 * `algorithms: ['HS256']`; the route then loads the user like the others.
 * `/keyobject/users/me` is the same with the secret prebuilt as a KeyObject.
 */
async function main(): Promise<void> {
  const secret = randomBytes(32).toString('base64url');
  const { id, find } = await benchUsers();
  const me = (req: JwtRequest, res: Response, next: NextFunction) => {
    find(String(req.auth?.sub)).then((user) => (user ? res.json(user) : res.status(401).json({ error: 'invalid_token' })), next);
  };

  const app = express();
  app.disable('x-powered-by');
  // The example app's request log, so that only the authentication differs from the open route.
  app.use(requestLog(createLogger(loadConfig().logLevel)));
  app.get('/users/me', expressjwt({ secret, algorithms: ['HS256'] }), me);
  app.get('/keyobject/users/me', expressjwt({ secret: createSecretKey(Buffer.from(secret)), algorithms: ['HS256'] }), me);
  app.use((err: { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status ?? 500).json({ error: err.status === 401 ? 'invalid_token' : 'server_error' });
  });
  serve(app, { valid: jwt.sign({ sub: id }, secret, { expiresIn: '15m' }) });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench express-jwt server: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

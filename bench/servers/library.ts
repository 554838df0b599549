import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import { createAuth, generateKey, publicUser, type AuthOptions } from 'express-jwt-auth';
import { createApp, noStore } from '../../examples/server/app';
import { exampleAuthOptions } from '../../examples/server/auth-options';
import { loadConfig } from '../../examples/server/config';
import { createLogger } from '../../examples/server/logger';
import { connectRedis } from '../../examples/server/redis';
import { openStores } from '../../examples/server/store';
import { BENCH_USER } from './bench-user';
import { accessToken, LOGIN } from './login-token';
import { serve } from './serve';

/**
 * The example server, wired as examples/server/main.ts wires it (its config
 * defaults, SQLite stores, or PostgreSQL and Redis when the runner says so,
 * pino request lines on stderr), plus
 * `GET /open`: the same JSON and headers as `/users/me` without authentication, in the
 * same app, right after it. That route is the baseline of the budgets.
 */
async function main(): Promise<void> {
  const secret = randomBytes(32).toString('base64url');
  const config = loadConfig({
    ...process.env,
    JWT_SECRET: secret,
    DATABASE_URL: process.env.BENCH_DATABASE_URL ?? 'sqlite::memory:',
    // Set by the runner for the PostgreSQL + Redis server only: the denylist, counters and DPoP replay cache in Redis.
    REDIS_URL: process.env.BENCH_SERVER_REDIS_URL ?? '',
  });
  const stores = await openStores(config.databaseUrl);
  const { users } = stores;
  const logger = createLogger(config.logLevel);
  const redis = config.redisUrl ? connectRedis(config.redisUrl, logger) : undefined;
  const options: AuthOptions = {
    ...exampleAuthOptions(config, { secret }, stores, logger, redis),
    // Unlike main.ts: the bench is one client sending thousands of logins a minute to one account, eight
    // at a time, which the default limits rightly answer with 429 (every attempt counts as a failure until
    // it succeeds). Blocking an account after 50 failures in a row stays on for the soak's bad logins.
    rateLimits: { ipRequestsPerMinute: 1_000_000, ipFailuresPerHour: 1_000_000, accountFailuresPerDay: 1_000_000, maxFailures: 50 },
  };
  const auth = createAuth(options);
  const app = createApp({ auth, users, logger });

  const user = await users.create({
    username: BENCH_USER.username,
    email: 'bench@example.com',
    passwordHash: await auth.passwords.hash(BENCH_USER.password),
    scopes: ['admin'],
  });
  // The same object /users/me sends: the account from the store, without its hash.
  const stored = await users.findById(user.id);
  if (!stored) throw new Error('the bench user was not stored');
  const body = publicUser(stored);
  // The same route with ES256 tokens (issue 11: asymmetric keys at the same speed): its own issuer on the same
  // stores, so a request pays what /users/me pays plus what ES256 adds.
  const es256 = createAuth({ ...options, secret: undefined, keys: { active: generateKey('ES256') } });
  addBesideUsersMe(app, () => {
    // The same answer as /users/me, headers included (its `Cache-Control: no-store`): only the authentication differs.
    app.get('/open', noStore, (_req, res) => {
      res.json(body);
    });
    app.get('/es256/users/me', es256.authenticate(), noStore, (req, res) => {
      res.json(req.user);
    });
  });

  // Same claims, other clocks and keys: an hour-old token (15 minutes of life) and a forged one.
  const anHourAgo = createAuth({ ...options, now: () => Date.now() - 3600_000 });
  const forger = createAuth({ ...options, secret: randomBytes(32).toString('base64url') });
  serve(app, {
    valid: await accessToken(auth),
    validES256: await accessToken(es256),
    expired: await accessToken(anHourAgo),
    badSignature: await accessToken(forger),
    login: LOGIN,
    argon2: JSON.stringify(auth.passwords.params),
  });
}

/**
 * Adds routes (with `define`) right after `GET /users/me` in the app's router,
 * so both routes are found after the same middleware and the same number of
 * routes. Added at the end they would sit behind createApp's 404 handler, and
 * a second app mounted in front would give them different paths through Express.
 */
function addBesideUsersMe(app: Express, define: () => void): void {
  const stack = app.router.stack as Array<{ route?: { path?: unknown } }>;
  const before = stack.length;
  define();
  const added = stack.splice(before);
  const at = stack.findIndex((layer) => layer.route?.path === '/users/me');
  if (at < 0) throw new Error('the example app has no /users/me route');
  stack.splice(at + 1, 0, ...added);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench library server: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

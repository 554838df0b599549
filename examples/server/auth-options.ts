import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuthOptions } from 'express-jwt-auth';
import { RedisDenylistStore, RedisDpopReplayStore } from 'express-jwt-auth/redis';
import { SCOPES } from './app';
import { auditLog } from './audit-log';
import type { ServerConfig } from './config';
import { errorMessage, type Stores } from './store';

/**
 * The createAuth options of the example server, from its settings: one place,
 * so the server and the benchmark (which must measure the same wiring) agree.
 */
export function exampleAuthOptions(
  config: ServerConfig,
  signing: Pick<AuthOptions, 'secret' | 'algorithm' | 'keys'>,
  stores: Stores,
  logger: Logger,
  redis?: Redis,
): AuthOptions {
  return {
    ...signing,
    issuer: config.issuer,
    audience: config.audience,
    accessTokenTtl: config.accessTokenTtl,
    refreshTokenTtl: config.refreshTokenTtl,
    refreshTokenGrace: config.refreshTokenGrace,
    users: stores.users,
    refreshTokenStore: stores.refreshTokens,
    // REDIS_URL: the denylist and the rate-limit counters are shared by every instance.
    // Its guard finds a Redis that lost its data (restarted empty, flushed) and keeps checks closed until
    // every token revoked before could have expired; what it finds goes to the log.
    denylist: redis
      ? new RedisDenylistStore(redis, { prefix: `${config.redisKeyPrefix}:deny:`, guard: { onEvent: (e) => logger[e.level]({ kind: e.kind }, e.message) } })
      : stores.denylist,
    rateLimits: { redis, maxFailures: config.loginMaxFailures, keyPrefix: config.redisKeyPrefix },
    // DPOP (default allowed): DPoP-bound tokens beside Bearer ones. With REDIS_URL every instance shares
    // the replay cache, so a proof replayed to another instance is refused; DPOP_NONCE_SECRET adds nonces.
    dpop: config.dpop,
    ...(redis && { dpopReplayStore: new RedisDpopReplayStore(redis, { prefix: `${config.redisKeyPrefix}:dpop:` }) }),
    ...(config.dpopNonceSecret !== undefined && { dpopNonce: { secret: config.dpopNonceSecret } }),
    onError: (err, context) => logger.error({ err: errorMessage(err) }, context),
    scopes: { ...SCOPES },
    // The sign-in page at / (and SPAs on CORS_ORIGINS) keep the refresh token in an HttpOnly cookie;
    // CLIs, Swagger UI and native apps, which send no X-Requested-With, still get it in the JSON body.
    cookies: { allowedOrigins: config.corsOrigins, jsonClients: true },
    // RFC 9728: this API's identifier, and so resource_metadata in every WWW-Authenticate challenge.
    resource: config.publicUrl,
    // A refused request's one log line carries its reason, a login's its user (see request-log.ts).
    ...auditLog(logger),
  };
}

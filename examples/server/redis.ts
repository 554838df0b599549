import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The Redis client behind the shared denylist and rate limits. While Redis is
 * down, commands fail at once instead of queueing (the denylist then fails
 * closed, the rate limits fall back to memory), and the outage is logged once
 * per minute rather than on every reconnect attempt; ioredis keeps
 * reconnecting in the background.
 */
export function connectRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  });
  let lastLogged = 0;
  // Without an 'error' listener, ioredis' error event would crash the process.
  redis.on('error', (err: Error) => {
    if (Date.now() - lastLogged < 60_000) return;
    lastLogged = Date.now();
    logger.error({ err: err.message }, 'redis unavailable: denylist checks fail closed, rate limits fall back to memory');
  });
  redis.on('ready', () => {
    if (lastLogged) logger.info('redis available again');
    lastLogged = 0;
  });
  return redis;
}

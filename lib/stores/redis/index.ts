/**
 * `express-jwt-auth/redis`: the access-token denylist and the DPoP replay
 * cache in Redis, shared by every instance. Needs the optional peer
 * dependency ioredis (5). (The brute-force counters take the same client
 * through `rateLimits.redis`.)
 *
 * @example
 * import { Redis } from 'ioredis';
 * import { RedisDenylistStore, RedisDpopReplayStore } from 'express-jwt-auth/redis';
 * const redis = new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false, commandTimeout: 500 });
 * const denylist = new RedisDenylistStore(redis, { guard: { onEvent: (e) => console.log(e.level, e.message) } });
 * createAuth({ ..., denylist, dpopReplayStore: new RedisDpopReplayStore(redis), rateLimits: { redis } });
 */
export { RedisDenylistStore, type RedisDenylistStoreOptions } from './denylist';
export { RedisDataGuard, type RedisDataGuardOptions, type RedisGuardEvent } from './data-guard';
export { RedisDpopReplayStore, type RedisDpopReplayStoreOptions } from './dpop-replay';

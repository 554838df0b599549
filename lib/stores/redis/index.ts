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
 * createAuth({ ..., denylist: new RedisDenylistStore(redis), dpopReplayStore: new RedisDpopReplayStore(redis), rateLimits: { redis } });
 */
export { RedisDenylistStore } from './denylist';
export { RedisDpopReplayStore } from './dpop-replay';

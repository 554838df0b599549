import type { Redis } from 'ioredis';
import type { DenylistStore } from '../types';

// Keeps the later expiry, atomically: a second revocation never shortens the first.
const ADD = `
local current = redis.call('GET', KEYS[1])
if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[3])
return 1`;

const PURGE = `
local jtis = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, jti in ipairs(jtis) do redis.call('DEL', ARGV[2] .. jti) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return #jtis`;

/** Extra lifetime of a key past its token's expiry, for clocks that differ between instances. */
const SLACK_MS = 3600_000;

/**
 * The access-token denylist in Redis, shared by every instance: one key per
 * `jti` holding its expiry, which Redis also deletes on its own an hour after
 * that expiry, plus a sorted index for `purgeExpired`.
 *
 * Give it an ioredis client that fails fast while Redis is down
 * (`enableOfflineQueue: false`, a `commandTimeout`): a check that cannot be
 * made then rejects, and the request fails closed as a 500 rather than
 * waiting, or letting a revoked token through.
 *
 * @example
 * const redis = new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false, commandTimeout: 500 });
 * createAuth({ ..., denylist: new RedisDenylistStore(redis) });
 */
export class RedisDenylistStore implements DenylistStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix = 'ejwt:deny:') {
    this.redis = redis;
    this.prefix = prefix;
  }

  async add(jti: string, expiresAt: number): Promise<void> {
    const ttl = Math.max(expiresAt - Date.now(), 0) + SLACK_MS;
    await this.redis.eval(ADD, 2, this.prefix + jti, `${this.prefix}index`, String(expiresAt), String(ttl), jti);
  }

  async has(jti: string, now: number): Promise<boolean> {
    const expiresAt = await this.redis.get(this.prefix + jti);
    return expiresAt !== null && Number(expiresAt) > now;
  }

  async purgeExpired(now: number): Promise<number> {
    return Number(await this.redis.eval(PURGE, 1, `${this.prefix}index`, String(now), this.prefix));
  }
}

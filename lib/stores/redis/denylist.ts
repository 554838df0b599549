import type { Redis } from 'ioredis';
import type { ChangeFeed, DenylistStore } from '../types';
import { RedisChangeFeed } from './change-feed';
import { RedisDataGuard, type RedisDataGuardOptions } from './data-guard';

// Keeps the later expiry, atomically: a second revocation never shortens the first. Counts the write
// (KEYS[3], the guard's write counter) and answers the count, so a Redis that loses it later shows.
const ADD = `
local writes = redis.call('INCR', KEYS[3])
local current = redis.call('GET', KEYS[1])
if current and tonumber(current) >= tonumber(ARGV[1]) then return writes end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[3])
redis.call('PUBLISH', KEYS[4], ARGV[3])
return writes`;

const PURGE = `
local jtis = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, jti in ipairs(jtis) do redis.call('DEL', ARGV[2] .. jti) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return #jtis`;

/** Extra lifetime of a key past its token's expiry, for clocks that differ between instances. */
const SLACK_MS = 3600_000;

/** Options of a RedisDenylistStore. */
export interface RedisDenylistStoreOptions {
  /** Prefix of every key the store writes. Default "ejwt:deny:". */
  prefix?: string;
  /**
   * What finds a Redis that lost its data: a RedisDataGuard to share with other stores on the same Redis, or
   * the options of one of the store's own, whose marker is `<prefix>marker`. Default a guard of its own.
   */
  guard?: RedisDataGuard | RedisDataGuardOptions;
}

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
 * Revocations live only as long as Redis keeps them: run it with persistence
 * (AOF) and `maxmemory-policy noeviction`. A Redis that lost its data anyway
 * (restarted empty, flushed) is found by its `guard` (see RedisDataGuard):
 * `has` then rejects with StoreUntrustedError, again a 500, until every token
 * revoked before the loss has expired.
 *
 * @example
 * const redis = new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false, commandTimeout: 500 });
 * const denylist = new RedisDenylistStore(redis, { guard: { onEvent: (e) => logger[e.level](e.message) } });
 * createAuth({ ..., denylist });
 */
export class RedisDenylistStore implements DenylistStore {
  /** What finds a Redis that lost its data. */
  readonly guard: RedisDataGuard;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ownGuard: boolean;
  private feed: RedisChangeFeed | undefined;

  /** `options` may also be the prefix alone, as before. */
  constructor(redis: Redis, options: RedisDenylistStoreOptions | string = {}) {
    const { prefix = 'ejwt:deny:', guard } = typeof options === 'string' ? { prefix: options } : options;
    if (typeof prefix !== 'string' || prefix === '') throw new TypeError('prefix must be a non-empty string');
    this.redis = redis;
    this.prefix = prefix;
    // One connection for the store's writes and the guard's reads: the write counter is compared in order.
    if (guard instanceof RedisDataGuard && guard.redis !== redis) throw new TypeError('guard must use the same Redis client as the store');
    this.ownGuard = !(guard instanceof RedisDataGuard);
    this.guard = guard instanceof RedisDataGuard ? guard : new RedisDataGuard(redis, { key: `${prefix}marker`, ...guard });
  }

  /** createAuth tells the store how long a token can be accepted (accessTokenTtl + clockTolerance): the guard's window. */
  setTokenLifetime(seconds: number): void {
    this.guard.coverTokensFor(seconds);
  }

  async add(jti: string, expiresAt: number): Promise<void> {
    const ttl = Math.max(expiresAt - Date.now(), 0) + SLACK_MS;
    const writes = await this.redis.eval(ADD, 4, this.prefix + jti, `${this.prefix}index`, this.guard.writesKey, `${this.prefix}changes`, String(expiresAt), String(ttl), jti);
    this.guard.noteWrite(Number(writes));
    // At once for this process; the script's PUBLISH tells the others.
    this.feed?.token(jti);
  }

  async has(jti: string, now: number): Promise<boolean> {
    // The marker in the same round trip: a Redis that came back empty must not answer "not revoked".
    const [marker, writes, expiresAt] = await this.redis.mget(this.guard.key, this.guard.writesKey, this.prefix + jti);
    await this.guard.ensureTrusted(marker ?? null, writes ?? null);
    return expiresAt !== null && Number(expiresAt) > now;
  }

  async purgeExpired(now: number): Promise<number> {
    return Number(await this.redis.eval(PURGE, 1, `${this.prefix}index`, String(now), this.prefix));
  }

  /**
   * Every instance's adds, through pub/sub on `<prefix>changes` and a
   * subscriber connection of its own, opened at the first listener (see
   * RedisChangeFeed).
   */
  changeFeed(): ChangeFeed {
    return (this.feed ??= new RedisChangeFeed(this.redis, this.prefix, this.guard));
  }

  /** Stops the background checks of its own guard (a shared guard is closed by its owner) and the feed's subscriber. The client stays open. */
  close(): void {
    if (this.ownGuard) this.guard.close();
    this.feed?.close();
  }
}

import type { Redis } from 'ioredis';
import type { DpopReplayStore } from '../types';

/** Options of `RedisDpopReplayStore`. */
export interface RedisDpopReplayStoreOptions {
  /** Prefix of every key the store writes. Default "ejwt:dpop:". */
  prefix?: string;
}

/** Extra lifetime of a key past its proof's window, for clocks that differ between instances. */
const SLACK_MS = 60_000;

/**
 * The DPoP replay cache (RFC 9449 §11.1) in Redis, shared by every instance:
 * one key per proof, set with `SET … NX PX`, so of two instances that get the
 * same proof at once exactly one accepts it, and Redis forgets the key once
 * the proof could no longer be accepted anyway.
 *
 * Give it an ioredis client that fails fast while Redis is down
 * (`enableOfflineQueue: false`, a `commandTimeout`): a check that cannot be
 * made then rejects, and the request fails closed as a 500 rather than
 * waiting, or accepting a proof that may be a replay.
 *
 * @example
 * const redis = new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false, commandTimeout: 500 });
 * createAuth({ ..., dpop: 'allowed', dpopReplayStore: new RedisDpopReplayStore(redis, { prefix: 'myapp:dpop:' }) });
 *
 * A Redis that lost its data (a restart without persistence) forgets the
 * proofs of the last window only: each could then be replayed once, within
 * `dpopMaxAge` of its making. Unlike the denylist, nothing older is at stake.
 */
export class RedisDpopReplayStore implements DpopReplayStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, options: RedisDpopReplayStoreOptions | string = {}) {
    const { prefix = 'ejwt:dpop:' } = typeof options === 'string' ? { prefix: options } : options;
    if (typeof prefix !== 'string' || prefix === '') throw new TypeError('prefix must be a non-empty string');
    this.redis = redis;
    this.prefix = prefix;
  }

  async claim(key: string, expiresAt: number, now: number): Promise<boolean> {
    const ttl = Math.max(Math.ceil(expiresAt - now), 1) + SLACK_MS;
    return (await this.redis.set(this.prefix + key, '1', 'PX', ttl, 'NX')) === 'OK';
  }
}

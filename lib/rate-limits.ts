import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { TooManyRequestsError } from './errors';
import { usernameKey } from './usernames';

/** Brute-force protection (RFC 6749 §4.3.2; OWASP Authentication Cheat Sheet). */
export interface RateLimitOptions {
  /** Consecutive failed logins on one account before it is blocked. Default 5. */
  maxFailures: number;
  /** The first block, in seconds; each further failure doubles it. Default 60. */
  blockSeconds: number;
  /** The longest block, in seconds: a block always ends on its own. Default 900. */
  maxBlockSeconds: number;
  /** Failed logins per client IP and hour; past it the IP gets 429 until the hour is over. Default 100. */
  ipFailuresPerHour: number;
  /** Requests per client IP and minute to each of the token, revoke and registration endpoints. Default 60. */
  ipRequestsPerMinute: number;
  /** Registrations per client IP and hour. Default 10. */
  registrationsPerHour: number;
  /** An ioredis client: counters are then shared by every instance. Default none (in memory, per process). */
  redis: Redis | undefined;
  /** Prefix of the counters' keys, for several apps on one Redis. Default "ejwt". */
  keyPrefix: string;
}

export const DEFAULT_RATE_LIMITS: Readonly<Omit<RateLimitOptions, 'redis' | 'keyPrefix'>> = Object.freeze({
  maxFailures: 5,
  blockSeconds: 60,
  maxBlockSeconds: 900,
  ipFailuresPerHour: 100,
  ipRequestsPerMinute: 60,
  registrationsPerHour: 10,
});

/** Failures on an account are forgotten this long after the first one (or at once, on a success). */
const FAILURE_WINDOW_SECONDS = 24 * 3600;

/** Which endpoint a per-IP request limit is for. */
export type LimitedEndpoint = 'token' | 'revoke' | 'register';

/**
 * The counters behind brute-force protection, on rate-limiter-flexible: in
 * memory by default, in Redis when a client is given. With Redis down, each
 * Redis limiter falls back to an in-memory one of the same shape (its
 * insurance), so limits still hold per instance and nothing crashes.
 *
 * Account blocks grow: after `maxFailures` consecutive failures the account is
 * blocked for `blockSeconds`, then twice that after the next failure, and so
 * on up to `maxBlockSeconds`; every block expires on its own, and a success
 * clears the count. While an account or IP is blocked, logins are refused
 * before any argon2 work.
 */
export class RateLimits {
  private readonly failures: RateLimiterAbstract;
  private readonly blocks: RateLimiterAbstract;
  private readonly ipFailures: RateLimiterAbstract;
  private readonly requests: Record<LimitedEndpoint, RateLimiterAbstract>;
  readonly options: Readonly<RateLimitOptions>;

  constructor(options: Partial<RateLimitOptions> = {}) {
    const merged = { ...DEFAULT_RATE_LIMITS, redis: undefined, keyPrefix: 'ejwt', ...options };
    if (typeof merged.keyPrefix !== 'string' || merged.keyPrefix === '') throw new TypeError('rateLimits.keyPrefix must be a non-empty string');
    for (const name of Object.keys(DEFAULT_RATE_LIMITS) as Array<keyof typeof DEFAULT_RATE_LIMITS>) {
      if (!Number.isSafeInteger(merged[name]) || merged[name] < 1) throw new TypeError(`rateLimits.${name} must be a whole number of at least 1`);
    }
    this.options = Object.freeze(merged);
    const make = (keyPrefix: string, points: number, duration: number) =>
      limiter(merged.redis, { keyPrefix: `${merged.keyPrefix}:${keyPrefix}`, points, duration });
    // Points far above maxFailures: this limiter only counts; blocks decides.
    this.failures = make('fail:account', 1_000_000, FAILURE_WINDOW_SECONDS);
    this.blocks = make('block:account', 1, merged.maxBlockSeconds);
    this.ipFailures = make('fail:ip', merged.ipFailuresPerHour, 3600);
    this.requests = {
      token: make('req:token', merged.ipRequestsPerMinute, 60),
      revoke: make('req:revoke', merged.ipRequestsPerMinute, 60),
      register: make('req:register', merged.registrationsPerHour, 3600),
    };
  }

  /** Counts a request from `ip` to `endpoint`; throws TooManyRequestsError past the limit. */
  async request(endpoint: LimitedEndpoint, ip: string): Promise<void> {
    await consumeOrThrow(this.requests[endpoint], ip, `${endpoint} requests from this IP`);
  }

  /** Throws TooManyRequestsError while the account or the IP is blocked. Runs before any password check. */
  async checkLogin(username: string, ip: string): Promise<void> {
    const [block, ipFailures] = await Promise.all([this.blocks.get(usernameKey(username)), this.ipFailures.get(ip)]);
    if (block && block.consumedPoints > 0) {
      throw new TooManyRequestsError(block.msBeforeNext / 1000, { cause: new Error('account blocked after failed logins') });
    }
    if (ipFailures && ipFailures.remainingPoints <= 0) {
      throw new TooManyRequestsError(ipFailures.msBeforeNext / 1000, { cause: new Error('too many failed logins from this IP') });
    }
  }

  /** Records a failed login; blocks the account once it has `maxFailures` consecutive failures. */
  async loginFailed(username: string, ip: string): Promise<void> {
    const key = usernameKey(username);
    const [count] = await Promise.all([this.failures.penalty(key), this.ipFailures.penalty(ip)]);
    const beyond = count.consumedPoints - this.options.maxFailures;
    if (beyond >= 0) {
      const seconds = Math.min(this.options.blockSeconds * 2 ** Math.min(beyond, 30), this.options.maxBlockSeconds);
      await this.blocks.block(key, seconds);
    }
  }

  /** A success clears the account's count (OWASP: consecutive failures). */
  async loginSucceeded(username: string): Promise<void> {
    await this.failures.delete(usernameKey(username));
  }
}

function limiter(redis: Redis | undefined, opts: { keyPrefix: string; points: number; duration: number }): RateLimiterAbstract {
  const memory = new RateLimiterMemory(opts);
  if (!redis) return memory;
  return new RateLimiterRedis({ ...opts, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: memory });
}

async function consumeOrThrow(limit: RateLimiterAbstract, key: string, what: string): Promise<void> {
  try {
    await limit.consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw new TooManyRequestsError(err.msBeforeNext / 1000, { cause: new Error(`too many ${what}`) });
    throw err;
  }
}

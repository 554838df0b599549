import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { TooManyRequestsError, type FailureReason } from '../core/errors';
import { usernameKey } from '../core/usernames';

/** Brute-force protection (RFC 6749 §4.3.2; OWASP Authentication Cheat Sheet). */
export interface RateLimitOptions {
  /** Failed logins in a row on one account from one client before that client is blocked from it. Default 5. */
  maxFailures: number;
  /** The first block, in seconds; each further block of the same account and client doubles it. Default 60. */
  blockSeconds: number;
  /** The longest block, in seconds: a block always ends on its own. Default 900. */
  maxBlockSeconds: number;
  /** Failed logins on one account per day from clients that never logged into it; past it only known clients may try. Default 100. */
  accountFailuresPerDay: number;
  /** Failed logins per client and hour, across accounts; past it the client gets 429 until the hour is over. Default 100. */
  ipFailuresPerHour: number;
  /** Requests per client and minute to each of the token and revoke endpoints. Default 60. */
  ipRequestsPerMinute: number;
  /** Registrations per client and hour. Default 10. */
  registrationsPerHour: number;
  /** An ioredis client: counters are then shared by every instance. Default none (in memory, per process). */
  redis: RedisCounterClient | undefined;
  /** Prefix of the counters' keys, for several apps on one Redis. Default "ejwt". */
  keyPrefix: string;
}

/**
 * The Redis client the counters use: an ioredis `Redis` (declared here by
 * shape, so an app without ioredis needs no types from it).
 */
export interface RedisCounterClient {
  readonly status: string;
  defineCommand(...args: never[]): unknown;
  multi(...args: never[]): unknown;
}

export const DEFAULT_RATE_LIMITS: Readonly<Omit<RateLimitOptions, 'redis' | 'keyPrefix'>> = Object.freeze({
  maxFailures: 5,
  blockSeconds: 60,
  maxBlockSeconds: 900,
  accountFailuresPerDay: 100,
  ipFailuresPerHour: 100,
  ipRequestsPerMinute: 60,
  registrationsPerHour: 10,
});

const DAY = 24 * 3600;
/**
 * How long a client that logged into an account counts as known to it. Under
 * 24.8 days: the in-memory limiter expires keys with setTimeout, which turns
 * anything longer into 1 ms.
 */
const KNOWN_CLIENT_SECONDS = 14 * DAY;

/** Which endpoint a per-IP request limit is for. */
export type LimitedEndpoint = 'token' | 'revoke' | 'register';

/**
 * The counters behind brute-force protection, on rate-limiter-flexible: in
 * memory by default, in Redis when a client is given. With Redis down, each
 * Redis limiter falls back to an in-memory one of the same shape (its
 * insurance), so limits still hold per instance and nothing crashes.
 *
 * Every attempt is counted atomically before any argon2 work and given back
 * when it succeeds, so a burst of parallel guesses gets no more tries than
 * one after another.
 *
 * - Per account and client: `maxFailures` failures in a row block that
 *   client from that account for `blockSeconds`, doubling with each further
 *   block up to `maxBlockSeconds`; every block ends on its own. Another
 *   client (the owner's) is not blocked by it, so the lock cannot be used to
 *   shut the owner out.
 * - Per account, across clients: past `accountFailuresPerDay` failures,
 *   only clients that logged into the account before may try, which bounds a
 *   distributed attack without locking the owner out.
 * - Per client: `ipFailuresPerHour` failures across accounts.
 *
 * Accounts are keyed by a hash of their username key (bounded size, no raw
 * names in Redis), clients by IP address, IPv6 by its /64 prefix.
 */
export class RateLimits {
  private readonly attempts: RateLimiterAbstract;
  private readonly blockLevels: RateLimiterAbstract;
  private readonly accountFailures: RateLimiterAbstract;
  private readonly knownClients: RateLimiterAbstract;
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
    this.attempts = make('login:attempts', merged.maxFailures, DAY);
    this.blockLevels = make('login:blocks', 1_000_000, DAY);
    this.accountFailures = make('login:account', 1_000_000, DAY);
    this.knownClients = make('login:known', 1_000_000, KNOWN_CLIENT_SECONDS);
    this.ipFailures = make('login:ip', merged.ipFailuresPerHour, 3600);
    this.requests = {
      token: make('req:token', merged.ipRequestsPerMinute, 60),
      revoke: make('req:revoke', merged.ipRequestsPerMinute, 60),
      register: make('req:register', merged.registrationsPerHour, 3600),
    };
  }

  /** Counts a request from `ip` to `endpoint`; throws TooManyRequestsError past the limit. */
  async request(endpoint: LimitedEndpoint, ip: string): Promise<void> {
    await consume(this.requests[endpoint], clientKey(ip), 'client.requests', `too many ${endpoint} requests from this client`);
  }

  /**
   * Counts a login attempt before the password is checked; throws
   * TooManyRequestsError (and counts nothing) while the account is blocked
   * for this client, the client has too many failures, or the account is
   * under a distributed attack and this client never logged into it.
   */
  async beginLogin(username: string, ip: string): Promise<void> {
    const { account, client, pair } = keys(username, ip);
    const [known, accountFailures] = await Promise.all([this.knownClients.get(pair), this.accountFailures.get(account)]);
    if (!known && accountFailures && accountFailures.consumedPoints >= this.options.accountFailuresPerDay) {
      throw new TooManyRequestsError(accountFailures.msBeforeNext / 1000, { reason: 'login.account_limited', detail: 'account under attack: only known clients may log in' });
    }
    await consume(this.ipFailures, client, 'client.failures', 'too many failed logins from this client');
    try {
      await consume(this.attempts, pair, 'login.blocked', 'account blocked for this client after failed logins');
    } catch (err) {
      await this.ipFailures.reward(client);
      throw err;
    }
    await this.accountFailures.penalty(account);
  }

  /** Records that the counted attempt failed: the last allowed failure starts a block, longer each time. */
  async loginFailed(username: string, ip: string): Promise<void> {
    const { pair } = keys(username, ip);
    const attempts = await this.attempts.get(pair);
    if (!attempts || attempts.consumedPoints < this.options.maxFailures) return;
    const level = (await this.blockLevels.penalty(pair)).consumedPoints - 1;
    const seconds = Math.min(this.options.blockSeconds * 2 ** Math.min(level, 30), this.options.maxBlockSeconds);
    await this.attempts.block(pair, seconds);
  }

  /** Gives the counted attempt back, clears the account's failures for this client, and remembers the client. */
  async loginSucceeded(username: string, ip: string): Promise<void> {
    const { account, client, pair } = keys(username, ip);
    await Promise.all([
      this.attempts.delete(pair),
      this.blockLevels.delete(pair),
      this.ipFailures.reward(client),
      this.accountFailures.reward(account),
      this.knownClients.penalty(pair),
    ]);
  }
}

function keys(username: string, ip: string) {
  // A hash: bounded size whatever the client sends, and no usernames in Redis.
  const account = createHash('sha256').update(usernameKey(username)).digest('base64url').slice(0, 22);
  const client = clientKey(ip);
  return { account, client, pair: `${account}|${client}` };
}

/** The client an address stands for: an IPv6 /64 is one client (it is what one subscriber gets). */
export function clientKey(ip: string): string {
  const address = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIP(address) !== 6) return address;
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => parseInt(g || '0', 16).toString(16)).join(':')}::/64`;
}

function limiter(redis: RedisCounterClient | undefined, opts: { keyPrefix: string; points: number; duration: number }): RateLimiterAbstract {
  const memory = new RateLimiterMemory(opts);
  if (!redis) return memory;
  return new RateLimiterRedis({ ...opts, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: memory });
}

async function consume(limit: RateLimiterAbstract, key: string, reason: FailureReason, detail: string): Promise<void> {
  try {
    await limit.consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw new TooManyRequestsError(err.msBeforeNext / 1000, { reason, detail });
    throw err;
  }
}

import { createHash } from 'node:crypto';
import { TooManyRequestsError, type FailureReason } from '../core/errors';
import { usernameKey } from '../core/usernames';
import { clientKey } from './client-key';
import { MemoryCounterStore, RedisCounterStore, type CounterStore, type Limit, type Outcome, type RedisCounterClient } from './counters';

export type { RedisCounterClient } from './counters';

/** Brute-force protection (RFC 6749 §4.3.2; OWASP Authentication Cheat Sheet). */
export interface RateLimitOptions {
  /** Failed logins in a row on one account from one client (its device cookie, or else its address) before that client is blocked from it. Default 5. */
  maxFailures: number;
  /** The first block, in seconds; each further block of the same account and client doubles it. Default 60. */
  blockSeconds: number;
  /** The longest block of a client from an account, in seconds: every such block ends by then. Default 900. */
  maxBlockSeconds: number;
  /** Failed logins on one account per day from clients without its device cookie (and, apart, from its devices): at most this many at once, then one every 86400 / this seconds. Default 100. */
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

export const DEFAULT_RATE_LIMITS: Readonly<Omit<RateLimitOptions, 'redis' | 'keyPrefix'>> = Object.freeze({
  maxFailures: 5,
  blockSeconds: 60,
  maxBlockSeconds: 900,
  accountFailuresPerDay: 100,
  ipFailuresPerHour: 100,
  ipRequestsPerMinute: 60,
  registrationsPerHour: 10,
});

const DAY_MS = 86_400_000;

/** Which endpoint a per-IP request limit is for. */
export type LimitedEndpoint = 'token' | 'revoke' | 'register';

/** How a counted login attempt ended: a credential failure, a success, or neither (503, a store error). */
export type LoginOutcome = Outcome;

/** A login attempt that was counted; `settle` it once the password check is over. */
export interface LoginAttempt {
  /**
   * Records how the attempt ended: `failed` keeps its counts (and may start
   * a block), `succeeded` clears the client's streak and gives the rest
   * back, `abandoned` (no credential was checked) gives every count back.
   * Never rejects: a counter that cannot be reached keeps the count until
   * its window ends.
   */
  settle(outcome: LoginOutcome): Promise<void>;
}

/** What RateLimits takes from the rest of the configuration, beside its options. */
export interface RateLimitContext {
  /** The clock, in ms. Default Date.now. */
  now?: () => number;
  /** Told when Redis could not be used and the counters fell back to memory. */
  onError?: (err: unknown, context: string) => void;
}

/**
 * The counters behind brute-force protection: in memory by default, in Redis
 * when a client is given (then shared by every instance; while Redis is
 * unreachable, counted in this process's memory instead, so limits still
 * hold per instance and nothing crashes).
 *
 * Every attempt is counted on all its limits at once, atomically, before any
 * argon2 work, and given back when it succeeds or ends without a credential
 * check (503, store error), so a burst of parallel guesses gets no more tries
 * than one after another, and a load spike costs the owner nothing.
 *
 * A login comes from a trusted client when it carries a valid device cookie
 * for the account (OWASP Authentication Cheat Sheet, device cookies; checked
 * by the caller, which passes the device's id), and from an untrusted one
 * otherwise:
 *
 * - Per account and client: `maxFailures` failures in a row block the client
 *   from the account for `blockSeconds`, doubling with each further block up
 *   to `maxBlockSeconds`; every block ends on its own. The client is the
 *   device cookie for a trusted login (the device is locked out alone), its
 *   address (`clientKey`) for an untrusted one.
 * - Per account, for untrusted clients together: a token bucket of
 *   `accountFailuresPerDay` failures refilled over a day. Empty, it locks
 *   every untrusted client out of the account (the owner's devices are not),
 *   each refusal waiting at most 86400 / `accountFailuresPerDay` seconds for
 *   the next token. The account's devices share a bucket of the same size of
 *   their own, so no number of device cookies gives unlimited guesses.
 * - Per client address: `ipFailuresPerHour` failures across accounts, trusted
 *   or not, in a fixed hour.
 *
 * Accounts are keyed by a hash of their username key (bounded size, no raw
 * names in Redis), addresses by `clientKey`.
 *
 * @example
 * const limits = new RateLimits({ maxFailures: 5 });
 * const attempt = await limits.beginLogin('alice', req.ip); // throws TooManyRequestsError while blocked
 * await attempt.settle(passwordMatched ? 'succeeded' : 'failed');
 */
export class RateLimits {
  readonly options: Readonly<RateLimitOptions>;
  private readonly memory = new MemoryCounterStore();
  private readonly redis: RedisCounterStore | undefined;
  private readonly now: () => number;
  private readonly onError: ((err: unknown, context: string) => void) | undefined;
  private readonly prefix: string;

  constructor(options: Partial<RateLimitOptions> = {}, context: RateLimitContext = {}) {
    const merged = { ...DEFAULT_RATE_LIMITS, redis: undefined, keyPrefix: 'ejwt', ...options };
    if (typeof merged.keyPrefix !== 'string' || merged.keyPrefix === '') throw new TypeError('rateLimits.keyPrefix must be a non-empty string');
    for (const name of Object.keys(DEFAULT_RATE_LIMITS) as Array<keyof typeof DEFAULT_RATE_LIMITS>) {
      if (!Number.isSafeInteger(merged[name]) || merged[name] < 1) throw new TypeError(`rateLimits.${name} must be a whole number of at least 1`);
    }
    if (merged.blockSeconds > merged.maxBlockSeconds) throw new TypeError('rateLimits.blockSeconds must not exceed rateLimits.maxBlockSeconds');
    if (merged.redis !== undefined && (typeof merged.redis !== 'object' || merged.redis === null || typeof merged.redis.eval !== 'function')) {
      throw new TypeError('rateLimits.redis must be an ioredis client');
    }
    this.options = Object.freeze(merged);
    this.redis = merged.redis ? new RedisCounterStore(merged.redis) : undefined;
    const now = context.now ?? Date.now;
    this.now = () => Math.floor(now());
    this.onError = context.onError;
    // "bf": a namespace of its own, apart from the keys of earlier versions.
    this.prefix = `${merged.keyPrefix}:bf:`;
  }

  /** Counts a request from `ip` to `endpoint`; throws TooManyRequestsError past the limit. */
  async request(endpoint: LimitedEndpoint, ip: string | undefined): Promise<void> {
    const { ipRequestsPerMinute, registrationsPerHour } = this.options;
    const limit: Limit = endpoint === 'register'
      ? { kind: 'window', key: `${this.prefix}req:${endpoint}:${clientKey(ip)}`, limit: registrationsPerHour, windowMs: 3_600_000 }
      : { kind: 'window', key: `${this.prefix}req:${endpoint}:${clientKey(ip)}`, limit: ipRequestsPerMinute, windowMs: 60_000 };
    const { admission } = await this.begin([limit]);
    if (!admission.admitted) throw new TooManyRequestsError(admission.waits[0]! / 1000, { reason: 'client.requests', detail: `too many ${endpoint} requests from this client` });
  }

  /**
   * Counts a login attempt before the password is checked; throws
   * TooManyRequestsError (and counts nothing) while any of its limits
   * refuses, with the longest of their waits as Retry-After. `device` is the
   * id of a valid device cookie for this account (a trusted client), or
   * undefined (an untrusted one).
   */
  async beginLogin(username: string, ip: string | undefined, device?: string): Promise<LoginAttempt> {
    const account = accountKey(username);
    const client = clientKey(ip);
    const { maxFailures, blockSeconds, maxBlockSeconds, accountFailuresPerDay, ipFailuresPerHour } = this.options;
    const lock = { kind: 'lock', maxFailures, blockMs: blockSeconds * 1000, maxBlockMs: maxBlockSeconds * 1000, idleMs: maxBlockSeconds * 1000 } as const;
    const bucket = { kind: 'bucket', capacity: accountFailuresPerDay, intervalMs: Math.ceil(DAY_MS / accountFailuresPerDay) } as const;
    const limits: Limit[] = device === undefined
      ? [{ ...lock, key: `${this.prefix}lock:${account}:${client}` }, { ...bucket, key: `${this.prefix}account:${account}` }]
      : [{ ...lock, key: `${this.prefix}device:${account}:${device}` }, { ...bucket, key: `${this.prefix}devices:${account}` }];
    limits.push({ kind: 'window', key: `${this.prefix}ip:${client}`, limit: ipFailuresPerHour, windowMs: 3_600_000 });
    const reasons: FailureReason[] = device === undefined
      ? ['login.blocked', 'login.account_limited', 'client.failures']
      : ['login.device_blocked', 'login.devices_limited', 'client.failures'];

    const { store, admission } = await this.begin(limits);
    if (!admission.admitted) {
      // Admitted only when every limit admits: the longest wait is the one to tell.
      const longest = admission.waits.reduce((best, wait, i) => (wait > admission.waits[best]! ? i : best), 0);
      throw new TooManyRequestsError(admission.waits[longest]! / 1000, { reason: reasons[longest], detail: DETAILS[reasons[longest]!] });
    }
    let settled = false;
    return {
      settle: async (outcome) => {
        if (settled) return;
        settled = true;
        try {
          await store.settle(limits, admission.tokens, outcome, this.now());
        } catch (err) {
          this.onError?.(err, 'rate-limit counters unavailable: a login attempt could not be settled');
        }
      },
    };
  }

  /** Counts on Redis when it is ready, else (or when it fails) in memory. */
  private async begin(limits: Limit[]) {
    const now = this.now();
    if (this.redis?.ready) {
      try {
        return { store: this.redis as CounterStore, admission: await this.redis.begin(limits, now) };
      } catch (err) {
        this.onError?.(err, 'rate-limit counters unavailable: counting in memory');
      }
    }
    return { store: this.memory as CounterStore, admission: this.memory.beginNow(limits, now) };
  }
}

const DETAILS: Partial<Record<FailureReason, string>> = {
  'login.blocked': 'account blocked for this client after failed logins',
  'login.device_blocked': 'account blocked for this device cookie after failed logins',
  'login.account_limited': 'account under attack: only clients with a device cookie may log in',
  'login.devices_limited': 'too many failed logins on this account from its own devices',
  'client.failures': 'too many failed logins from this client',
};

/**
 * The key of an account in the counters and device cookies: a hash of its
 * username key (bounded size whatever the client sends, and no usernames in
 * Redis or cookies).
 */
export function accountKey(username: string): string {
  return createHash('sha256').update(usernameKey(username)).digest('base64url').slice(0, 22);
}

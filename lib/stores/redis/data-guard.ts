import type { Redis } from 'ioredis';
import { StoreUntrustedError } from '../../core/errors';

/** Something the guard found, for the app's log: `level` says how loud. */
export interface RedisGuardEvent {
  /**
   * - `initialized`: no marker at this instance's first contact, taken as a new Redis (info);
   * - `data_lost`: the marker was missing, or another instance found it so: untrusted until `untrustedUntil` (error);
   * - `trusted_again`: the window has passed, or an operator said so (info);
   * - `eviction_policy`: `maxmemory-policy` may evict our keys (warn);
   * - `no_persistence`: neither AOF nor RDB snapshots: a restart loses everything (warn);
   * - `config_unreadable`: CONFIG GET is not allowed (a managed Redis), so the two checks above were skipped (info);
   * - `check_failed`: a background check of the marker failed while the client was connected (warn).
   */
  kind: 'initialized' | 'data_lost' | 'trusted_again' | 'eviction_policy' | 'no_persistence' | 'config_unreadable' | 'check_failed';
  level: 'error' | 'warn' | 'info';
  /** One line for the log; never holds a key's value other than the marker's. */
  message: string;
  /** For `data_lost`: when the data is trusted again (ms since the epoch; Infinity until an operator acts). */
  untrustedUntil?: number;
}

/** Options of a RedisDataGuard. */
export interface RedisDataGuardOptions {
  /** The marker key: written once, with no TTL; its absence means Redis lost its data. Default "ejwt:marker". */
  key?: string;
  /**
   * Seconds to distrust Redis after a loss is found: the longest a token whose revocation Redis held can
   * still be accepted (accessTokenTtl + clockTolerance). createAuth raises it to its own value. Default 930.
   */
  trustWindow?: number;
  /**
   * What a missing marker means at this instance's first contact with Redis: "new" (a new, empty Redis: the
   * marker is written and nothing is distrusted) or "lost" (a loss, as at any later time). Default "new".
   */
  missingAtStart?: 'new' | 'lost';
  /** Also check the marker every this many seconds (besides every request and every reconnect); 0 never. Default 30. */
  checkInterval?: number;
  /** Read `maxmemory-policy`, `appendonly` and `save` at the first contact and report risky settings. Default true. */
  checkConfig?: boolean;
  /** Told what the guard found (see RedisGuardEvent); log it. A hook that throws is ignored. Default none. */
  onEvent?: (event: RedisGuardEvent) => void;
  /** Clock in milliseconds since the epoch. Default Date.now. */
  now?: () => number;
}

/** Writes the marker only if it is missing, and answers what it holds now, atomically. */
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current then return {0, current} end
redis.call('SET', KEYS[1], ARGV[1])
return {1, ARGV[1]}`;

/** Raises the marker's untrusted-until time, never lowers it; answers what it holds now. */
const DISTRUST = `
local current = tonumber(redis.call('GET', KEYS[1]))
if current == nil or current < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
  return ARGV[1]
end
return tostring(current)`;

/** createAuth's defaults: a 15-minute access token plus 30 s of clock tolerance. */
const DEFAULT_TRUST_WINDOW = 930;

/**
 * Finds a Redis that lost its data and keeps the stores on it closed until
 * that data can be trusted again. A Redis restarted without persistence, or
 * flushed, comes back empty: every revocation it held is gone, and a revoked
 * token would be accepted again.
 *
 * How: a marker key is written at the first contact, with no TTL (so no
 * `volatile-*` eviction policy drops it). It is read with every denylist
 * check (in the same round trip), after every reconnect (ioredis `ready`) and
 * every `checkInterval`. When it is missing, the data is lost: the guard
 * re-writes the marker holding `now + trustWindow`, the time until which the
 * data is untrusted, and every store using it rejects with
 * `StoreUntrustedError` (the request fails closed: a 500) until then.
 *
 * A Redis can also lose only its latest writes (restarted from an older RDB
 * snapshot, the last second of an `appendfsync everysec` AOF after a power
 * cut, a replica promoted before it caught up): the marker is still there.
 * So every write also increments a counter (`<key>:writes`, no TTL), read
 * with the marker; a counter below the highest this instance has seen is a
 * loss too, handled the same way.
 *
 * Trusted again when every access token that could have been revoked before
 * the loss has expired: `trustWindow` (accessTokenTtl + clockTolerance) after
 * the loss was found. The loss happened before it was found, so no token
 * revoked then is accepted after that. Or at once when an operator says so
 * (`trustNow()`, or `SET <key> 0`). The time lives in the marker, in Redis, so
 * every instance keeps the same window, including one started later.
 *
 * Limits: a loss while no instance is running looks like a new Redis (see
 * `missingAtStart`), and lost writes only show to an instance that saw them
 * (one started after the loss cannot know); a Redis Cluster is not supported
 * (the denylist reads the marker, the counter and its key in one MGET).
 *
 * @example
 * const guard = new RedisDataGuard(redis, { key: 'myapp:marker', onEvent: (e) => logger[e.level]({ kind: e.kind }, e.message) });
 * const denylist = new RedisDenylistStore(redis, { prefix: 'myapp:deny:', guard });
 */
export class RedisDataGuard {
  /** The marker key. */
  readonly key: string;
  /** The write counter: every write of a store increments it (INCR, no TTL), so a Redis that went back in time shows. */
  readonly writesKey: string;
  /** The client it reads with: the stores sharing it must use this client too (their writes and its reads stay in order). */
  readonly redis: Redis;
  private trustWindowMs: number;
  private readonly missingAtStart: 'new' | 'lost';
  private readonly checkConfig: boolean;
  private readonly onEvent: ((event: RedisGuardEvent) => void) | undefined;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly onReady = () => void this.backgroundCheck();
  /** The marker has been read (or written) once by this instance. */
  private seen = false;
  private configChecked: Promise<void> | undefined;
  /** From the marker: untrusted until then (ms); 0 when trusted. */
  private untrustedUntilMs = 0;
  /** What the marker held when unreadable. */
  private unreadable: string | undefined;
  /** The loss (its untrustedUntil) last reported, so that each is logged once per instance. */
  private reportedLoss: number | undefined;
  /** The last read found the data untrusted: the next one that finds it trusted says so. */
  private distrusted = false;
  /** The highest write counter this instance has seen (written or read): a lower one later means lost writes. */
  private highestWrites = 0;
  private closed = false;

  constructor(redis: Redis, options: RedisDataGuardOptions = {}) {
    if (typeof redis !== 'object' || redis === null || typeof redis.mget !== 'function') throw new TypeError('redis must be an ioredis client');
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    this.redis = redis;
    this.key = options.key ?? 'ejwt:marker';
    if (typeof this.key !== 'string' || this.key === '') throw new TypeError('key must be a non-empty string');
    this.writesKey = `${this.key}:writes`;
    this.trustWindowMs = 1000 * seconds(options.trustWindow ?? DEFAULT_TRUST_WINDOW, 'trustWindow');
    this.missingAtStart = options.missingAtStart ?? 'new';
    if (this.missingAtStart !== 'new' && this.missingAtStart !== 'lost') throw new TypeError('missingAtStart must be "new" or "lost"');
    this.checkConfig = options.checkConfig ?? true;
    if (typeof this.checkConfig !== 'boolean') throw new TypeError('checkConfig must be a boolean');
    if (options.onEvent !== undefined && typeof options.onEvent !== 'function') throw new TypeError('onEvent must be a function');
    this.onEvent = options.onEvent;
    this.now = options.now ?? Date.now;
    if (typeof this.now !== 'function') throw new TypeError('now must be a function returning milliseconds');
    const interval = seconds(options.checkInterval ?? 30, 'checkInterval', true);

    redis.on('ready', this.onReady);
    if (redis.status === 'ready') void this.backgroundCheck();
    if (interval > 0) {
      this.timer = setInterval(() => void this.backgroundCheck(), interval * 1000);
      // A check must never keep a process alive that would otherwise exit.
      this.timer.unref();
    }
  }

  /**
   * Makes the window at least `seconds` long: createAuth calls it (through the
   * denylist) with accessTokenTtl + clockTolerance. Never shortens it.
   */
  coverTokensFor(seconds: number): void {
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) throw new TypeError('seconds must be a number of seconds');
    this.trustWindowMs = Math.max(this.trustWindowMs, seconds * 1000);
  }

  /** The window, in seconds. */
  get trustWindow(): number {
    return this.trustWindowMs / 1000;
  }

  /** Until when (ms) the data is untrusted, as last read from the marker; 0 when trusted. */
  get untrustedUntil(): number {
    return this.unreadable === undefined ? this.untrustedUntilMs : Infinity;
  }

  /**
   * True when `marker`, a value of the marker key just read, says the data is
   * trusted now, and this guard has found no loss that is not over: no side
   * effect, no write. The change feed's heartbeat asks it; a missing marker is
   * left to the next `ensureTrusted`, which reports and acts on it.
   */
  trusts(marker: string | null): boolean {
    return marker !== null && /^\d{1,16}$/.test(marker) && this.now() >= Number(marker) && this.now() >= this.untrustedUntil;
  }

  /** Reads the marker now and acts on it (reporting a loss); rejects only when Redis cannot be read. */
  async check(): Promise<void> {
    const [marker, writes] = await this.redis.mget(this.key, this.writesKey);
    await this.observe(marker ?? null, writes ?? null);
  }

  /** A store tells the guard the write counter its write returned (see `writesKey`). */
  noteWrite(writes: number): void {
    if (Number.isSafeInteger(writes)) this.highestWrites = Math.max(this.highestWrites, writes);
  }

  /**
   * Resolves when the data can be trusted; rejects with StoreUntrustedError
   * when not. `marker` and `writes` are the values of `key` and `writesKey`
   * when the caller has just read them (in the same MGET as its own key);
   * otherwise the guard reads them.
   */
  async ensureTrusted(marker?: string | null, writes?: string | null): Promise<void> {
    if (marker === undefined) await this.check();
    else await this.observe(marker, writes ?? null);
    const until = this.untrustedUntil;
    if (this.now() < until) {
      const when = until === Infinity ? 'until an operator says so' : `until ${new Date(until).toISOString()}`;
      throw new StoreUntrustedError(
        this.unreadable === undefined
          ? `Redis lost its data (the marker key ${this.key} was missing): revocations may be gone, so checks fail ${when}`
          : `the marker key ${this.key} holds ${JSON.stringify(this.unreadable)}, not a time: checks fail until it is SET to 0 (or the data is otherwise trusted)`,
        until,
      );
    }
  }

  /**
   * The operator's word that Redis can be trusted now (its data was restored,
   * or nothing in it mattered): every instance trusts it again with its next
   * read of the marker.
   */
  async trustNow(): Promise<void> {
    await this.redis.set(this.key, '0');
    this.highestWrites = 0;
    await this.check();
  }

  /** Stops the background checks and the reconnect listener. May be called twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.redis.off('ready', this.onReady);
  }

  private async observe(marker: string | null, writes: string | null): Promise<void> {
    const first = !this.seen;
    let value = marker;
    let claimed = false;
    let wentBack: string | undefined;
    if (value === null) {
      // Everything is gone, the counter with it: count afresh.
      this.highestWrites = 0;
      const fresh = first && this.missingAtStart === 'new';
      const [won, current] = (await this.redis.eval(CLAIM, 1, this.key, fresh ? '0' : String(this.now() + this.trustWindowMs))) as [number, string];
      claimed = won === 1;
      value = current;
      if (claimed && fresh) {
        this.report({
          kind: 'initialized',
          level: 'info',
          message: `no marker key ${this.key} in Redis at this instance's first contact: taken as a new, empty Redis, and the marker written (a loss while no instance ran cannot be told from this)`,
        });
      }
    } else {
      const count = writes === null ? 0 : Number(writes);
      if (Number.isSafeInteger(count) && count < this.highestWrites) {
        // Fewer writes than this instance saw: Redis came back from an older snapshot or AOF, or failed over
        // to a replica that lagged; revocations made since are gone, though the marker is there.
        wentBack = `Redis went back in time: its write counter ${this.writesKey} is ${count}, below the ${this.highestWrites} this instance saw (an older snapshot, writes lost in a crash, or a lagging replica promoted)`;
        value = (await this.redis.eval(DISTRUST, 1, this.key, String(this.now() + this.trustWindowMs))) as string;
        claimed = true;
        this.highestWrites = count;
      } else if (Number.isSafeInteger(count)) {
        this.highestWrites = Math.max(this.highestWrites, count);
      }
    }
    this.seen = true;
    if (first && this.checkConfig) await (this.configChecked ??= this.inspectConfig());
    if (/^\d{1,16}$/.test(value)) {
      this.untrustedUntilMs = Number(value);
      this.unreadable = undefined;
    } else {
      this.unreadable = value;
    }
    const until = this.untrustedUntil;
    if (this.now() < until) {
      this.distrusted = true;
      if (this.reportedLoss !== until || wentBack !== undefined) {
        this.reportedLoss = until;
        const when = until === Infinity ? 'until an operator SETs it to 0' : `until ${new Date(until).toISOString()}`;
        this.report({
          kind: 'data_lost',
          level: 'error',
          untrustedUntil: until,
          message:
            this.unreadable !== undefined
              ? `the marker key ${this.key} holds ${JSON.stringify(this.unreadable)}, not a time: denylist checks fail ${when}`
              : wentBack !== undefined
                ? `${wentBack}: revoked tokens could pass, so denylist checks fail ${when} (the longest token lifetime)`
                : claimed
                ? `Redis lost its data (the marker key ${this.key} was missing): revoked tokens could pass, so denylist checks fail ${when} (the longest token lifetime); restore the data and run trustNow() to end it sooner`
                : `another instance found that Redis lost its data (marker key ${this.key}): denylist checks fail ${when}`,
        });
      }
    } else if (this.distrusted) {
      this.distrusted = false;
      this.report({ kind: 'trusted_again', level: 'info', message: `Redis is trusted again (marker key ${this.key}): denylist checks answer again` });
    }
  }

  /** A check nobody waits for (reconnect, timer): its failure is reported, never thrown. */
  private async backgroundCheck(): Promise<void> {
    if (this.closed) return;
    try {
      await this.check();
    } catch (err) {
      // While Redis is down, ioredis reports that itself (its 'error' event); only other failures are news.
      if (this.redis.status === 'ready') {
        this.report({ kind: 'check_failed', level: 'warn', message: `cannot read the marker key ${this.key}: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
  }

  /** The settings that decide whether Redis keeps our keys: read once, at the first contact. */
  private async inspectConfig(): Promise<void> {
    let settings: Record<string, string>;
    try {
      const pairs = (await this.redis.call('CONFIG', 'GET', 'maxmemory-policy', 'appendonly', 'save')) as string[];
      settings = {};
      for (let i = 0; i + 1 < pairs.length; i += 2) settings[pairs[i]!] = pairs[i + 1]!;
    } catch (err) {
      this.report({
        kind: 'config_unreadable',
        level: 'info',
        message: `cannot read the Redis settings (CONFIG GET: ${err instanceof Error ? err.message : String(err)}): make sure maxmemory-policy is noeviction and persistence (AOF or RDB) is on`,
      });
      return;
    }
    const policy = settings['maxmemory-policy'];
    if (policy !== undefined && policy !== 'noeviction') {
      this.report({
        kind: 'eviction_policy',
        level: 'warn',
        message: policy.startsWith('volatile-')
          ? `Redis maxmemory-policy is ${policy}: under memory pressure it evicts keys with a TTL first, and every denylist entry has one, so revoked tokens would pass again; set it to noeviction`
          : `Redis maxmemory-policy is ${policy}: under memory pressure it may evict any key, denylist entries included; set it to noeviction`,
      });
    }
    if (settings.appendonly === 'no' && (settings.save ?? '') === '') {
      this.report({
        kind: 'no_persistence',
        level: 'warn',
        message: 'Redis keeps nothing across a restart (appendonly no, no save points): a restart loses every revocation and is then handled as a data loss; turn on AOF (appendonly yes, appendfsync everysec) or RDB snapshots',
      });
    }
  }

  private report(event: RedisGuardEvent): void {
    try {
      this.onEvent?.(event);
    } catch {
      // The app's logger failed: the guard keeps working regardless.
    }
  }
}

function seconds(value: unknown, option: string, zeroAllowed = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new TypeError(`${option} must be a positive number of seconds`);
  }
  return value;
}

import { performance } from 'node:perf_hooks';
import type { PublicUser, User } from '../core/user';
import { publicUser } from '../core/user';
import type { ChangeFeed, ChangeListener, DenylistStore, UserStore } from '../stores/types';
import { BoundedMap } from './bounded-map';

/** Bounds of the session cache (the `sessionCache` option). */
export interface SessionCacheLimits {
  /**
   * The oldest session state a request may be answered from, in ms: when the
   * store's change feed has not confirmed for this long that it told every
   * change (disconnected, or behind), the check reads the store instead.
   */
  maxStaleness: number;
  /** Accounts kept at most; past it the oldest kept goes. */
  maxUsers: number;
  /** Token ids (`jti`) known not to be revoked, kept at most; each also goes at its token's expiry. */
  maxTokens: number;
}

export const DEFAULT_SESSION_CACHE: Readonly<SessionCacheLimits> = Object.freeze({ maxStaleness: 1000, maxUsers: 10_000, maxTokens: 100_000 });

/**
 * What the bearer check needs of the stores, kept in process memory and kept
 * current by the stores' change feeds (see ChangeFeed), so that a protected
 * request in steady state makes no store round trip:
 *
 * - accounts by id, without the password hash (`findById`);
 * - the `jti`s known not to be on the denylist, each until its token expires
 *   (`has` answered false). A revoked `jti` is never kept: the denylist itself
 *   answers for it, so a store that finds its data untrusted (Redis) still
 *   fails closed for it.
 *
 * An entry is answered from memory only while its feed is current within
 * `maxStaleness`; otherwise the store is read, as without a cache. An entry
 * is added only when the feed was current when the read began and no change
 * was told while it ran (a generation count), so a read that raced a write
 * cannot put the old value back. Both maps are bounded: insertion order, the
 * oldest goes first (a token's `exp` is about its insertion time plus the
 * token lifetime, so the oldest also expire first).
 */
export class SessionCache {
  /** id → the account, and when it was read (performance.now()). */
  private readonly users: BoundedMap<string, { user: PublicUser; keptAt: number }>;
  /** jti → the time (ms, the `now` clock) after which it is forgotten, and when it was read (performance.now()). */
  private readonly tokens: BoundedMap<string, { until: number; keptAt: number }>;
  private userGeneration = 0;
  private tokenGeneration = 0;
  private readonly userFeed: ChangeFeed | undefined;
  private readonly tokenFeed: ChangeFeed | undefined;

  constructor(
    users: UserStore,
    denylist: DenylistStore,
    private readonly limits: SessionCacheLimits,
  ) {
    this.users = new BoundedMap(limits.maxUsers);
    this.tokens = new BoundedMap(limits.maxTokens);
    this.userFeed = feedOf(users);
    this.tokenFeed = feedOf(denylist);
    const forgetUsers: ChangeListener = {
      user: (id) => {
        this.userGeneration++;
        this.users.delete(id);
      },
      token: () => undefined,
      reset: () => {
        this.userGeneration++;
        this.users.clear();
      },
    };
    const forgetTokens: ChangeListener = {
      user: () => undefined,
      token: (jti) => {
        this.tokenGeneration++;
        this.tokens.delete(jti);
      },
      reset: () => {
        this.tokenGeneration++;
        this.tokens.clear();
      },
    };
    // Process-lifetime subscriptions: an auth lives as long as its app.
    this.userFeed?.subscribe(forgetUsers, limits.maxStaleness);
    this.tokenFeed?.subscribe(forgetTokens, limits.maxStaleness);
  }

  /** True when the stores have feeds: otherwise the cache never holds anything. */
  get enabled(): { users: boolean; tokens: boolean } {
    return { users: this.userFeed !== undefined, tokens: this.tokenFeed !== undefined };
  }

  /** How many entries it holds (for tests and metrics). */
  get size(): { users: number; tokens: number } {
    return { users: this.users.size, tokens: this.tokens.size };
  }

  /** The kept account `id`, a copy, if its feed is current and it was read within maxStaleness; undefined to read the store. */
  user(id: string): PublicUser | undefined {
    if (!current(this.userFeed, this.limits.maxStaleness)) return undefined;
    const kept = this.users.get(id);
    // Read again at least every maxStaleness: a write no notification told of (a path the feed cannot
    // see) is then late by at most that much, as with a feed that stopped.
    if (kept === undefined) return undefined;
    if (performance.now() - kept.keptAt > this.limits.maxStaleness) {
      this.users.delete(id);
      return undefined;
    }
    return copy(kept.user);
  }

  /** A ticket to `keepUser` what a read of the store begun now finds. */
  userTicket(): number | undefined {
    return current(this.userFeed, this.limits.maxStaleness) ? this.userGeneration : undefined;
  }

  keepUser(ticket: number | undefined, user: User): void {
    if (ticket === undefined || ticket !== this.userGeneration) return;
    // A copy of its own: the caller hands `user` (or another shallow copy of it) to its request.
    this.users.set(user.id, { user: copy(publicUser(user)), keptAt: performance.now() });
  }

  /** True when `jti` is known not to be revoked, its feed is current and it is kept until after `now`. */
  tokenClear(jti: string, now: number): boolean {
    if (!current(this.tokenFeed, this.limits.maxStaleness)) return false;
    const kept = this.tokens.get(jti);
    if (kept === undefined) return false;
    if (kept.until > now && performance.now() - kept.keptAt <= this.limits.maxStaleness) return true;
    this.tokens.delete(jti);
    return false;
  }

  tokenTicket(): number | undefined {
    return current(this.tokenFeed, this.limits.maxStaleness) ? this.tokenGeneration : undefined;
  }

  /** Keeps `jti` as not revoked until `until` (ms): its token's expiry plus the clock tolerance. */
  keepClearToken(ticket: number | undefined, jti: string, until: number, now: number): void {
    if (ticket === undefined || ticket !== this.tokenGeneration || until <= now) return;
    // The oldest first: expired ones go on their own, then the oldest to stay under the cap.
    for (let i = 0; i < 2; i++) {
      const oldest = this.tokens.oldest();
      if (oldest === undefined || oldest[1].until > now) break;
      this.tokens.delete(oldest[0]);
    }
    this.tokens.set(jti, { until, keptAt: performance.now() });
  }
}

function feedOf(store: UserStore | DenylistStore): ChangeFeed | undefined {
  return typeof store.changeFeed === 'function' ? store.changeFeed() : undefined;
}

/** The feed has told every change up to at most `maxStaleness` ago. */
function current(feed: ChangeFeed | undefined, maxStaleness: number): boolean {
  return feed !== undefined && performance.now() - feed.currentAsOf() <= maxStaleness;
}

/**
 * req.user is the app's to change: each request gets a copy of its own, nested
 * arrays, plain objects and dates included (a store may return more fields
 * than the library's own), so nothing one request does reaches another.
 */
function copy(user: PublicUser): PublicUser {
  return deepCopy(user);
}

function deepCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  if (value instanceof Set) return new Set([...value].map(deepCopy)) as T;
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, deepCopy(v)])) as T;
  // A copy of the bytes (Buffer's own slice() would share them).
  if (Buffer.isBuffer(value)) return Buffer.from(value) as T;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return (value as unknown as { slice(): unknown }).slice() as T;
  const proto = Object.getPrototypeOf(value) as unknown;
  // An instance of a class of the store's own cannot be copied faithfully: structuredClone would drop
  // its class. It is kept as it is, so a store should give accounts as plain data (README, Stores).
  if (proto !== Object.prototype && proto !== null) return value;
  const copied: Record<string, unknown> = proto === null ? Object.create(null) : {};
  for (const key of Object.keys(value)) {
    const item = deepCopy((value as Record<string, unknown>)[key]);
    // An own "__proto__" (JSON a store parsed) stays a field: assigned, it would become the copy's prototype.
    if (key === '__proto__') Object.defineProperty(copied, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copied[key] = item;
  }
  return copied as T;
}

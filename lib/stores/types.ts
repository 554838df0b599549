import type { User } from '../core/user';

/** What `UserStore.create` takes. */
export interface NewUser {
  username: string;
  /** Default 0. */
  tokenEpoch?: number;
  email?: string | null;
  passwordHash: string;
  scopes?: string[];
  disabled?: boolean;
}

/** The fields `UserStore.update` may change; a field given as undefined stays as it is, `email: null` clears it. */
export type UserPatch = Partial<Pick<User, 'username' | 'email' | 'passwordHash' | 'scopes' | 'disabled' | 'tokenEpoch'>>;

/**
 * The credentials a conditional `update` expects to find: each field given
 * must equal the stored one (`===`); a field left out is not compared.
 */
export type UserMatch = Partial<Pick<User, 'passwordHash' | 'tokenEpoch'>>;

/** Options of `UserStore.update`. */
export interface UserUpdateOptions {
  /**
   * Compare-and-set: apply the patch only if the stored record still has
   * these values, checked and written in one atomic step (one `UPDATE …
   * WHERE`, or a transaction that holds the write lock from the read to the
   * write). Otherwise change nothing and resolve null.
   */
  ifMatch?: UserMatch;
}

/**
 * Where accounts live. Every method may reject: the library turns a rejection
 * into a 500 through `next(err)`, never into a 401.
 *
 * Contract:
 * - usernames are stored as `normalizeUsername` makes them and unique by
 *   `usernameKey` (case, width and Unicode form do not make two names), and
 *   `findByUsername` matches by that key;
 * - no new name looks like another account's: a name given to `create`, or
 *   to `update` as a new username, that shares one of its `usernameSkeletons`
 *   with another account's name is refused with `UsernameTakenError`
 *   (`lookalike: true`), checked and written in one atomic step, so that of
 *   two concurrent writers of look-alike names one loses. Accounts stored
 *   before a store enforced this may share skeletons and keep working: only
 *   the names they are given afterwards are checked. `findByUsername` still
 *   matches by key alone: a look-alike never finds another account;
 * - `create` assigns `id`, `createdAt` and `updatedAt`, and rejects with
 *   `UsernameTakenError` when the name is taken or looks like one that is;
 * - `update` changes only the given fields, sets `updatedAt`, returns the new
 *   record or null for an unknown id, rejects with `UsernameTakenError` on a
 *   clash of key or skeleton with another account (never with the account's
 *   own name: a rename to another case or a look-alike of itself is fine);
 *   a failed update changes nothing;
 * - `update` with `ifMatch` is atomic: when a stored field differs from the
 *   one given it changes nothing and resolves null (as for an unknown id;
 *   `findById` tells the two apart), before any username clash is looked
 *   for. Of concurrent updates that expect one version, exactly one wins. The
 *   library relies on it for every write of a password hash and every bump
 *   of the token epoch: a store that ignores it can lose a password change;
 * - returned users are copies: changing one does not change the store;
 * - `close` may be called twice; methods reject after it.
 *
 * @example
 * // Rehash only if no one changed the password or ended the sessions meanwhile.
 * const saved = await users.update(user.id, { passwordHash: fresh }, {
 *   ifMatch: { passwordHash: user.passwordHash, tokenEpoch: user.tokenEpoch },
 * });
 * if (saved === null) {
 *   // The record changed (or is gone) since it was read: nothing was written.
 * }
 */
export interface UserStore {
  findById(id: string): Promise<User | null>;
  findByUsername(username: string): Promise<User | null>;
  /**
   * An account whose name looks like `username` (shares one of its
   * `usernameSkeletons`, which the account with `username`'s own key always
   * does), or null; '' finds none. Registration (`auth.register()`) asks it
   * before hashing the password, and refuses at start-up (a TypeError) a
   * store without it; `create` and `update` must still refuse look-alikes
   * themselves, atomically (see the contract above). Optional in the type so
   * that a store of your own still compiles; a small one can scan:
   *
   * @example
   * async findLookalike(username: string) {
   *   return (await this.list()).find((user) => usernamesLookAlike(user.username, username)) ?? null;
   * }
   */
  findLookalike?(username: string): Promise<User | null>;
  create(user: NewUser): Promise<User>;
  /** Resolves the updated user, or null for an unknown id or (with `ifMatch`) a record that no longer matches. */
  update(id: string, patch: UserPatch, options?: UserUpdateOptions): Promise<User | null>;
  /** Resolves true when a user was removed. */
  delete(id: string): Promise<boolean>;
  /** All users ordered by `usernameKey` (code-point order). */
  list(): Promise<User[]>;
  close?(): Promise<void>;
  /**
   * Optional: the store's change feed, which tells the bearer check's session
   * cache of every change to an account (see ChangeFeed). Without one,
   * nothing is cached: every protected request reads `findById`, as before.
   * A feed must report every `update` and `delete`, made by this process or
   * any other, or the cache serves a disabled account until `maxStaleness`.
   */
  changeFeed?(): ChangeFeed | undefined;
}

/**
 * A refresh-token family: the chain of refresh tokens that one login started
 * (RFC 9700 §4.14.2). Rotation adds a token to it; reuse of a rotated token
 * revokes all of it.
 */
export interface RefreshFamily {
  id: string;
  userId: string;
  /** The scope granted at login; a refresh may narrow it, never widen it (RFC 6749 §6). */
  scopes: string[];
  /** The user's token epoch at login: a bump (password change, disable, sign-out everywhere) ends the family. */
  epoch: number;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** Absolute end of the family (REFRESH_TOKEN_TTL after login), ms. */
  expiresAt: number;
  /** Set when the family was revoked, ms. */
  revokedAt: number | null;
  /**
   * The RFC 7638 thumbprint of the DPoP key the family is bound to (RFC 9449
   * §5: a public client's refresh tokens are bound to the key of the login's
   * proof), or null for an unbound family. Stores must keep it: a family
   * returned without it is refused as a store fault rather than taken as unbound.
   */
  jkt: string | null;
}

/** One refresh token of a family, kept only as its SHA-256 hash. */
export interface RefreshTokenRecord {
  /** base64url SHA-256 of the token; the token itself is never stored. */
  hash: string;
  familyId: string;
  createdAt: number;
  /** Idle limit: the token is dead after this unless used, ms. */
  expiresAt: number;
  /** Set when the token was exchanged for a new one, ms. */
  rotatedAt: number | null;
  /** Hash of the token that replaced it. */
  replacedBy: string | null;
  /** The one grace retry (see `rotate`) has been spent on this token. */
  retried: boolean;
}

/** What `RefreshTokenStore.rotate` decided. */
export type RotateOutcome =
  /** The presented token was current: it is now rotated and `next` stored. */
  | { outcome: 'rotated'; family: RefreshFamily }
  /** The presented token was already rotated, within the grace period and for the first time: `next` replaced its successor. */
  | { outcome: 'retried'; family: RefreshFamily }
  /** The presented token was already rotated: the whole family is now revoked. */
  | { outcome: 'reused'; family: RefreshFamily }
  /** Unknown, expired (idle or absolute) or revoked: nothing changed. */
  | { outcome: 'invalid'; family: RefreshFamily | null };

/**
 * Where refresh-token families live. Implementations must make `rotate` and
 * `revokeFamily` atomic: two concurrent rotations of one token yield exactly
 * one `rotated`; the other sees a rotated token (`retried` or `reused`).
 * A rejected call changes nothing.
 */
export interface RefreshTokenStore {
  /** Stores a new family with its first token. */
  createFamily(family: RefreshFamily, first: RefreshTokenRecord): Promise<void>;
  /** The token and its family, or null. Expired and revoked ones are returned as they are: the caller decides. */
  find(hash: string): Promise<{ token: RefreshTokenRecord; family: RefreshFamily } | null>;
  /**
   * Exchanges the token `hash` for `next` at `now` (ms), atomically:
   * current and alive → rotated; rotated less than `graceMs` ago and its
   * successor not yet used or retried → retried (the successor is revoked,
   * `next` takes its place); otherwise a rotated token → reused (family revoked).
   */
  rotate(hash: string, next: RefreshTokenRecord, now: number, graceMs: number): Promise<RotateOutcome>;
  /** Revokes a family (idempotent). */
  revokeFamily(familyId: string, now: number): Promise<void>;
  /** Removes tokens and families dead before `now`; resolves how many rows went. */
  purgeExpired(now: number): Promise<number>;
}

/**
 * The access-token denylist (RFC 7009 §2 for access tokens): `jti`s revoked
 * before their expiry. An entry may go once its token has expired.
 */
export interface DenylistStore {
  /** Adds `jti` until `expiresAt` (ms); adding twice is fine. */
  add(jti: string, expiresAt: number): Promise<void>;
  /** True while `jti` is listed and `now` is before its expiry. */
  has(jti: string, now: number): Promise<boolean>;
  /** Removes entries that expired before `now`; resolves how many went. */
  purgeExpired(now: number): Promise<number>;
  /**
   * Optional. createAuth calls it once, at start-up, with how long a token can
   * be accepted after it is issued (accessTokenTtl + clockTolerance, seconds):
   * how long a loss of the store's data matters (RedisDenylistStore distrusts
   * itself for that long after finding one).
   */
  setTokenLifetime?(seconds: number): void;
  /**
   * Optional: the store's change feed, which tells the session cache of every
   * `add` (see ChangeFeed). Without one, every protected request calls `has`.
   */
  changeFeed?(): ChangeFeed | undefined;
}

/** What a ChangeFeed tells its listeners. Each call must be cheap and must not throw. */
export interface ChangeListener {
  /** Account `id` was updated or deleted. */
  user(id: string): void;
  /** `jti` was added to the denylist. */
  token(jti: string): void;
  /** Anything may have changed (another process wrote, the feed reconnected): forget everything. */
  reset(): void;
}

/**
 * A store's stream of changes, which lets the session cache serve accounts and
 * denylist answers from memory (no store round trip per request) without ever
 * serving them older than its bound: writes through the store in this process
 * are told at once, other processes' writes through the backend's own channel
 * (SQLite `PRAGMA data_version`, PostgreSQL `LISTEN`/`NOTIFY`, Redis pub/sub).
 */
export interface ChangeFeed {
  /**
   * Starts telling `listener` of changes; returns the function that stops.
   * `maxStaleness` (ms) is how far behind the listener may be told: the feed
   * confirms its liveness at least that often (heartbeats through its channel).
   */
  subscribe(listener: ChangeListener, maxStaleness: number): () => void;
  /**
   * The time, on `performance.now()`'s clock (ms), up to which every change
   * has been told: a change committed before it was delivered. -Infinity while
   * disconnected. Called on every protected request: must be cheap and sync.
   */
  currentAsOf(): number;
}

/**
 * The `jti`s of recently accepted DPoP proofs (RFC 9449 §11.1), so that a
 * proof is accepted once. Share one between all instances that accept the
 * same tokens, or a proof replayed to another instance gets in.
 */
export interface DpopReplayStore {
  /**
   * Records `key` until `expiresAt` (ms), atomically, and resolves true; or
   * resolves false, recording nothing, when `key` is already recorded and its
   * expiry is after `now`: a replay. Of two concurrent calls with one key,
   * exactly one resolves true.
   */
  claim(key: string, expiresAt: number, now: number): Promise<boolean>;
}

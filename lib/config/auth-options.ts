import type { Request } from 'express';
import type { KeyObject } from 'node:crypto';
import { isValidRealm } from '../core/challenge';
import { parseDuration } from './duration';
import type { AuthError } from '../core/errors';
import { KeySet, type KeySetKeys } from '../jose/key-set';
import { hmacKey, type HmacAlgorithm } from '../jose/keys';
import { PasswordHasher, type Argon2Params, type HashingLimits } from '../login/passwords';
import { RateLimits, type RateLimitOptions } from '../login/rate-limits';
import { RefreshTokens } from '../tokens/refresh-tokens';
import { scopeDescriptions } from './scope-descriptions';
import { MemoryDenylistStore } from '../stores/memory/denylist';
import { MemoryRefreshTokenStore } from '../stores/memory/refresh-tokens';
import type { DenylistStore, RefreshTokenStore, UserStore } from '../stores/types';
import { AccessTokens } from '../tokens/access-tokens';
import type { PublicUser } from '../core/user';

/** What the `onFailure` hook receives. */
export interface FailureEvent {
  /** The error the client was sent (status, RFC code, headers). */
  error: AuthError;
  /** The detailed reason (never sent to the client). */
  reason: string;
  request: Request;
}

/** What the `onLogin` hook receives. */
export interface LoginEvent {
  user: PublicUser;
  scopes: string[];
  request: Request;
}

/**
 * Options of `createAuth` and of the strategies.
 *
 * @example
 * createAuth({ secret: process.env.JWT_SECRET!, issuer: 'https://api.example.com', audience: 'api', users });
 */
export interface AuthOptions {
  /** HMAC secret: at least 32 bytes for HS256, 48 for HS384, 64 for HS512 (RFC 7518 §3.2). Required unless `keys` is given. */
  secret?: string | Buffer | KeyObject;
  /** Signing keys instead of `secret`: a KeySet, or its active key and verification-only keys (RS256, PS256, ES256, EdDSA or HMAC). Default none. */
  keys?: KeySet | KeySetKeys;
  /** Signing algorithm, one per key (RFC 8725 §3.1). Default "HS256". */
  algorithm?: HmacAlgorithm;
  /** Key id sent in the `kid` header. Default none. */
  kid?: string;
  /** `iss` of issued tokens; tokens from anyone else are refused (RFC 8725 §3.8). Required. */
  issuer: string;
  /** `aud` of issued tokens; tokens for anyone else are refused (RFC 8725 §3.9). Required. */
  audience: string;
  /** Where accounts live (MemoryUserStore, SqliteUserStore or your own). Required. */
  users: UserStore;
  /** Access-token lifetime: seconds or "15m", "1h". Default "15m". */
  accessTokenTtl?: number | string;
  /** Issue a refresh token with every password grant. Default true. */
  refreshTokens?: boolean;
  /** Where refresh-token families live. Default a MemoryRefreshTokenStore (one process, lost on restart). */
  refreshTokenStore?: RefreshTokenStore;
  /** Absolute refresh-token lifetime, from login: seconds or "30d". Default "30d". */
  refreshTokenTtl?: number | string;
  /** A refresh token unused for this long dies: seconds or "7d". Default "7d". */
  refreshTokenIdleTtl?: number | string;
  /** How long a rotated refresh token may be presented once more, for a client that lost the response: seconds. Default 5. */
  refreshTokenGrace?: number;
  /** Revoked access tokens' `jti`s, until they expire. Default a MemoryDenylistStore (one process, lost on restart). */
  denylist?: DenylistStore;
  /** When the denylist cannot be read (Redis down): refuse the request (false, a 500 through next(err)) or let it through (true). Default false. */
  denylistFailOpen?: boolean;
  /** Called for failures the library survives: a hook that threw, a denylist read under denylistFailOpen, a background purge. Default none. */
  onError?: (error: unknown, context: string) => void;
  /** Brute-force protection and per-IP limits; `false` switches them off. Default on, with the defaults of RateLimitOptions (5 failures, in memory). */
  rateLimits?: Partial<RateLimitOptions> | false;
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. Default 30. */
  clockTolerance?: number;
  /** `client_id` claim of issued tokens (RFC 9068 §2.2). Default "express-jwt-auth". */
  clientId?: string;
  /** Realm of the `WWW-Authenticate` challenge (RFC 6750 §3). Default "api". */
  realm?: string;
  /** Accept `?access_token=` on protected routes (RFC 6750 §2.3 advises against it). Default false. */
  allowQueryToken?: boolean;
  /** Accept an `access_token` field in form-encoded bodies (RFC 6750 §2.2). Default false. */
  allowBodyToken?: boolean;
  /** argon2id cost for new hashes; older hashes are upgraded at login. Default { memoryCost: 19456, timeCost: 2, parallelism: 1 }. */
  argon2?: Partial<Argon2Params>;
  /** Longest password accepted, in characters; longer ones are refused before hashing. Default 1024. */
  maxPasswordLength?: number;
  /** Bounds on concurrent argon2 work; past the queue, logins get 503 with Retry-After. Default { concurrency: cores, queue: 64 }. */
  hashing?: Partial<HashingLimits>;
  /** Size limit of the token endpoint's body. Default "16kb". */
  bodyLimit?: string;
  /** Clock in milliseconds since the epoch, for tests. Default Date.now. */
  now?: () => number;
  /** Called for every refused request with the detailed reason, for audit logs. Default none. */
  onFailure?: (event: FailureEvent) => void;
  /** Called after every successful login. Default none. */
  onLogin?: (event: LoginEvent) => void;
  /**
   * The scopes your API knows, each with a description for the OpenAPI document
   * (e.g. `{ admin: 'Manage every account' }`). When given, `requireScopes` of an
   * undeclared scope throws a TypeError at start-up. Default none: any scope may be
   * required, and the document lists the scopes routes use without descriptions.
   */
  scopes?: Record<string, string>;
}

/** Options checked once and turned into the parts that do the work. */
export interface ResolvedOptions {
  readonly resolved: true;
  readonly users: UserStore;
  readonly tokens: AccessTokens;
  readonly passwords: PasswordHasher;
  /** Undefined when refresh tokens are switched off. */
  readonly refreshTokens: RefreshTokens | undefined;
  readonly denylist: DenylistStore;
  /** Undefined when switched off. */
  readonly rateLimits: RateLimits | undefined;
  readonly denylistFailOpen: boolean;
  readonly onError: (error: unknown, context: string) => void;
  readonly now: () => number;
  readonly realm: string;
  readonly allowQueryToken: boolean;
  readonly allowBodyToken: boolean;
  readonly bodyLimit: string;
  readonly onFailure: ((event: FailureEvent) => void) | undefined;
  readonly onLogin: ((event: LoginEvent) => void) | undefined;
  /** Scope → description; undefined when the `scopes` option was not given. */
  readonly scopes: Readonly<Record<string, string>> | undefined;
}

const USER_STORE_METHODS = ['findById', 'findByUsername', 'create', 'update', 'delete', 'list'] as const;

/** Checks every option once, at start-up: a bad one is a TypeError that names it. */
export function resolveOptions(options: AuthOptions | ResolvedOptions): ResolvedOptions {
  if (isResolved(options)) return options;
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');

  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('now must be a function returning milliseconds');
  const keys = signingKeys(options, now);
  const issuer = requiredString(options.issuer, 'issuer');
  const audience = requiredString(options.audience, 'audience');
  const users = options.users;
  if (typeof users !== 'object' || users === null || USER_STORE_METHODS.some((m) => typeof users[m] !== 'function')) {
    throw new TypeError(`users must be a UserStore (with ${USER_STORE_METHODS.join(', ')})`);
  }
  const ttl = duration(options.accessTokenTtl ?? '15m', 'accessTokenTtl');
  const clockTolerance = options.clockTolerance ?? 30;
  if (!Number.isSafeInteger(clockTolerance) || clockTolerance < 0 || clockTolerance > 300) {
    throw new TypeError('clockTolerance must be a whole number of seconds from 0 to 300');
  }
  const realm = options.realm ?? 'api';
  if (!isValidRealm(realm)) throw new TypeError('realm must be printable ASCII');
  for (const hook of ['onFailure', 'onLogin', 'onError'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') throw new TypeError(`${hook} must be a function`);
  }
  const bodyLimit = options.bodyLimit ?? '16kb';
  if (typeof bodyLimit !== 'string' || !/^\d+(b|kb|mb)?$/i.test(bodyLimit)) throw new TypeError('bodyLimit must be a size like "16kb"');

  const refreshTokenTtl = duration(options.refreshTokenTtl ?? '30d', 'refreshTokenTtl');
  const refreshTokenIdleTtl = duration(options.refreshTokenIdleTtl ?? '7d', 'refreshTokenIdleTtl');
  const refreshTokenGrace = options.refreshTokenGrace ?? 5;
  if (!Number.isSafeInteger(refreshTokenGrace) || refreshTokenGrace < 0 || refreshTokenGrace > 60) {
    throw new TypeError('refreshTokenGrace must be a whole number of seconds from 0 to 60');
  }
  const refreshTokenStore = options.refreshTokenStore ?? new MemoryRefreshTokenStore();
  checkStore(refreshTokenStore, 'refreshTokenStore', ['createFamily', 'find', 'rotate', 'revokeFamily', 'purgeExpired']);
  const denylist = options.denylist ?? new MemoryDenylistStore();
  checkStore(denylist, 'denylist', ['add', 'has', 'purgeExpired']);
  if (options.rateLimits !== undefined && options.rateLimits !== false && (typeof options.rateLimits !== 'object' || options.rateLimits === null)) {
    throw new TypeError('rateLimits must be an object or false');
  }
  const rateLimits = options.rateLimits === false ? undefined : new RateLimits(options.rateLimits);

  const passwords = new PasswordHasher(options.argon2, options.maxPasswordLength, options.hashing);
  // Make the dummy hash now: the first unknown-user login must not be slower than the rest.
  passwords.prepareDummy().catch(() => undefined);

  return Object.freeze({
    resolved: true as const,
    users,
    tokens: new AccessTokens({
      keys,
      issuer,
      audience,
      clientId: requiredString(options.clientId ?? 'express-jwt-auth', 'clientId'),
      ttl,
      clockTolerance,
      now,
    }),
    passwords,
    refreshTokens: flag(options.refreshTokens ?? true, 'refreshTokens')
      ? new RefreshTokens({ store: refreshTokenStore, ttl: refreshTokenTtl, idleTtl: refreshTokenIdleTtl, grace: refreshTokenGrace, now })
      : undefined,
    denylist,
    rateLimits,
    denylistFailOpen: flag(options.denylistFailOpen, 'denylistFailOpen'),
    onError: options.onError ?? (() => undefined),
    now,
    realm,
    allowQueryToken: flag(options.allowQueryToken, 'allowQueryToken'),
    allowBodyToken: flag(options.allowBodyToken, 'allowBodyToken'),
    bodyLimit,
    onFailure: options.onFailure,
    onLogin: options.onLogin,
    scopes: scopeDescriptions(options.scopes),
  });
}

/** The key set: from `keys`, or one HMAC key made from `secret` (exactly one of them). */
function signingKeys(options: AuthOptions, now: () => number): KeySet {
  if (options.keys === undefined) {
    if (options.secret === undefined) throw new TypeError('secret or keys is required: an HMAC secret, or signing keys');
    return new KeySet({ active: hmacKey(options.secret, options.algorithm ?? 'HS256', optionalString(options.kid, 'kid')) }, { now });
  }
  if (options.secret !== undefined) throw new TypeError('secret and keys are alternatives: give one of them');
  // With keys, every key carries its own alg and kid (RFC 8725 §3.1).
  if (options.algorithm !== undefined) throw new TypeError('algorithm goes with secret; with keys each key has its own alg');
  if (options.kid !== undefined) throw new TypeError('kid goes with secret; with keys each key has its own kid');
  return options.keys instanceof KeySet ? options.keys : new KeySet(options.keys, { now });
}

function duration(value: unknown, option: string): number {
  const seconds = parseDuration(value);
  if (seconds === undefined) throw new TypeError(`${option} must be a positive number of seconds or a duration like "30d"`);
  return seconds;
}

function checkStore(store: unknown, option: string, methods: string[]): void {
  if (typeof store !== 'object' || store === null || methods.some((m) => typeof (store as Record<string, unknown>)[m] !== 'function')) {
    throw new TypeError(`${option} must implement ${methods.join(', ')}`);
  }
}

function isResolved(options: unknown): options is ResolvedOptions {
  return typeof options === 'object' && options !== null && (options as ResolvedOptions).resolved === true;
}

function requiredString(value: unknown, option: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${option} is required: a non-empty string`);
  return value;
}

function optionalString(value: unknown, option: string): string | undefined {
  return value === undefined ? undefined : requiredString(value, option);
}

function flag(value: unknown, option: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`${option} must be a boolean`);
  return value;
}

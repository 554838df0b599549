import { hkdfSync, type KeyObject } from 'node:crypto';
import { BearerCheck } from '../bearer/bearer-check';
import type { DpopCheck } from '../bearer/dpop';
import { issuerSession } from '../bearer/session-check';
import { DEFAULT_SESSION_CACHE, type SessionCacheLimits } from '../bearer/session-cache';
import { GrantRegistry } from '../grants/registry';
import { passwordGrant } from '../grants/password';
import { refreshTokenGrant } from '../grants/refresh-token';
import type { HmacAlgorithm } from '../jose/algorithms';
import { KeySet, type KeySetKeys } from '../jose/key-set';
import { hmacKey } from '../jose/keys';
import { DEFAULT_ARGON2, PasswordHasher, type Argon2Params, type HashingLimits } from '../login/passwords';
import { DeviceCookies, type DeviceCookieOptions } from '../login/device-cookies';
import { DEFAULT_RATE_LIMITS, RateLimits, type RateLimitOptions } from '../login/rate-limits';
import { MemoryDenylistStore } from '../stores/memory/denylist';
import { MemoryRefreshTokenStore } from '../stores/memory/refresh-tokens';
import type { DenylistStore, RefreshTokenStore, UserStore } from '../stores/types';
import { AccessTokens } from '../tokens/access-tokens';
import { RefreshTokens } from '../tokens/refresh-tokens';
import { BEARER_OPTION_NAMES, resolveBearerOptions, type BearerOptions } from './bearer-options';
import { checkKnownOptions, duration, flag, optionalFunction, optionalObject, optionalString, requiredString, wholeNumber } from './checks';
import { resolveCookieOptions, type CookieOptions, type ResolvedCookies } from './cookie-options';
import { resourceOption, wellKnownUrl } from './discovery';
import type { Hooks, LoginEvent } from './hooks';
import { scopeDescriptions } from './scope-descriptions';

/**
 * Options of `createAuth`: the issuer that logs users in, and the bearer
 * check of its own tokens. Every option is checked once, at start-up; a bad
 * or unknown one throws a TypeError that names it.
 *
 * @example
 * createAuth({ secret: process.env.JWT_SECRET!, issuer: 'https://api.example.com', audience: 'api', users });
 */
export interface AuthOptions extends BearerOptions {
  /** HMAC secret: at least 32 bytes for HS256, 48 for HS384, 64 for HS512 (RFC 7518 §3.2). Required unless `keys` is given. */
  secret?: string | Buffer | KeyObject;
  /** Signing keys instead of `secret`: a KeySet, or its active key and verification-only keys (RS256, PS256, ES256, EdDSA or HMAC). Default none. */
  keys?: KeySet | KeySetKeys;
  /** Algorithm of `secret`, one per key (RFC 8725 §3.1). Default "HS256". */
  algorithm?: HmacAlgorithm;
  /** Key id sent in the `kid` header of tokens signed with `secret`. Default none. */
  kid?: string;
  /** Where accounts live (MemoryUserStore, SqliteUserStore, PostgresUserStore or your own). Required. */
  users: UserStore;
  /** Access-token lifetime: seconds or "15m", "1h". Default "15m". */
  accessTokenTtl?: number | string;
  /** Issue a refresh token with every password grant, and accept `grant_type=refresh_token`. Default true. */
  refreshTokens?: boolean;
  /** Where refresh-token families live. Default a MemoryRefreshTokenStore (one process, lost on restart). */
  refreshTokenStore?: RefreshTokenStore;
  /** Absolute refresh-token lifetime, from login: seconds or "30d". Default "30d". */
  refreshTokenTtl?: number | string;
  /** A refresh token unused for this long dies: seconds or "7d". Default "7d". */
  refreshTokenIdleTtl?: number | string;
  /** How long a rotated refresh token may be presented once more, for a client that lost the response: seconds, 0 to 60. Default 5. */
  refreshTokenGrace?: number;
  /** Revoked access tokens' `jti`s, until they expire. Default a MemoryDenylistStore (one process, lost on restart). */
  denylist?: DenylistStore;
  /** When the denylist cannot be read (Redis down): refuse the request (false, a 500 through next(err)) or let it through (true). Default false. */
  denylistFailOpen?: boolean;
  /**
   * Accounts and denylist answers kept in memory, so that a protected request reads no store, while the stores' change
   * feeds keep them current (SQLite PRAGMA data_version, PostgreSQL LISTEN/NOTIFY, Redis pub/sub; a store without a feed
   * is read on every request). `maxStaleness` (ms) is the oldest state ever answered: a feed that is disconnected or
   * behind by more makes the check read the store. false reads the stores on every request. Default { maxStaleness: 1000, maxUsers: 10000, maxTokens: 100000 }.
   */
  sessionCache?: Partial<SessionCacheLimits> | false;
  /** Brute-force protection, or false to switch it off. Default { maxFailures: 5, blockSeconds: 60, maxBlockSeconds: 900, accountFailuresPerDay: 100, ipFailuresPerHour: 100, ipRequestsPerMinute: 60, registrationsPerHour: 10, keyPrefix: "ejwt" }. */
  rateLimits?: Partial<RateLimitOptions> | false;
  /** Device cookies: a successful password login makes its client a trusted device of the account, with a failure budget of its own; false switches them off. Default { name: "ejwt-device", maxAge: "90d", path: "/", secret: derived (HKDF) from `secret` or the active signing key }. */
  deviceCookie?: Partial<DeviceCookieOptions> | false;
  /** `client_id` claim of issued tokens (RFC 9068 §2.2). Default "express-jwt-auth". */
  clientId?: string;
  /** argon2id cost for new hashes; older hashes are upgraded at login. Default { memoryCost: 19456, timeCost: 2, parallelism: 1 }. */
  argon2?: Partial<Argon2Params>;
  /** Longest password accepted, in characters; longer ones are refused before hashing. Default 1024. */
  maxPasswordLength?: number;
  /** Bounds on concurrent argon2 work; past the queue, logins get 503 with Retry-After. Default { concurrency: cores, queue: 64 }. */
  hashing?: Partial<HashingLimits>;
  /** Size limit of the token, revocation and account endpoints' bodies, like "16kb". Default "16kb". */
  bodyLimit?: string;
  /** Called after every successful password login (token endpoint or local strategy); may be async (a throw or rejection goes to onError). Default none. */
  onLogin?: (event: LoginEvent) => void;
  /** The scopes your API knows, scope → description, for the OpenAPI document; requireScopes of any other is a start-up TypeError. Default none. */
  scopes?: Record<string, string>;
  /** Cookie mode for single-page apps: a request with the CSRF header gets its refresh token only in an HttpOnly cookie, and refreshes and logs out with it. Default false. */
  cookies?: CookieOptions | false;
  /** This API's resource identifier (RFC 9728), like "https://api.example.com": enables auth.resourceMetadata() and `resource_metadata` in challenges. Default none. */
  resource?: string;
}

const AUTH_OPTION_NAMES: readonly string[] = [
  ...BEARER_OPTION_NAMES,
  'secret', 'keys', 'algorithm', 'kid', 'users', 'accessTokenTtl', 'refreshTokens', 'refreshTokenStore', 'refreshTokenTtl',
  'refreshTokenIdleTtl', 'refreshTokenGrace', 'denylist', 'denylistFailOpen', 'sessionCache', 'rateLimits', 'deviceCookie', 'clientId', 'argon2',
  'maxPasswordLength', 'hashing', 'bodyLimit', 'onLogin', 'scopes', 'cookies', 'resource',
] satisfies ReadonlyArray<keyof AuthOptions>;

/** AuthOptions, checked once and turned into the parts that do the work. Internal. */
export interface ResolvedAuth {
  readonly users: UserStore;
  readonly tokens: AccessTokens;
  readonly passwords: PasswordHasher;
  /** Undefined when refresh tokens are switched off. */
  readonly refreshTokens: RefreshTokens | undefined;
  readonly denylist: DenylistStore;
  /** Undefined when switched off. */
  readonly rateLimits: RateLimits | undefined;
  /** Undefined when switched off (always when rateLimits is). */
  readonly deviceCookies: DeviceCookies | undefined;
  readonly grants: GrantRegistry;
  readonly bearer: BearerCheck;
  /** DPoP (RFC 9449): the policy, proof check and replay store the token endpoint and the bearer check share. */
  readonly dpop: DpopCheck;
  readonly hooks: Hooks;
  readonly now: () => number;
  readonly bodyLimit: string;
  /** Scope → description; undefined when the `scopes` option was not given. */
  readonly scopes: Readonly<Record<string, string>> | undefined;
  /** The `iss` of our tokens; the RFC 8414 issuer identifier when it is a URL. */
  readonly issuer: string;
  /** Cookie mode (the `cookies` option); undefined when off. */
  readonly cookies: ResolvedCookies | undefined;
  /** The RFC 9728 resource identifier (the `resource` option), if any. */
  readonly resource: string | undefined;
  /** Bearer methods accepted (RFC 9728 §2 `bearer_methods_supported`). */
  readonly bearerMethods: readonly ('header' | 'body' | 'query')[];
}

const USER_STORE_METHODS = ['findById', 'findByUsername', 'create', 'update', 'delete', 'list'] as const;

/** Checks every option once, at start-up: a bad or unknown one is a TypeError that names it. */
export function resolveAuthOptions(options: AuthOptions): ResolvedAuth {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  options = checkKnownOptions(options, AUTH_OPTION_NAMES);
  const bearerOptions = resolveBearerOptions(options);
  const { now, rules, onError } = bearerOptions;
  const keys = signingKeys(options, now);
  const users = options.users;
  if (typeof users !== 'object' || users === null || USER_STORE_METHODS.some((m) => typeof users[m] !== 'function')) {
    throw new TypeError(`users must be a UserStore (with ${USER_STORE_METHODS.join(', ')})`);
  }
  const ttl = duration(options.accessTokenTtl ?? '15m', 'accessTokenTtl');
  const bodyLimit = options.bodyLimit ?? '16kb';
  if (typeof bodyLimit !== 'string' || !/^\d+(b|kb|mb)?$/i.test(bodyLimit)) throw new TypeError('bodyLimit must be a size like "16kb"');

  const refreshTokenTtl = duration(options.refreshTokenTtl ?? '30d', 'refreshTokenTtl');
  const refreshTokenIdleTtl = duration(options.refreshTokenIdleTtl ?? '7d', 'refreshTokenIdleTtl');
  const refreshTokenGrace = options.refreshTokenGrace === undefined ? 5 : wholeNumber(options.refreshTokenGrace, 'refreshTokenGrace', 0, 60, 'seconds');
  const refreshTokenStore = options.refreshTokenStore ?? new MemoryRefreshTokenStore();
  checkStore(refreshTokenStore, 'refreshTokenStore', ['createFamily', 'find', 'rotate', 'revokeFamily', 'purgeExpired']);
  const denylist: DenylistStore = options.denylist ?? new MemoryDenylistStore();
  checkStore(denylist, 'denylist', ['add', 'has', 'purgeExpired']);
  const rateLimitOptions = options.rateLimits === false ? false : optionalObject<RateLimitOptions>(options.rateLimits, 'rateLimits', [...Object.keys(DEFAULT_RATE_LIMITS), 'redis', 'keyPrefix']);
  const rateLimits = rateLimitOptions === false ? undefined : new RateLimits(rateLimitOptions, { now, onError });
  const deviceCookies = resolveDeviceCookies(options.deviceCookie, rateLimits !== undefined, keys, now);

  const argon2 = optionalObject<Argon2Params>(options.argon2, 'argon2', Object.keys(DEFAULT_ARGON2));
  const hashing = optionalObject<HashingLimits>(options.hashing, 'hashing', ['concurrency', 'queue']);
  const passwords = new PasswordHasher(argon2, options.maxPasswordLength, hashing);
  // Make the dummy hash now: the first unknown-user login must not be slower than the rest.
  passwords.prepareDummy().catch(() => undefined);

  const tokens = new AccessTokens({ ...rules, keys, clientId: requiredString(options.clientId ?? 'express-jwt-auth', 'clientId'), ttl });
  const refreshTokens = flag(options.refreshTokens ?? true, 'refreshTokens')
    ? new RefreshTokens({ store: refreshTokenStore, ttl: refreshTokenTtl, idleTtl: refreshTokenIdleTtl, grace: refreshTokenGrace, now })
    : undefined;
  const denylistFailOpen = flag(options.denylistFailOpen, 'denylistFailOpen');
  // A store that can lose its data must distrust it for as long as a token revoked before the loss could pass.
  if (typeof denylist.setTokenLifetime === 'function') denylist.setTokenLifetime(tokens.acceptedFor);
  const sessionCache = resolveSessionCache(options.sessionCache);
  const cookies = resolveCookieOptions(options.cookies, refreshTokens !== undefined);
  const resource = resourceOption(options.resource);
  return Object.freeze({
    users,
    tokens,
    passwords,
    refreshTokens,
    denylist,
    rateLimits,
    deviceCookies,
    grants: new GrantRegistry(refreshTokens ? [passwordGrant, refreshTokenGrant] : [passwordGrant]),
    bearer: new BearerCheck({
      keys,
      rules,
      session: issuerSession({ users, denylist, denylistFailOpen, onError, now, cache: sessionCache, toleranceMs: rules.clockTolerance * 1000 }),
      realm: bearerOptions.realm,
      resourceMetadata: resource === undefined ? undefined : wellKnownUrl(resource, 'oauth-protected-resource'),
      allowQueryToken: bearerOptions.allowQueryToken,
      allowBodyToken: bearerOptions.allowBodyToken,
      dpop: bearerOptions.dpop,
    }),
    dpop: bearerOptions.dpop,
    hooks: Object.freeze({ onFailure: bearerOptions.onFailure, onLogin: optionalFunction<(event: LoginEvent) => void>(options.onLogin, 'onLogin'), onError }),
    now,
    bodyLimit,
    scopes: scopeDescriptions(options.scopes),
    issuer: rules.issuer,
    cookies,
    resource,
    bearerMethods: Object.freeze([
      'header' as const,
      ...(bearerOptions.allowBodyToken ? ['body' as const] : []),
      ...(bearerOptions.allowQueryToken ? ['query' as const] : []),
    ]),
  });
}

/** The `sessionCache` option: its bounds, or false. */
function resolveSessionCache(value: unknown): SessionCacheLimits | false {
  if (value === false) return false;
  const options = optionalObject<SessionCacheLimits>(value, 'sessionCache', Object.keys(DEFAULT_SESSION_CACHE)) ?? {};
  return Object.freeze({
    // Below 10 ms a feed would have to confirm itself hundreds of times a second; above 60 s a revocation could wait a minute.
    maxStaleness: options.maxStaleness === undefined ? DEFAULT_SESSION_CACHE.maxStaleness : wholeNumber(options.maxStaleness, 'sessionCache.maxStaleness', 10, 60_000, 'milliseconds'),
    maxUsers: options.maxUsers === undefined ? DEFAULT_SESSION_CACHE.maxUsers : wholeNumber(options.maxUsers, 'sessionCache.maxUsers', 1, 10_000_000),
    maxTokens: options.maxTokens === undefined ? DEFAULT_SESSION_CACHE.maxTokens : wholeNumber(options.maxTokens, 'sessionCache.maxTokens', 1, 10_000_000),
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

const DEVICE_COOKIE_OPTIONS = ['secret', 'name', 'maxAge', 'path'] satisfies ReadonlyArray<keyof DeviceCookieOptions>;
/** RFC 6265bis §5.6.1–5.6.2: user agents cap Max-Age (and Expires) at 400 days. */
const MAX_DEVICE_COOKIE_AGE = 400 * 86400;

/**
 * The device cookies, from the `deviceCookie` option. The HMAC key must be
 * the same on every instance (each must accept the others' cookies), so it
 * comes from configuration, never from randomness at start-up: the
 * `deviceCookie.secret` option, or else the signing key (`secret`, or the
 * active key of `keys`). Either way it goes through HKDF (RFC 5869) with a
 * label of its own, so the cookie key is never the token key, and a device
 * cookie's MAC says nothing about either.
 */
function resolveDeviceCookies(value: unknown, rateLimited: boolean, keys: KeySet, now: () => number): DeviceCookies | undefined {
  if (value === false) return undefined;
  const options = optionalObject<DeviceCookieOptions>(value, 'deviceCookie', DEVICE_COOKIE_OPTIONS) ?? {};
  if (!rateLimited) {
    // Without brute-force limits there is no budget for a device to keep.
    if (value !== undefined) throw new TypeError('deviceCookie needs rateLimits: give deviceCookie: false, or switch rateLimits on');
    return undefined;
  }
  const name = options.name ?? 'ejwt-device';
  // RFC 6265 §4.1.1: a cookie name is a token. The prefixes are ours to add (RFC 6265bis §4.1.3).
  if (typeof name !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/.test(name) || /^__(host|secure)-/i.test(name)) {
    throw new TypeError('deviceCookie.name must be a cookie name (letters, digits, !#$%&\'*+-.^_`|~; at most 64) without a __Host- or __Secure- prefix');
  }
  const path = options.path ?? '/';
  // RFC 6265 §4.1.1 path-value: no CTLs and no ";"; kept to URL path characters.
  if (typeof path !== 'string' || path.length > 256 || !/^\/[A-Za-z0-9\-._~!$&'()*+,=:@%/]*$/.test(path)) {
    throw new TypeError('deviceCookie.path must be a URL path starting with "/" (no ";" or spaces)');
  }
  const maxAgeSeconds = duration(options.maxAge ?? '90d', 'deviceCookie.maxAge');
  if (maxAgeSeconds > MAX_DEVICE_COOKIE_AGE) throw new TypeError('deviceCookie.maxAge must be at most 400 days (browsers cap it there)');
  let material: Buffer;
  if (options.secret === undefined) {
    material = keyMaterial(keys.active.key);
  } else {
    if (typeof options.secret !== 'string' && !Buffer.isBuffer(options.secret)) throw new TypeError('deviceCookie.secret must be a string or a Buffer');
    material = Buffer.from(options.secret);
    if (material.length < 32) throw new TypeError('deviceCookie.secret must be at least 32 bytes');
  }
  const key = Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'express-jwt-auth device cookie v1', 32));
  return new DeviceCookies({ key, name, path, maxAgeSeconds }, now);
}

/** The secret bytes of a signing key: an HMAC secret as it is, a private key as its PKCS #8 DER. */
function keyMaterial(key: KeyObject): Buffer {
  return key.type === 'secret' ? key.export() : key.export({ format: 'der', type: 'pkcs8' });
}

function checkStore(store: unknown, option: string, methods: string[]): void {
  if (typeof store !== 'object' || store === null || methods.some((m) => typeof (store as Record<string, unknown>)[m] !== 'function')) {
    throw new TypeError(`${option} must implement ${methods.join(', ')}`);
  }
}

import type { Request } from 'express';
import type { KeyObject } from 'node:crypto';
import { isValidRealm } from './challenge';
import { parseDuration } from './duration';
import type { AuthError } from './errors';
import { hmacKey, type HmacAlgorithm } from './keys';
import { PasswordHasher, type Argon2Params } from './passwords';
import type { UserStore } from './stores/types';
import { AccessTokens } from './tokens';
import type { PublicUser } from './user';

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
  /** HMAC secret: at least 32 bytes for HS256, 48 for HS384, 64 for HS512 (RFC 7518 §3.2). Required. */
  secret: string | Buffer | KeyObject;
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
  /** Size limit of the token endpoint's body. Default "16kb". */
  bodyLimit?: string;
  /** Clock in milliseconds since the epoch, for tests. Default Date.now. */
  now?: () => number;
  /** Called for every refused request with the detailed reason, for audit logs. Default none. */
  onFailure?: (event: FailureEvent) => void;
  /** Called after every successful login. Default none. */
  onLogin?: (event: LoginEvent) => void;
}

/** Options checked once and turned into the parts that do the work. */
export interface ResolvedOptions {
  readonly resolved: true;
  readonly users: UserStore;
  readonly tokens: AccessTokens;
  readonly passwords: PasswordHasher;
  readonly realm: string;
  readonly allowQueryToken: boolean;
  readonly allowBodyToken: boolean;
  readonly bodyLimit: string;
  readonly onFailure: ((event: FailureEvent) => void) | undefined;
  readonly onLogin: ((event: LoginEvent) => void) | undefined;
}

const USER_STORE_METHODS = ['findById', 'findByUsername', 'create', 'update', 'delete', 'list'] as const;

/** Checks every option once, at start-up: a bad one is a TypeError that names it. */
export function resolveOptions(options: AuthOptions | ResolvedOptions): ResolvedOptions {
  if (isResolved(options)) return options;
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');

  const algorithm = options.algorithm ?? 'HS256';
  const key = hmacKey(options.secret, algorithm, optionalString(options.kid, 'kid'));
  const issuer = requiredString(options.issuer, 'issuer');
  const audience = requiredString(options.audience, 'audience');
  const users = options.users;
  if (typeof users !== 'object' || users === null || USER_STORE_METHODS.some((m) => typeof users[m] !== 'function')) {
    throw new TypeError(`users must be a UserStore (with ${USER_STORE_METHODS.join(', ')})`);
  }
  const ttl = parseDuration(options.accessTokenTtl ?? '15m');
  if (ttl === undefined) throw new TypeError('accessTokenTtl must be a positive number of seconds or a duration like "15m"');
  const clockTolerance = options.clockTolerance ?? 30;
  if (!Number.isSafeInteger(clockTolerance) || clockTolerance < 0 || clockTolerance > 300) {
    throw new TypeError('clockTolerance must be a whole number of seconds from 0 to 300');
  }
  const realm = options.realm ?? 'api';
  if (!isValidRealm(realm)) throw new TypeError('realm must be printable ASCII');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('now must be a function returning milliseconds');
  for (const hook of ['onFailure', 'onLogin'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') throw new TypeError(`${hook} must be a function`);
  }
  const bodyLimit = options.bodyLimit ?? '16kb';
  if (typeof bodyLimit !== 'string' || !/^\d+(b|kb|mb)?$/i.test(bodyLimit)) throw new TypeError('bodyLimit must be a size like "16kb"');

  const passwords = new PasswordHasher(options.argon2, options.maxPasswordLength);
  // Make the dummy hash now: the first unknown-user login must not be slower than the rest.
  passwords.prepareDummy().catch(() => undefined);

  return Object.freeze({
    resolved: true as const,
    users,
    tokens: new AccessTokens({
      key,
      issuer,
      audience,
      clientId: requiredString(options.clientId ?? 'express-jwt-auth', 'clientId'),
      ttl,
      clockTolerance,
      now,
    }),
    passwords,
    realm,
    allowQueryToken: flag(options.allowQueryToken, 'allowQueryToken'),
    allowBodyToken: flag(options.allowBodyToken, 'allowBodyToken'),
    bodyLimit,
    onFailure: options.onFailure,
    onLogin: options.onLogin,
  });
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

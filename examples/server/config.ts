import { isIP } from 'node:net';
import { join } from 'node:path';
import { JWS_ALGORITHMS, type DpopPolicy, type JwsAlgorithm } from 'express-jwt-auth';
import { LOG_LEVELS, type LogLevel } from './logger';

/** The example server's settings, from the environment. */
export interface ServerConfig {
  port: number;
  host: string;
  /** `sqlite:<file>`, `sqlite::memory:` or `postgres://…` (also `postgresql://…`). */
  databaseUrl: string;
  /** Where the development secret and the default database live. */
  dataDir: string;
  secret: string | undefined;
  issuer: string;
  audience: string;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  /** ALLOW_REGISTRATION=1 mounts POST /users. */
  allowRegistration: boolean;
  production: boolean;
  /** LOG_LEVEL: fatal, error, warn, info (default), debug, trace or silent. */
  logLevel: LogLevel;
  /** REDIS_URL: share the denylist and the rate-limit counters between instances. */
  redisUrl: string | undefined;
  /** LOGIN_MAX_FAILURES: consecutive failed logins before an account is blocked. Default 5. */
  loginMaxFailures: number;
  /** REDIS_KEY_PREFIX: prefix of every key this server writes to Redis. Default "ejwt". */
  redisKeyPrefix: string;
  /** REFRESH_TOKEN_GRACE: seconds a rotated refresh token may be presented once more. Default 5. */
  refreshTokenGrace: number;
  /** DPOP: off, allowed or required (RFC 9449 sender-constrained tokens). Default allowed. */
  dpop: DpopPolicy;
  /** DPOP_NONCE_SECRET: when set (32 characters or more, the same on every instance), DPoP proofs must carry a server nonce. Default none. */
  dpopNonceSecret: string | undefined;
  /** HEADERS_TIMEOUT_MS: milliseconds a client has to send the request line and headers. Default 10000. */
  headersTimeoutMs: number;
  /** REQUEST_TIMEOUT_MS: milliseconds a client has to send the whole request, body included. Default 30000. */
  requestTimeoutMs: number;
  /** TRUST_PROXY: Express's `trust proxy` setting (whose X-Forwarded-For decides `req.ip`). Default false: none. */
  trustProxy: TrustProxy;
  /**
   * PUBLIC_URL: the base URL clients reach this server at, no trailing slash (behind a proxy, the
   * proxy's https URL). The RFC 9728 resource identifier. Default undefined: http://HOST:PORT once
   * listening when HOST is a loopback address, else none (no resource metadata).
   */
  publicUrl: string | undefined;
  /** CORS_ORIGINS: comma-separated exact origins of single-page apps on other origins (same site) allowed to call the API with cookies. Default none. */
  corsOrigins: string[];
}

/** What Express's `trust proxy` takes from TRUST_PROXY: all or nothing, a hop count, or the proxies' addresses and subnets. */
export type TrustProxy = boolean | number | string[];

/** The names proxy-addr (Express's `trust proxy`) gives to address ranges. */
const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY in one of Express's forms: unset, empty or `false` (no proxy:
 * `req.ip` is the peer's address), `true` (trust every hop: only when the one
 * proxy in front always overwrites X-Forwarded-For), a hop count (`1`: one
 * proxy), or a comma-separated list of addresses, CIDR subnets and the names
 * loopback, linklocal, uniquelocal (the proxies to trust). Anything else is a
 * ConfigError naming TRUST_PROXY and the part it could not read.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = (value ?? '').trim();
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (!Number.isSafeInteger(hops) || hops > 1000) throw new ConfigError(`TRUST_PROXY must be a hop count up to 1000, not "${text}"`);
    return hops;
  }
  const items = text.split(',').map((item) => item.trim());
  for (const item of items) {
    if (!isTrustedProxyItem(item)) {
      throw new ConfigError(
        `TRUST_PROXY must be true, false, a hop count, or a comma-separated list of IP addresses, CIDR subnets and the names ${TRUST_PROXY_NAMES.join(', ')}; "${item}" is none of these`,
      );
    }
  }
  return items;
}

function isTrustedProxyItem(item: string): boolean {
  if (TRUST_PROXY_NAMES.includes(item)) return true;
  const [address, prefix, ...rest] = item.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** A setting that cannot work; main prints its message and exits 1. */
export class ConfigError extends Error {}

/** A PostgreSQL DATABASE_URL: `postgres://…` or `postgresql://…` (libpq connection URI). */
export function isPostgresUrl(databaseUrl: string): boolean {
  return /^postgres(ql)?:\/\/./.test(databaseUrl);
}

const DATABASE_URL_FORMS =
  'DATABASE_URL must be sqlite:<file> (for example sqlite:data/example.db), sqlite::memory: or postgres://user:password@host:5432/database (also postgresql://)';

/**
 * Why `databaseUrl` cannot be used, or undefined when it can. The message
 * names the accepted forms and echoes nothing of the value: a URL may hold a
 * password, and so may whatever was pasted by mistake.
 */
export function databaseUrlProblem(databaseUrl: string): string | undefined {
  if (/^sqlite:./.test(databaseUrl) || isPostgresUrl(databaseUrl)) return undefined;
  // data/example.db, ./users.sqlite, C:\data\users.db: a file meant for SQLite.
  // (A scheme has two characters or more; one letter and a colon is a Windows drive.)
  const filePath = !/^[A-Za-z][A-Za-z0-9+.-]+:/.test(databaseUrl) && /[\\/]|\.(db|sqlite3?)$/i.test(databaseUrl);
  return filePath ? `${DATABASE_URL_FORMS}; a file path needs the sqlite: prefix` : DATABASE_URL_FORMS;
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** A duration setting in seconds: whole seconds, or "15m", "1h", "30d"; undefined when it is not one. */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d{1,9})([smhd]?)$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * DURATION_UNITS[match[2] || 's'] : 0;
  return seconds > 0 ? seconds : undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${env.LOG_LEVEL}"`);
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number, not "${env.PORT}"`);
  const dataDir = env.DATA_DIR || 'data';
  const accessTokenTtl = parseDuration(env.ACCESS_TOKEN_TTL || '15m');
  if (accessTokenTtl === undefined) throw new ConfigError('ACCESS_TOKEN_TTL must be seconds or a duration like "15m"');
  const refreshTokenTtl = parseDuration(env.REFRESH_TOKEN_TTL || '30d');
  if (refreshTokenTtl === undefined) throw new ConfigError('REFRESH_TOKEN_TTL must be seconds or a duration like "30d"');
  const registration = env.ALLOW_REGISTRATION ?? '';
  if (!['', '0', '1'].includes(registration)) throw new ConfigError('ALLOW_REGISTRATION must be 1 (on) or 0 (off)');
  const databaseUrl = env.DATABASE_URL || `sqlite:${dataDir}/example.db`;
  const databaseProblem = databaseUrlProblem(databaseUrl);
  if (databaseProblem) throw new ConfigError(databaseProblem);
  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\/./.test(redisUrl)) throw new ConfigError('REDIS_URL must be redis://host:port (or rediss://)');
  const loginMaxFailures = env.LOGIN_MAX_FAILURES ? Number(env.LOGIN_MAX_FAILURES) : 5;
  if (!Number.isSafeInteger(loginMaxFailures) || loginMaxFailures < 1) throw new ConfigError('LOGIN_MAX_FAILURES must be a whole number of at least 1');
  const refreshTokenGrace = env.REFRESH_TOKEN_GRACE ? Number(env.REFRESH_TOKEN_GRACE) : 5;
  if (!Number.isSafeInteger(refreshTokenGrace) || refreshTokenGrace < 0 || refreshTokenGrace > 60) {
    throw new ConfigError('REFRESH_TOKEN_GRACE must be a whole number of seconds from 0 to 60');
  }
  // Short enough that slow clients cannot hold sockets for minutes (Node's defaults: 60 s and 300 s),
  // long enough for a 16 kB body over a poor mobile link.
  const headersTimeoutMs = milliseconds(env, 'HEADERS_TIMEOUT_MS', 10_000);
  const requestTimeoutMs = milliseconds(env, 'REQUEST_TIMEOUT_MS', 30_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    // Node refuses the same (ERR_OUT_OF_RANGE): the headers are part of the request.
    throw new ConfigError(`HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not be more than REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  }
  const dpop = (env.DPOP || 'allowed') as DpopPolicy;
  if (!['off', 'allowed', 'required'].includes(dpop)) throw new ConfigError(`DPOP must be off, allowed or required, not "${env.DPOP}"`);
  const dpopNonceSecret = env.DPOP_NONCE_SECRET || undefined;
  // Never echoed: it is a secret.
  if (dpopNonceSecret !== undefined && Buffer.byteLength(dpopNonceSecret) < 32) throw new ConfigError('DPOP_NONCE_SECRET must be at least 32 bytes');
  return {
    port,
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    dataDir,
    secret: env.JWT_SECRET || undefined,
    issuer: env.JWT_ISSUER || 'express-jwt-auth-example',
    audience: env.JWT_AUDIENCE || 'example-api',
    accessTokenTtl,
    refreshTokenTtl,
    allowRegistration: registration === '1',
    production: env.NODE_ENV === 'production',
    logLevel,
    redisUrl,
    loginMaxFailures,
    redisKeyPrefix: env.REDIS_KEY_PREFIX || 'ejwt',
    refreshTokenGrace,
    headersTimeoutMs,
    requestTimeoutMs,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    dpop,
    dpopNonceSecret,
    publicUrl: env.PUBLIC_URL ? publicUrl(env.PUBLIC_URL) : undefined,
    corsOrigins: env.CORS_ORIGINS ? env.CORS_ORIGINS.split(',').map((origin) => exactOrigin(origin.trim())) : [],
  };
}

/** A setting in whole milliseconds, at least 1, or `fallback` when unset. */
function milliseconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const ms = /^\d{1,9}$/.test(value.trim()) ? Number(value) : 0;
  if (ms < 1) throw new ConfigError(`${name} must be a whole number of milliseconds, at least 1`);
  return ms;
}

/** PUBLIC_URL: https (http only on localhost, for development), no query or fragment; kept without a trailing slash. */
function publicUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const loopback = url !== undefined && /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(url.hostname);
  if (url === undefined || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) || url.search || url.hash || /[?#]/.test(value) || url.username) {
    throw new ConfigError(`PUBLIC_URL must be the https URL clients reach this server at, like https://auth.example.com (http only on localhost), not "${value}"`);
  }
  return url.href.replace(/\/$/, '');
}

/** One CORS_ORIGINS entry: an exact origin as browsers send it (scheme://host[:port], lower case, no path), never "*". */
function exactOrigin(value: string): string {
  let origin: string | undefined;
  try {
    origin = new URL(value).origin;
  } catch {
    origin = undefined;
  }
  if (origin !== value || !/^https?:\/\//.test(value) || value.includes('*')) {
    throw new ConfigError(`CORS_ORIGINS must list exact origins like https://app.example.com (no "*", no path, lower case), not "${value}"`);
  }
  return origin;
}

/** The signing-key settings, read apart from loadConfig (JWT_ALGORITHM, JWT_KEYS_DIR). */
export interface KeysConfig {
  /** JWT_ALGORITHM: HS256 (the default), HS384 or HS512 sign with JWT_SECRET; RS256, PS256, ES256 or EdDSA with the keys in keysDir. */
  algorithm: JwsAlgorithm;
  /** JWT_KEYS_DIR: where the asymmetric keys and their manifest live. Default <DATA_DIR>/keys. */
  keysDir: string;
}

export function loadKeysConfig(env: NodeJS.ProcessEnv = process.env): KeysConfig {
  const algorithm = env.JWT_ALGORITHM || 'HS256';
  if (!JWS_ALGORITHMS.includes(algorithm as JwsAlgorithm)) throw new ConfigError(`JWT_ALGORITHM must be one of ${JWS_ALGORITHMS.join(', ')}, not "${algorithm}"`);
  return { algorithm: algorithm as JwsAlgorithm, keysDir: env.JWT_KEYS_DIR || join(env.DATA_DIR || 'data', 'keys') };
}

import { optionalObject, flag, requiredString } from './checks';
import { LOOPBACK } from './discovery';

/**
 * The `cookies` option of `createAuth`: cookie mode for single-page apps
 * (OAuth 2.0 for Browser-Based Apps BCP). A request that carries the CSRF
 * header is a browser's cookie request: its refresh token travels only in an
 * HttpOnly cookie, never in a JSON body a page script could read.
 *
 * @example
 * createAuth({ ...options, cookies: { allowedOrigins: ['https://app.example.com'] } });
 */
export interface CookieOptions {
  /** Name of the refresh-token cookie before its prefix (`__Host-` or `__Secure-` over https, none over plain http). Default "refresh_token". */
  name?: string;
  /** Path of the cookie: "/" (the only path `__Host-` allows) or the prefix your auth routes share. Default "/". */
  path?: string;
  /** The request header that marks a cookie request; only a page's own scripts can add it (OWASP CSRF: custom request headers). Default "X-Requested-With". */
  csrfHeader?: string;
  /** Origins besides the server's own whose pages may make cookie requests, exactly like "https://app.example.com". Default []. */
  allowedOrigins?: string[];
  /** Clients that send no CSRF header (native apps, CLIs, Swagger UI) still get refresh tokens in the JSON body. Default false: they get access tokens only. */
  jsonClients?: boolean;
}

/** CookieOptions, checked once. Internal. */
export interface ResolvedCookies {
  /** The name before its prefix. */
  readonly name: string;
  readonly path: string;
  /** Lower case, as Node keys `req.headers`. */
  readonly csrfHeader: string;
  /** As given, for messages and documents. */
  readonly csrfHeaderName: string;
  /** Exact origins (`scheme://host[:port]`), besides the server's own. */
  readonly allowedOrigins: ReadonlySet<string>;
  readonly jsonClients: boolean;
}

const COOKIE_OPTION_NAMES = ['name', 'path', 'csrfHeader', 'allowedOrigins', 'jsonClients'] satisfies ReadonlyArray<keyof CookieOptions>;

// RFC 9110 §5.6.2 token (also RFC 6265 §4.1.1's cookie-name).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// A header a cross-site form or a "simple" fetch can send without a CORS preflight (Fetch standard:
// CORS-safelisted request headers), or one a page cannot set at all (forbidden request headers),
// proves nothing: the CSRF header must be one only the page's own scripts can add.
const NOT_A_CSRF_HEADER = new Set([
  'accept', 'accept-language', 'content-language', 'content-type', 'range',
  'accept-charset', 'accept-encoding', 'access-control-request-headers', 'access-control-request-method', 'connection',
  'content-length', 'cookie', 'cookie2', 'date', 'dnt', 'expect', 'host', 'keep-alive', 'origin', 'referer', 'set-cookie',
  'te', 'trailer', 'transfer-encoding', 'upgrade', 'via', 'authorization',
]);

/** Checks the `cookies` option: undefined when cookie mode is off; a bad value is a TypeError naming it. */
export function resolveCookieOptions(value: unknown, refreshTokens: boolean): ResolvedCookies | undefined {
  if (value === undefined || value === false) return undefined;
  const options = optionalObject<CookieOptions>(value, 'cookies', COOKIE_OPTION_NAMES) ?? {};
  if (!refreshTokens) throw new TypeError('cookies needs refresh tokens (the cookie carries the refresh token): remove refreshTokens: false');

  const name = requiredString(options.name ?? 'refresh_token', 'cookies.name');
  if (!TOKEN.test(name)) throw new TypeError('cookies.name must be a cookie name (letters, digits and !#$%&\'*+-.^_`|~)');
  // RFC 6265bis §4.1.3: the prefix is the library's to choose per request; a name that already has one would double it.
  if (/^__(host|secure)-/i.test(name)) throw new TypeError('cookies.name must not start with __Host- or __Secure-: the prefix is added for you');

  const path = requiredString(options.path ?? '/', 'cookies.path');
  if (!/^\/[\x21-\x3a\x3c-\x7e]*$/.test(path)) throw new TypeError('cookies.path must be a path starting with "/" (no spaces, ";" or control characters)');

  const csrfHeaderName = requiredString(options.csrfHeader ?? 'X-Requested-With', 'cookies.csrfHeader');
  const csrfHeader = csrfHeaderName.toLowerCase();
  if (!TOKEN.test(csrfHeader) || NOT_A_CSRF_HEADER.has(csrfHeader) || /^(sec-|proxy-)/.test(csrfHeader)) {
    throw new TypeError('cookies.csrfHeader must be a custom header name such as "X-Requested-With": a CORS-safelisted or forbidden header proves nothing');
  }

  const origins = options.allowedOrigins ?? [];
  if (!Array.isArray(origins)) throw new TypeError('cookies.allowedOrigins must be an array of origins like "https://app.example.com"');
  const allowedOrigins = new Set(origins.map((origin) => exactOrigin(origin, 'cookies.allowedOrigins')));

  return Object.freeze({ name, path, csrfHeader, csrfHeaderName, allowedOrigins, jsonClients: flag(options.jsonClients, 'cookies.jsonClients') });
}

/**
 * An origin exactly as browsers send it in `Origin` (RFC 6454 §6.2): scheme,
 * host and a non-default port, lower case, no path and no trailing slash.
 * Never a wildcard: each allowed origin is named.
 */
export function exactOrigin(value: unknown, option: string): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== value || url.hostname.includes('*')) {
    throw new TypeError(`${option}: ${JSON.stringify(value)} is not an exact origin like "https://app.example.com" (scheme and host, lower case, no path, no "*")`);
  }
  // A page served over plain http can be rewritten by anyone on the wire, who would then act with its
  // cookies: http only on this machine, for development (as for `resource`).
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) {
    throw new TypeError(`${option}: ${JSON.stringify(value)} is plain http: use https (http only for localhost)`);
  }
  return url.origin;
}

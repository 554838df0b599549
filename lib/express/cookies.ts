import type { Request, Response } from 'express';

/**
 * Small, strict cookie helpers (RFC 6265bis) for the cookies this library
 * sets. Every cookie is `HttpOnly` (no page script reads it) and
 * `SameSite=Strict` unless said otherwise; `Secure` and the name prefix
 * follow the request. Each Set-Cookie is appended, so several cookies (the
 * refresh token, a device cookie, the app's own) coexist in one response.
 */

/** What a cookie is, apart from its value. */
export interface CookieSpec {
  /** The name before its prefix. */
  readonly name: string;
  /** The Path attribute. */
  readonly path: string;
  /** The SameSite attribute. Default "Strict". */
  readonly sameSite?: 'Strict' | 'Lax';
}

/**
 * The name a cookie has on this request. RFC 6265bis §4.1.3: `__Host-`
 * needs Secure, Path=/ and no Domain (the cookie is then bound to this one
 * host: no sibling subdomain can set or overwrite it); `__Secure-` needs
 * Secure. Over plain http (a development server on localhost) neither is
 * allowed, so the bare name is used.
 *
 * @example
 * cookieName({ name: 'refresh_token', path: '/' }, true); // '__Host-refresh_token'
 */
export function cookieName(spec: CookieSpec, secure: boolean): string {
  if (!secure) return spec.name;
  return spec.path === '/' ? `__Host-${spec.name}` : `__Secure-${spec.name}`;
}

/**
 * Whether a request reached us over https: `req.secure`, which follows the
 * app's `trust proxy` setting (X-Forwarded-Proto from a trusted proxy).
 */
export function isSecure(req: Request): boolean {
  return req.secure;
}

function attributes(spec: CookieSpec, secure: boolean, maxAge: number): string {
  // No Domain attribute ever: the cookie stays on the host that set it (and __Host- requires it).
  return `Path=${spec.path}; Max-Age=${maxAge}; HttpOnly${secure ? '; Secure' : ''}; SameSite=${spec.sameSite ?? 'Strict'}`;
}

/** Appends a Set-Cookie for `value`, living `maxAgeSeconds` (at least 1). */
export function setCookie(req: Request, res: Response, spec: CookieSpec, value: string, maxAgeSeconds: number): void {
  // Our values are base64url: nothing to encode, nothing a cookie-octet (RFC 6265 §4.1.1) refuses.
  if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new Error('cookie values must be base64url');
  const secure = isSecure(req);
  res.append('Set-Cookie', `${cookieName(spec, secure)}=${value}; ${attributes(spec, secure, Math.max(1, Math.floor(maxAgeSeconds)))}`);
}

/** Appends a Set-Cookie that deletes the cookie: empty, Max-Age=0, with the attributes it was set with (RFC 6265bis §5.7). */
export function clearCookie(req: Request, res: Response, spec: CookieSpec): void {
  const secure = isSecure(req);
  res.append('Set-Cookie', `${cookieName(spec, secure)}=; ${attributes(spec, secure, 0)}`);
}

/** Two cookies of one name were sent (say one with another Path): which one is ours cannot be told. */
export const AMBIGUOUS = Symbol('ambiguous cookie');

/**
 * The value of the cookie named `name` in the request's Cookie header:
 * undefined when absent or empty, AMBIGUOUS when it appears more than once.
 */
export function readCookie(req: Pick<Request, 'headers'>, name: string): string | undefined | typeof AMBIGUOUS {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  let found: string | undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    const value = pair.slice(eq + 1).trim();
    if (found !== undefined) return AMBIGUOUS;
    found = value;
  }
  return found === '' ? undefined : found;
}

import type { IncomingHttpHeaders } from 'node:http';

/** What the origin checks read of a request: Express's `req` has all of it. */
export interface OriginSource {
  readonly headers: IncomingHttpHeaders;
  /** `http` or `https`, after `trust proxy`. */
  readonly protocol: string;
  /** The Host (or a trusted X-Forwarded-Host), after `trust proxy`. */
  readonly host?: string;
}

/**
 * An RFC 3986 §3.2 authority without userinfo, as a Host header (RFC 9110
 * §7.2) or X-Forwarded-Host must hold one: a host name, an IPv4 address or a
 * bracketed IPv6 literal, and an optional port. Anything else (a `/`, `?`,
 * `#`, `@`, `\`, a space) would move text into the path, query or userinfo
 * of a URL built from it, so a URL built from the request is refused instead.
 */
const AUTHORITY = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%-]+)(?::[0-9]{1,5})?$/;

/**
 * `protocol` when it is `http` or `https` (lower-cased), else undefined.
 * Behind `trust proxy` it comes from X-Forwarded-Proto, whose first value a
 * proxy that appends (rather than replaces) leaves as the client wrote it:
 * "https://elsewhere/x?" would otherwise become part of the URL.
 */
export function validScheme(protocol: unknown): 'http' | 'https' | undefined {
  if (typeof protocol !== 'string') return undefined;
  const lower = protocol.toLowerCase();
  return lower === 'http' || lower === 'https' ? lower : undefined;
}

/** `host` when it is a well-formed authority (see AUTHORITY), else undefined. */
export function validAuthority(host: unknown): string | undefined {
  return typeof host === 'string' && host.length <= 255 + 8 && AUTHORITY.test(host) ? host : undefined;
}

/**
 * The server's own origin as the browser sees it: `req.protocol` and
 * `req.host` follow `trust proxy` (X-Forwarded-Proto and X-Forwarded-Host
 * from a trusted proxy only), so behind a proxy it is the public origin.
 */
export function ownOrigin(req: OriginSource): string | undefined {
  const scheme = validScheme(req.protocol);
  const host = validAuthority(req.host);
  return scheme && host ? `${scheme}://${host}`.toLowerCase() : undefined;
}

/**
 * May this response set a cookie for a login (the device cookie)? Not when a
 * browser tells us another site started the request: `Origin` another origin
 * than the server's own or an allowed page's, or (but for an allowed page)
 * `Sec-Fetch-Site` other than `same-origin` or `none` (a typed URL). A
 * cross-site form posting the
 * attacker's password would otherwise plant the attacker's device cookie in
 * the victim's browser, in place of the victim's own: login CSRF (OWASP CSRF
 * Prevention Cheat Sheet, "Login CSRF"). Clients that send neither header
 * (curl, apps) are not browsers and get the cookie.
 */
export function isSameOriginLogin(req: OriginSource, allowedOrigins?: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  const sameOrigin = site === undefined || site === 'same-origin' || site === 'none';
  if (origin === undefined) return sameOrigin;
  // Any Origin header counts, even an empty one: a browser that sends it says where the page is.
  const lower = String(origin).toLowerCase();
  if (lower === ownOrigin(req)) return sameOrigin;
  // An allowed page on another origin (cookie mode) is cross-origin by nature.
  return allowedOrigins?.has(lower) ?? false;
}

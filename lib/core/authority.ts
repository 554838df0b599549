/**
 * An RFC 3986 §3.2 authority without userinfo, as a Host header (RFC 9110
 * §7.2) or X-Forwarded-Host must hold one: a host name, an IPv4 address or a
 * bracketed IPv6 literal, and an optional port. Anything else (a `/`, `?`,
 * `#`, `@`, `\`, a space) would move text into the path, query or userinfo
 * of a URL built from it, so a URL built from the request is refused instead.
 */
const AUTHORITY = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%-]+)(?::[0-9]{1,5})?$/;

/** `host` when it is a well-formed authority (see AUTHORITY), else undefined. */
export function validAuthority(host: unknown): string | undefined {
  return typeof host === 'string' && host.length <= 255 + 8 && AUTHORITY.test(host) ? host : undefined;
}

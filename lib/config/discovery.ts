/**
 * The URLs of discovery: the issuer identifier of RFC 8414 and the resource
 * identifier of RFC 9728, checked once.
 */

// Plain http only where no one else can be on the wire: this machine, for development.
export const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * Why `value` cannot be an RFC 8414 §2 issuer identifier or an RFC 9728 §1.2
 * resource identifier (a URL with the https scheme and no query or fragment;
 * http only on a loopback host, for development), or undefined when it can.
 */
export function discoveryUrlProblem(value: unknown): string | undefined {
  let url: URL;
  try {
    if (typeof value !== 'string') return 'is not a string';
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) return 'is not an https URL (http only for localhost)';
  if (url.search !== '' || url.hash !== '' || (value as string).includes('?') || (value as string).includes('#')) return 'has a query or fragment';
  if (url.username !== '' || url.password !== '') return 'holds credentials';
  return undefined;
}

/** The `resource` option: an RFC 9728 resource identifier, or undefined. */
export function resourceOption(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const problem = discoveryUrlProblem(value);
  if (problem !== undefined) throw new TypeError(`resource ${problem}: it must be this API's URL, like "https://api.example.com" (RFC 9728 §1.2)`);
  return value as string;
}

/**
 * RFC 9728 §3.1 and RFC 8414 §3.1: the well-known suffix goes between the
 * host and the path of the identifier, so `https://example.com/api` →
 * `https://example.com/.well-known/oauth-protected-resource/api`. RFC 8414
 * drops a terminating "/" of the issuer's path; RFC 9728 keeps the
 * resource's path as it is (as oauth4webapi's resourceDiscoveryRequest does).
 *
 * @example
 * wellKnownUrl('https://api.example.com', 'oauth-protected-resource'); // 'https://api.example.com/.well-known/oauth-protected-resource'
 */
export function wellKnownUrl(identifier: string, suffix: 'oauth-protected-resource' | 'oauth-authorization-server'): string {
  const url = new URL(identifier);
  const path = url.pathname === '/' ? '' : suffix === 'oauth-authorization-server' ? url.pathname.replace(/\/$/, '') : url.pathname;
  return `${url.origin}/.well-known/${suffix}${path}`;
}

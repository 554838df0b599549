import type { IncomingMessage } from 'node:http';
import type { AuthScheme } from '../core/dpop-policy';
import { InvalidRequestError } from '../core/errors';

export interface ExtractOptions {
  /** Accept `?access_token=` (RFC 6750 §2.3, which says SHOULD NOT). */
  allowQuery: boolean;
  /** Accept a form-encoded body field `access_token` (RFC 6750 §2.2). */
  allowBody: boolean;
  /** Also read `Authorization: DPoP <token>` (RFC 9449 §7.1); otherwise it is a scheme we do not know. Default false. */
  dpop?: boolean;
}

/** An access token and the scheme it came with (the query and the body are Bearer's, RFC 6750 §2.2–2.3). */
export interface Credentials {
  token: string;
  scheme: AuthScheme;
}

/** The request parts the extractor reads; an Express request has them all. */
export interface TokenSource extends Pick<IncomingMessage, 'headers' | 'rawHeaders' | 'method' | 'url'> {
  query?: unknown;
  body?: unknown;
}

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token, scheme case-insensitive (RFC 9110 §11.1).
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const BEARER_SCHEME = /^Bearer(?: |$)/i;
// RFC 9449 §7.1: credentials = "DPoP" 1*SP token68, the same syntax.
const DPOP = /^DPoP +([A-Za-z0-9\-._~+/]+=*)$/i;
const DPOP_SCHEME = /^DPoP(?: |$)/i;

/**
 * Finds the bearer token of a request, strictly.
 *
 * Returns undefined when the request carries no bearer credentials at all (a
 * plain 401 challenge follows), the token when it carries exactly one, and
 * throws InvalidRequestError (400) for anything else: a malformed header,
 * `Bearer tok junk`, two Authorization headers, a token in two places, or a
 * query-string token the app did not opt in to.
 *
 * @example
 * const token = extractToken(req, { allowQuery: false, allowBody: false });
 */
export function extractToken(req: TokenSource, options: ExtractOptions): string | undefined {
  return extractCredentials(req, options)?.token;
}

/**
 * `extractToken` that also tells the scheme: `Authorization: DPoP <token>`
 * too when `options.dpop` is set (RFC 9449 §7.1), with the same strictness.
 *
 * @example
 * const credentials = extractCredentials(req, { allowQuery: false, allowBody: false, dpop: true }); // { token, scheme: 'DPoP' }
 */
export function extractCredentials(req: TokenSource, options: ExtractOptions): Credentials | undefined {
  const found: string[] = [];
  let scheme: AuthScheme = 'Bearer';
  // A token from the Authorization header already matched the token68 syntax there.
  let fromHeader: string | undefined;

  // Own properties only: Node's headers object inherits from Object.prototype, which may be polluted.
  const header = Object.hasOwn(req.headers, 'authorization') ? req.headers.authorization : undefined;
  if (header !== undefined) {
    // Node keeps only the first Authorization header in req.headers; rawHeaders has all.
    if (countAuthorization(req.rawHeaders) > 1) throw bad('more than one Authorization header');
    const match = BEARER.exec(header);
    const dpop = options.dpop ? DPOP.exec(header) : null;
    if (match) found.push((fromHeader = match[1]));
    else if (BEARER_SCHEME.test(header)) throw bad('malformed Bearer credentials');
    else if (dpop) {
      found.push((fromHeader = dpop[1]));
      scheme = 'DPoP';
    } else if (options.dpop && DPOP_SCHEME.test(header)) throw bad('malformed DPoP credentials');
    // Any other scheme is "no bearer credentials": RFC 6750 §3 wants a bare challenge.
  }

  // Express 5 parses req.query on every read; skip it when the URL has no query.
  const fromQuery = req.url?.includes('?') ? field(req.query, 'access_token') : undefined;
  if (fromQuery !== undefined) {
    // RFC 6750 §2.3 / ASVS 14.2.1: tokens in URLs end up in logs; refuse unless asked for.
    if (!options.allowQuery) throw bad('access tokens are not accepted in the query string');
    found.push(fromQuery);
  }

  if (options.allowBody && isFormRequest(req)) {
    const fromBody = field(req.body, 'access_token');
    if (fromBody !== undefined) found.push(fromBody);
  }

  // RFC 6750 §2: a client MUST NOT use more than one method.
  if (found.length > 1) throw bad('access token sent more than once');
  const token = found[0];
  if (token === undefined) return undefined;
  if (token !== fromHeader && !/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) throw bad('malformed access token');
  return { token, scheme };
}

function countAuthorization(raw: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 13 && raw[i].toLowerCase() === 'authorization') count++;
  }
  return count;
}

/** A field present in a parsed query or body: a string, or a 400 when repeated or not a string. */
function field(container: unknown, name: string): string | undefined {
  if (typeof container !== 'object' || container === null || !Object.hasOwn(container, name)) return undefined;
  const value = (container as Record<string, unknown>)[name];
  if (typeof value !== 'string') throw bad(`${name} must appear once, as a string`);
  return value;
}

function isFormRequest(req: TokenSource): boolean {
  // RFC 6750 §2.2: only form-encoded bodies, and never with GET.
  const type = req.headers['content-type'];
  return req.method !== 'GET' && typeof type === 'string' && type.toLowerCase().startsWith('application/x-www-form-urlencoded');
}

// The reason helps the client's developer and reveals nothing, so it is the description too.
function bad(why: string): InvalidRequestError {
  return new InvalidRequestError(why[0].toUpperCase() + why.slice(1), { detail: why });
}

import type { Request } from 'express';
import { ownOrigin } from '../core/request-origin';
import { CrossSiteRequestError } from '../core/errors';

/** What decides whether a request may act on a cookie. */
export interface CsrfPolicy {
  /** The custom header, lower case. */
  readonly csrfHeader: string;
  /** Allowed page origins besides the server's own. */
  readonly allowedOrigins: ReadonlySet<string>;
}

/**
 * Is this a browser's cookie request, allowed to act on cookies?
 *
 * - Without the custom header it is not one (false): it may not read, set
 *   or clear a cookie, and is served as a plain OAuth client. A cross-site
 *   form or a "simple" fetch cannot add a custom header; a cross-origin
 *   script can only after a CORS preflight the server approved (OWASP CSRF
 *   Prevention Cheat Sheet, "Employing Custom Request Headers for AJAX/API").
 * - With it, the page's origin must be the server's own or an allowed one:
 *   `Origin` when sent (every browser sends it on CORS and POST requests),
 *   else `Sec-Fetch-Site: same-origin` (Fetch Metadata); with neither, or any
 *   other answer, the request is refused with CrossSiteRequestError (403)
 *   before anything is done ("Verifying Origin With Standard Headers").
 *
 * SameSite=Strict on the cookie is defence in depth on top of both.
 */
/** The values of Sec-Fetch-Site (Fetch Metadata); only these are named in a refusal's detail. */
const FETCH_SITES: ReadonlySet<string> = new Set(['cross-site', 'same-site', 'same-origin', 'none']);

export function isCookieRequest(req: Request, policy: CsrfPolicy): boolean {
  const marker = req.headers[policy.csrfHeader];
  if (marker === undefined || marker === '') return false;
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== '') {
    const lower = origin.toLowerCase();
    if (lower !== 'null' && (lower === ownOrigin(req) || policy.allowedOrigins.has(lower))) return true;
    // The detail names no header value: a client may put anything there, a token too, and the detail is logged.
    throw new CrossSiteRequestError(undefined, { detail: lower === 'null' ? 'cookie request from an opaque origin (null)' : 'cookie request from an origin that is not allowed' });
  }
  const site = req.headers['sec-fetch-site'];
  if (site === 'same-origin') return true;
  throw new CrossSiteRequestError(undefined, {
    detail:
      site === undefined
        ? 'cookie request with neither Origin nor Sec-Fetch-Site'
        : `cookie request with Sec-Fetch-Site ${FETCH_SITES.has(String(site)) ? String(site) : '(not a Fetch Metadata value)'}`,
  });
}

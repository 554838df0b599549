import type { Request, Response } from 'express';
import { InvalidGrantError, InvalidRequestError } from '../core/errors';
import { readParam } from '../core/params';
import type { ResolvedAuth } from '../config/auth-options';
import type { ResolvedCookies } from '../config/cookie-options';
import type { GrantContext, GrantResult } from '../grants/registry';
import { AMBIGUOUS, clearCookie, cookieName, isSecure, readCookie, setCookie } from './cookies';
import { isCookieRequest } from './csrf';

/**
 * Cookie mode (the `cookies` option; OAuth 2.0 for Browser-Based Apps BCP):
 * what the token endpoint, `/revoke` and sign-out-everywhere do for a
 * browser's cookie request. A cookie request is one with the CSRF header
 * from an allowed origin (./csrf.ts); only such a request reads, sets or
 * clears the refresh-token cookie. Every other request is a plain OAuth
 * client's, served as without cookie mode and never touching the cookie.
 */

/** The refresh-token cookie's value, or undefined; two of them is a 400. */
function refreshCookie(cookies: ResolvedCookies, req: Request): string | undefined {
  const value = readCookie(req, cookieName(cookies, isSecure(req)));
  if (value === AMBIGUOUS) throw new InvalidRequestError('Two refresh-token cookies were sent', { detail: 'refresh-token cookie sent twice' });
  return value;
}

/**
 * True when cookie mode is on and this is a cookie request; throws
 * CrossSiteRequestError (403) for one with the header from another origin,
 * before the caller changes anything.
 */
export function cookieRequest(auth: Pick<ResolvedAuth, 'cookies'>, req: Request): boolean {
  return auth.cookies !== undefined && isCookieRequest(req, auth.cookies);
}

/** Clears the refresh-token cookie (sign-out everywhere, logout). */
export function clearRefreshCookie(auth: Pick<ResolvedAuth, 'cookies'>, req: Request, res: Response): void {
  if (auth.cookies) clearCookie(req, res, auth.cookies);
}

/** One token request, as cookie mode sees it. */
export interface TokenExchange {
  /** The parameters for the grant: for a cookie refresh, with the cookie's token as `refresh_token`. */
  readonly params: Record<string, unknown>;
  /** Runs the grant; for a cookie request, moves the new refresh token from the body into the cookie. */
  run(grant: (params: Record<string, unknown>, context: GrantContext) => Promise<GrantResult>, context: GrantContext): Promise<GrantResult>;
}

/**
 * Prepares one token request for cookie mode. With cookie mode off it
 * changes nothing. For a cookie request: the refresh grant takes its token
 * from the cookie only (one in the body as well is a 400: a page script
 * should never hold one), the new refresh token is set as the cookie and
 * left out of the body, and a refused cookie refresh clears the cookie. For a
 * plain client, unless `cookies.jsonClients`, the password grant issues an
 * access token only, and the refresh grant is a 400 naming the header.
 */
export function tokenExchange(auth: ResolvedAuth, req: Request, res: Response, params: Record<string, unknown>): TokenExchange {
  const cookies = auth.cookies;
  if (cookies === undefined) return { params, run: (grant, context) => grant(params, context) };
  const browser = isCookieRequest(req, cookies);
  const refresh = readParam(params, 'grant_type') === 'refresh_token';

  if (!browser) {
    if (cookies.jsonClients) return { params, run: (grant, context) => grant(params, context) };
    if (refresh) throw new InvalidRequestError(`Refresh tokens travel in a cookie here: send the ${cookies.csrfHeaderName} header`, { detail: 'refresh without the CSRF header' });
    // No family is started for a token nobody may hold.
    return { params, run: (grant, context) => grant(params, { ...context, refreshTokens: undefined }) };
  }

  let exchanged = params;
  if (refresh) {
    if (readParam(params, 'refresh_token') !== undefined) {
      throw new InvalidRequestError('In cookie mode the refresh token travels only in its cookie', { detail: 'refresh_token in the body of a cookie request' });
    }
    const token = refreshCookie(cookies, req);
    if (token === undefined) throw new InvalidRequestError('No refresh-token cookie: log in', { detail: 'no refresh-token cookie' });
    exchanged = { ...params, refresh_token: token };
  }
  return {
    params: exchanged,
    async run(grant, context) {
      let result: GrantResult;
      try {
        result = await grant(exchanged, context);
      } catch (err) {
        // Reused, expired, revoked or ended elsewhere: the cookie is dead, so it goes.
        if (refresh && err instanceof InvalidGrantError) clearCookie(req, res, cookies);
        throw err;
      }
      const { refresh_token: token, ...body } = result.body;
      if (token !== undefined) {
        const lifetime = ((result.refreshExpiresAt ?? auth.now()) - auth.now()) / 1000;
        setCookie(req, res, cookies, token, lifetime);
      }
      return { ...result, body };
    },
  };
}

/**
 * Logout of a cookie request at `/revoke`: revokes the refresh-token family
 * of the cookie (if any) and clears the cookie. Resolves false, doing
 * nothing, when cookie mode is off or this is not a cookie request.
 */
export async function cookieLogout(
  auth: ResolvedAuth,
  req: Request,
  res: Response,
  mayRevoke: (family: { jkt?: string | null }) => Promise<void>,
): Promise<boolean> {
  if (!cookieRequest(auth, req)) return false;
  const token = refreshCookie(auth.cookies!, req);
  const found = token === undefined ? null : await auth.refreshTokens?.find(token);
  if (found) {
    // A DPoP-bound family is ended only with a proof of its key, however its token came (RFC 9449 §5).
    await mayRevoke(found.family);
    await auth.refreshTokens!.revokeFamily(found.family.id);
  }
  clearCookie(req, res, auth.cookies!);
  return true;
}

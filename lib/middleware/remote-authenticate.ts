import type { NextFunction, Request, Response } from 'express';
import { InsufficientScopeError } from '../errors';
import { authenticateRemoteBearer } from '../remote-bearer';
import { formatScope, hasScopes, isScopeToken } from '../scopes';
import type { ResolvedVerifierOptions } from '../verifier-options';
import { isVerifiedBy } from '../verified-requests';
import { rejectBearer, runGuard } from './authenticate';

/**
 * Runs verify-only bearer authentication for one request; resolves true when
 * the request may go on. An unreachable issuer is `next(err)` (a 500), never
 * a 401: the client's token may be fine.
 */
export function runRemoteBearer(verifier: ResolvedVerifierOptions, req: Request, res: Response, next: NextFunction): Promise<boolean> {
  return runGuard(
    verifier,
    async (request) => {
      const { user, auth } = await authenticateRemoteBearer(verifier, request);
      // Express.User is the issuer's account type; here only its id is known (see RemoteUser).
      return { user: user as Express.User, auth };
    },
    req,
    res,
    next,
  );
}

/**
 * Creates middleware for a verify-only service that admits a request only
 * with a valid bearer token from the issuer, then sets `req.auth` (claims and
 * scopes) and `req.user` (`{ id }`, the token's `sub`). Responses are the
 * issuer's own: the same status, challenge and JSON body.
 */
export function createRemoteAuthenticate(verifier: ResolvedVerifierOptions) {
  return async function authenticate(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (await runRemoteBearer(verifier, req, res, next)) next();
  };
}

/**
 * Creates middleware for a verify-only service that admits a request only
 * when its token grants every one of `scopes`; otherwise 403
 * `insufficient_scope` (RFC 6750 §3.1). Authenticates first when needed.
 */
export function createRemoteRequireScopes(verifier: ResolvedVerifierOptions, scopes: string[]) {
  if (scopes.length === 0) throw new TypeError('requireScopes needs at least one scope');
  for (const scope of scopes) {
    if (!isScopeToken(scope)) throw new TypeError(`requireScopes: "${String(scope)}" is not a valid scope (RFC 6749 §3.3)`);
  }
  const needed = formatScope(scopes);

  return async function requireScopes(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (!isVerifiedBy(req, verifier) && !(await runRemoteBearer(verifier, req, res, next))) return;
    if (hasScopes(req.auth!.scopes, scopes)) return next();
    rejectBearer(verifier, new InsufficientScopeError(needed, { cause: new Error(`granted: ${formatScope(req.auth!.scopes)}`) }), req, res);
  };
}

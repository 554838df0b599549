import type { NextFunction, Request, Response } from 'express';
import { authenticateRemoteBearer } from '../bearer/bearer-check';
import type { ResolvedVerifierOptions } from '../config/verifier-options';
import { runGuard } from '../express/guard';
import { createScopeGuard } from '../express/require-scopes';

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

/** `verifier.requireScopes(...)`: the shared scope guard on verify-only authentication. */
export function createRemoteRequireScopes(verifier: ResolvedVerifierOptions, scopes: string[]) {
  return createScopeGuard(verifier, (req, res, next) => runRemoteBearer(verifier, req, res, next), scopes);
}

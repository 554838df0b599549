import type { NextFunction, Request, Response } from 'express';
import { authenticateBearer } from '../bearer/session-check';
import { AuthError } from '../core/errors';
import type { ResolvedOptions } from '../config/auth-options';
import type { RequestAuth } from '../core/user';
import { markVerified } from '../bearer/verified-requests';
import { reportFailure } from '../config/hooks';
import { sendError } from './send-error';

/**
 * Runs a bearer check for one request: on success sets req.user and req.auth
 * and resolves true; a client error is answered with its challenge; anything
 * else (a failing store, an unreachable issuer) goes to next(err), never a 401.
 */
export async function runGuard(
  settings: Pick<ResolvedOptions, 'realm' | 'onFailure'>,
  check: (req: Request) => Promise<{ user: Express.User; auth: RequestAuth }>,
  req: Request,
  res: Response,
  next: NextFunction,
): Promise<boolean> {
  try {
    const result = await check(req);
    req.user = result.user;
    req.auth = result.auth;
    markVerified(req, settings);
    return true;
  } catch (err) {
    if (!(err instanceof AuthError)) {
      next(err);
      return false;
    }
    rejectBearer(settings, err, req, res);
    return false;
  }
}

/** Runs this library's bearer authentication for one request; resolves true when the request may go on. */
export function runBearer(auth: ResolvedOptions, req: Request, res: Response, next: NextFunction): Promise<boolean> {
  return runGuard(auth, (request) => authenticateBearer(auth, request), req, res, next);
}

/** Sends a bearer error (RFC 6750 §3) with its challenge and JSON body, after telling the onFailure hook. */
export function rejectBearer(auth: Pick<ResolvedOptions, 'realm' | 'onFailure'>, err: AuthError, req: Request, res: Response): void {
  err.withChallenge(auth.realm);
  reportFailure(auth, err, req);
  sendError(res, err);
}

/**
 * Creates middleware that admits a request only with a valid bearer token,
 * then sets `req.user` (the account, without its hash) and `req.auth`
 * (claims and scopes). It calls the shared logic directly rather than through
 * passport.authenticate(), which saves Passport's per-request work.
 */
export function createAuthenticate(auth: ResolvedOptions) {
  return async function authenticate(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (await runBearer(auth, req, res, next)) next();
  };
}

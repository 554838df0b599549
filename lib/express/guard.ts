import type { NextFunction, Request, Response } from 'express';
import type { BearerCheck } from '../bearer/bearer-check';
import { markVerified } from '../bearer/verified-requests';
import { AuthError } from '../core/errors';
import { reportFailure, type Hooks } from '../config/hooks';
import { sendError } from './send-error';

/** What a route guard needs: the bearer check, and the hooks to report refusals to. */
export interface GuardSettings {
  readonly bearer: BearerCheck;
  readonly hooks: Hooks;
}

/**
 * Runs the bearer check for one request: on success sets req.user and
 * req.auth and resolves true; a client error is answered with its challenge;
 * anything else (a failing store, an unreachable issuer) goes to next(err),
 * never a 401.
 */
export async function runBearer(settings: GuardSettings, req: Request, res: Response, next: NextFunction): Promise<boolean> {
  try {
    const result = await settings.bearer.authenticate(req);
    req.user = result.user;
    req.auth = result.auth;
    markVerified(req, settings.bearer);
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

/** Sends a bearer error (RFC 6750 §3) with its challenge and JSON body, after telling the onFailure hook. */
export function rejectBearer(settings: GuardSettings, err: AuthError, req: Request, res: Response): void {
  err.withChallenge(settings.bearer.realm, settings.bearer.resourceMetadata);
  reportFailure(settings.hooks, err, req);
  sendError(res, err);
}

/**
 * Creates middleware that admits a request only with a valid bearer token,
 * then sets `req.user` and `req.auth` (claims and scopes). It runs the shared
 * bearer check directly rather than through passport.authenticate(), which
 * saves Passport's per-request work.
 */
export function createAuthenticate(settings: GuardSettings) {
  return async function authenticate(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (await runBearer(settings, req, res, next)) next();
  };
}

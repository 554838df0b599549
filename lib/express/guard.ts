import type { NextFunction, Request, Response } from 'express';
import type { BearerCheck, BearerResult } from '../bearer/bearer-check';
import { markVerified, verifiedBy } from '../bearer/verified-requests';
import { dpopPolicy, type DpopPolicy } from '../core/dpop-policy';
import { AuthError } from '../core/errors';
import { checkKnownOptions } from '../config/checks';
import { reportFailure, type Hooks } from '../config/hooks';
import { sendError } from './send-error';

/** What a route guard needs: the bearer check, and the hooks to report refusals to. */
export interface GuardSettings {
  readonly bearer: BearerCheck;
  readonly hooks: Hooks;
}

/**
 * Options of one protected route (`authenticate(options)`,
 * `requireScopes(...scopes, options)`).
 *
 * @example
 * app.post('/payments', auth.authenticate({ dpop: 'required' }), pay);
 */
export interface RouteOptions {
  /** DPoP policy of this route (RFC 9449): "off", "allowed" or "required". Default the app's `dpop` option. */
  dpop?: DpopPolicy;
}

/** A route's options, checked at start-up: a bad one is a TypeError that names it and the factory. */
export function resolveRouteOptions(options: unknown, factory: string, fallback: DpopPolicy): DpopPolicy {
  if (options === undefined) return fallback;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(`${factory}: options must be an object`);
  try {
    options = checkKnownOptions(options, ['dpop']);
  } catch (err) {
    throw new TypeError(`${factory}: ${(err as Error).message}`);
  }
  return dpopPolicy((options as RouteOptions).dpop, `${factory}: dpop`, fallback);
}

/**
 * Runs the bearer check for one request under `policy` (default the app's):
 * on success sets req.user and req.auth (and, for a DPoP request with nonces
 * on, a fresh `DPoP-Nonce`) and gives true; a client error is answered
 * with its challenge; anything else (a failing store, an unreachable issuer)
 * goes to next(err), never a 401. Synchronous when the check is (the steady
 * state: see BearerCheck.check); otherwise a promise that never rejects.
 */
export function runBearer(
  settings: GuardSettings,
  req: Request,
  res: Response,
  next: NextFunction,
  policy?: DpopPolicy,
  refusalHeaders?: Readonly<Record<string, string>>,
): boolean | Promise<boolean> {
  const refuse = (err: unknown): false => {
    if (err instanceof AuthError) rejectBearer(settings, err, req, res, policy, refusalHeaders);
    else next(err);
    return false;
  };
  const admit = (result: BearerResult): true => {
    req.user = result.user;
    req.auth = result.auth;
    markVerified(req, settings.bearer, result);
    // RFC 9449 §8.2: a server may hand out the next nonce with any response.
    const nonce = result.scheme === 'DPoP' ? settings.bearer.dpopNonce() : undefined;
    if (nonce !== undefined) res.set('DPoP-Nonce', nonce);
    return true;
  };
  let result: BearerResult | Promise<BearerResult>;
  try {
    result = settings.bearer.check(req, policy);
  } catch (err) {
    return refuse(err);
  }
  return result instanceof Promise ? result.then(admit, refuse) : admit(result);
}

/** Sends a bearer error (RFC 6750 §3, RFC 9449 §7.1) with its challenge and JSON body, after telling the onFailure hook. */
export function rejectBearer(
  settings: GuardSettings,
  err: AuthError,
  req: Request,
  res: Response,
  policy?: DpopPolicy,
  headers?: Readonly<Record<string, string>>,
): void {
  settings.bearer.challenge(err, req, policy);
  reportFailure(settings.hooks, err, req);
  sendError(res, err, headers);
}

/**
 * Creates middleware that admits a request only with a valid access token
 * (Bearer, or DPoP-bound with its proof, as the route's DPoP policy says),
 * then sets `req.user` and `req.auth` (claims and scopes). It runs the shared
 * bearer check directly rather than through passport.authenticate(), which
 * saves Passport's per-request work.
 */
export function createAuthenticate(settings: GuardSettings, options?: RouteOptions) {
  const policy = resolveRouteOptions(options, 'authenticate', settings.bearer.policy);
  return function authenticate(req: Request, res: Response, next: NextFunction): void | Promise<void> {
    // Admitted already by a guard of this instance, under a scheme this route's policy takes (an app-wide
    // guard, then a route's own): checking again would claim the DPoP proof a second time, a replay. What
    // that check found is what this guard sets, whatever happened to req.user and req.auth since.
    const earlier = verifiedBy(req, settings.bearer, policy);
    if (earlier !== undefined) {
      req.user = earlier.user;
      req.auth = earlier.auth;
      return next();
    }
    const admitted = runBearer(settings, req, res, next, policy);
    if (admitted === true) return next();
    // Express 5 sends a rejection of the returned promise (a throw in next()) to the error handler.
    if (admitted !== false) return admitted.then((ok) => (ok ? next() : undefined));
  };
}

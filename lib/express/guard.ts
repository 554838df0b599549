import type { NextFunction, Request, Response } from 'express';
import type { BearerCheck, BearerResult } from '../bearer/bearer-check';
import { markVerified, verifiedBy, type VerifiedRequest } from '../bearer/verified-requests';
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

/** How `guardRequest` checks a request. */
export interface GuardRequestOptions {
  /** DPoP policy of a check made now. Default the app's. */
  readonly policy?: DpopPolicy;
  /** An earlier check of this instance counts when this policy accepts its scheme; undefined: any earlier check counts. */
  readonly accepts?: DpopPolicy;
  /** Extra headers of a refusal (the account routes' no-store). */
  readonly refusalHeaders?: Readonly<Record<string, string>>;
}

/**
 * What this instance's bearer check found for the request: an earlier
 * check's, when a guard of this instance already admitted it under a scheme
 * `accepts` takes (checking again would claim a DPoP proof a second time, a
 * replay), or a check made now under `policy`, which sets req.user and
 * req.auth (and, for a DPoP request with nonces on, a fresh `DPoP-Nonce`).
 * Undefined when the request was refused: a client error is answered with
 * its challenge; anything else (a failing store, an unreachable issuer) goes
 * to next(err), never a 401. Synchronous when the check is (the steady state:
 * see BearerCheck.check); otherwise a promise that never rejects.
 */
export function guardRequest(
  settings: GuardSettings,
  req: Request,
  res: Response,
  next: NextFunction,
  { policy, accepts, refusalHeaders }: GuardRequestOptions = {},
): VerifiedRequest | undefined | Promise<VerifiedRequest | undefined> {
  const earlier = verifiedBy(req, settings.bearer, accepts);
  if (earlier !== undefined) return earlier;
  const refuse = (err: unknown): undefined => {
    if (err instanceof AuthError) rejectBearer(settings, err, req, res, policy, refusalHeaders);
    else next(err);
    return undefined;
  };
  const admit = (result: BearerResult): VerifiedRequest => {
    req.user = result.user;
    req.auth = result.auth;
    // RFC 9449 §8.2: a server may hand out the next nonce with any response.
    const nonce = result.scheme === 'DPoP' ? settings.bearer.dpopNonce() : undefined;
    if (nonce !== undefined) res.set('DPoP-Nonce', nonce);
    return markVerified(req, settings.bearer, result);
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
    // After a guard of this instance, what that check found is what this one sets, whatever happened to
    // req.user and req.auth since.
    const admitted = (found: VerifiedRequest | undefined): void => {
      if (found === undefined) return;
      req.user = found.user;
      req.auth = found.auth;
      next();
    };
    const found = guardRequest(settings, req, res, next, { policy, accepts: policy });
    // Express 5 sends a rejection of the returned promise (a throw in next()) to the error handler.
    return found instanceof Promise ? found.then(admitted) : admitted(found);
  };
}

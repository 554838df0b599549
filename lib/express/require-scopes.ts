import type { NextFunction, Request, Response } from 'express';
import { InsufficientScopeError, reason } from '../core/errors';
import type { ResolvedOptions } from '../config/auth-options';
import { checkDeclared } from '../config/scope-descriptions';
import { formatScope, hasScopes, isScopeToken } from '../core/scopes';
import { isVerifiedBy } from '../bearer/verified-requests';
import { rejectBearer, runBearer } from './guard';

/** Authenticates one request for a guard; resolves true when it may go on (it has answered or called next(err) otherwise). */
export type RunBearer = (req: Request, res: Response, next: NextFunction) => Promise<boolean>;

/**
 * The scope guard shared by the issuer and verify-only services: admits a
 * request only when its token grants every one of `scopes`; otherwise 403
 * `insufficient_scope` with the needed scope in the challenge (RFC 6750
 * §3.1). It authenticates the request first unless `settings` itself already
 * did (another instance's req.auth is not trusted).
 */
export function createScopeGuard(settings: Pick<ResolvedOptions, 'realm' | 'onFailure'>, run: RunBearer, scopes: string[]) {
  if (scopes.length === 0) throw new TypeError('requireScopes needs at least one scope');
  for (const scope of scopes) {
    if (!isScopeToken(scope)) throw new TypeError(`requireScopes: "${String(scope)}" is not a valid scope (RFC 6749 §3.3)`);
  }
  const needed = formatScope(scopes);

  return async function requireScopes(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (!isVerifiedBy(req, settings) && !(await run(req, res, next))) return;
    if (hasScopes(req.auth!.scopes, scopes)) return next();
    rejectBearer(settings, new InsufficientScopeError(needed, { cause: reason(`granted: ${formatScope(req.auth!.scopes)}`) }), req, res);
  };
}

/** `auth.requireScopes(...)`: the scope guard on this library's own bearer authentication. */
export function createRequireScopes(auth: ResolvedOptions, scopes: string[]) {
  // With a `scopes` option, a typo in a route's scope fails at start-up, not as a 403 for everyone.
  checkDeclared(auth.scopes, scopes);
  return createScopeGuard(auth, (req, res, next) => runBearer(auth, req, res, next), scopes);
}

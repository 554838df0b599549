import type { NextFunction, Request, Response } from 'express';
import { InsufficientScopeError } from '../errors';
import type { ResolvedOptions } from '../options';
import { checkDeclared } from '../scope-descriptions';
import { formatScope, hasScopes, isScopeToken } from '../scopes';
import { isVerifiedBy } from '../verified-requests';
import { rejectBearer, runBearer } from './authenticate';

/**
 * Creates middleware that admits a request only when its token grants every
 * one of `scopes`; otherwise 403 `insufficient_scope` with the needed scope
 * in the challenge (RFC 6750 §3.1). It authenticates the request first when
 * `authenticate()` has not run.
 */
export function createRequireScopes(auth: ResolvedOptions, scopes: string[]) {
  if (scopes.length === 0) throw new TypeError('requireScopes needs at least one scope');
  for (const scope of scopes) {
    if (!isScopeToken(scope)) throw new TypeError(`requireScopes: "${String(scope)}" is not a valid scope (RFC 6749 §3.3)`);
  }
  // With a `scopes` option, a typo in a route's scope fails at start-up, not as a 403 for everyone.
  checkDeclared(auth.scopes, scopes);
  const needed = formatScope(scopes);

  return async function requireScopes(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (!isVerifiedBy(req, auth) && !(await runBearer(auth, req, res, next))) return;
    if (hasScopes(req.auth!.scopes, scopes)) return next();
    rejectBearer(auth, new InsufficientScopeError(needed, { cause: new Error(`granted: ${formatScope(req.auth!.scopes)}`) }), req, res);
  };
}

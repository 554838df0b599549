import type { NextFunction, Request, Response } from 'express';
import { isVerifiedBy } from '../bearer/verified-requests';
import { InsufficientScopeError } from '../core/errors';
import { formatScope, hasScopes, isScopeToken } from '../core/scopes';
import { checkDeclared } from '../config/scope-descriptions';
import { rejectBearer, runBearer, type GuardSettings } from './guard';

/**
 * Creates the scope guard: admits a request only when its token grants every
 * one of `scopes`; otherwise 403 `insufficient_scope` with the needed scope in
 * the challenge (RFC 6750 §3.1). It authenticates the request first unless
 * this same bearer check already did (another instance's req.auth is not
 * trusted). With declared scopes, a scope not among them is a start-up
 * TypeError, so a typo fails at once rather than as a 403 for everyone.
 */
export function createRequireScopes(settings: GuardSettings, scopes: string[], declared?: Readonly<Record<string, string>>) {
  if (scopes.length === 0) throw new TypeError('requireScopes needs at least one scope');
  for (const scope of scopes) {
    if (!isScopeToken(scope)) throw new TypeError(`requireScopes: "${String(scope)}" is not a valid scope (RFC 6749 §3.3)`);
  }
  checkDeclared(declared, scopes);
  const needed = formatScope(scopes);

  return async function requireScopes(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (!isVerifiedBy(req, settings.bearer) && !(await runBearer(settings, req, res, next))) return;
    if (hasScopes(req.auth!.scopes, scopes)) return next();
    rejectBearer(settings, new InsufficientScopeError(needed, { detail: `granted: ${formatScope(req.auth!.scopes)}` }), req, res);
  };
}

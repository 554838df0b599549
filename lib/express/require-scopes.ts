import type { NextFunction, Request, Response } from 'express';
import { InsufficientScopeError } from '../core/errors';
import { formatScope, hasScopes, isScopeToken } from '../core/scopes';
import { checkDeclared } from '../config/scope-descriptions';
import { guardRequest, rejectBearer, resolveRouteOptions, type GuardSettings, type RouteOptions } from './guard';

/** The arguments of `requireScopes`: scopes, then the route's options, if any. */
export type RequireScopesArgs = string[] | [...scopes: string[], options: RouteOptions];

/** Splits `requireScopes('a', 'b', { dpop })` into its scopes and its options. */
export function scopesAndOptions(args: readonly unknown[]): { scopes: string[]; options: RouteOptions | undefined } {
  const last = args.at(-1);
  const hasOptions = typeof last === 'object' && last !== null && !Array.isArray(last);
  return { scopes: (hasOptions ? args.slice(0, -1) : args) as string[], options: hasOptions ? (last as RouteOptions) : undefined };
}

/**
 * Creates the scope guard: admits a request only when its token grants every
 * one of `scopes`; otherwise 403 `insufficient_scope` with the needed scope in
 * the challenge (RFC 6750 §3.1). It authenticates the request first unless
 * this same bearer check already did (another instance's req.auth is not
 * trusted); when its options set `dpop`, the earlier check must also have
 * used a scheme that policy accepts (a Bearer request that a lenient
 * `authenticate()` let in does not pass a route that requires DPoP). With declared scopes, a scope not among
 * them is a start-up TypeError, so a typo fails at once rather than as a 403
 * for everyone.
 */
export function createRequireScopes(settings: GuardSettings, scopes: string[], declared?: Readonly<Record<string, string>>, options?: RouteOptions) {
  if (scopes.length === 0) throw new TypeError('requireScopes needs at least one scope');
  for (const scope of scopes) {
    if (!isScopeToken(scope)) throw new TypeError(`requireScopes: "${String(scope)}" is not a valid scope (RFC 6749 §3.3)`);
  }
  checkDeclared(declared, scopes);
  const policy = resolveRouteOptions(options, 'requireScopes', settings.bearer.policy);
  // A policy of its own is enforced even after an earlier authenticate(); without one, the earlier check stands.
  const ownPolicy = options?.dpop === undefined ? undefined : policy;
  const needed = formatScope(scopes);

  return async function requireScopes(req: Request, res: Response, next: NextFunction): Promise<void> {
    const found = await guardRequest(settings, req, res, next, { policy, accepts: ownPolicy });
    if (found === undefined) return;
    // The scopes the check found, not req.auth.scopes, which app code may have changed since.
    const granted = found.scopes;
    if (hasScopes(granted, scopes)) return next();
    rejectBearer(settings, new InsufficientScopeError(needed, { detail: `granted: ${formatScope(granted)}` }), req, res, policy);
  };
}

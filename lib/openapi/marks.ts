import type { DpopPolicy } from '../core/dpop-policy';

/**
 * Every middleware createAuth makes carries a mark saying what it is, which
 * scopes it enforces and its DPoP policy, so the OpenAPI description of a
 * route is read from the very function that guards it and cannot say
 * something else.
 */

/** Which of createAuth's middleware a function is. */
export type RouteKind =
  | 'authenticate'
  | 'requireScopes'
  | 'token'
  | 'revoke'
  | 'updateMe'
  | 'changePassword'
  | 'signOutEverywhere'
  | 'register'
  | 'jwks';

export interface RouteMark {
  readonly kind: RouteKind;
  /** Scopes the middleware enforces (requireScopes only; empty otherwise). */
  readonly scopes: readonly string[];
  /** Its DPoP policy (RFC 9449): the route's own, or the app's. */
  readonly dpop: DpopPolicy;
  /** The resolved options of the createAuth call that made it: marks of another auth are not ours to describe. */
  readonly owner: object;
}

// A symbol, and non-enumerable: Express, Passport and JSON.stringify never see it.
const MARK = Symbol('express-jwt-auth.route');

/** Marks `fn` (a fresh function from one of the factories) and returns it. */
export function markRoute<F extends (...args: never[]) => unknown>(
  fn: F,
  kind: RouteKind,
  owner: object,
  scopes: readonly string[] = [],
  dpop: DpopPolicy = 'off',
): F {
  const mark: RouteMark = Object.freeze({ kind, owner, scopes: Object.freeze([...scopes]), dpop });
  Object.defineProperty(fn, MARK, { value: mark, enumerable: false, writable: false, configurable: false });
  return fn;
}

/** The mark of `fn`, or undefined when it is not middleware made by createAuth. */
export function routeMark(fn: unknown): RouteMark | undefined {
  if (typeof fn !== 'function') return undefined;
  return (fn as unknown as { [MARK]?: RouteMark })[MARK];
}

/** Kinds whose requests need a bearer token. */
export const PROTECTED_KINDS: ReadonlySet<RouteKind> = new Set(['authenticate', 'requireScopes', 'updateMe', 'changePassword', 'signOutEverywhere']);

import type { Request } from 'express';
import { acceptsScheme, type AuthScheme, type DpopPolicy } from '../core/dpop-policy';

/** Which configuration verified a request's token, and with which scheme. */
interface Mark {
  readonly owner: object;
  readonly scheme: AuthScheme;
}

// A property keyed by a symbol of this module's own, not a string field: no header, body or app code
// that does not hold the symbol can set it. Not enumerable, so JSON, `Object.keys`, `Object.assign` and
// spreading never show or copy it: a request whose fields an app copies onto another (a sub-request)
// does not pass it on. The owner in it is the configuration itself, so another createAuth instance or a
// verifier (which shares this module) cannot pass one for another. A property rather than a WeakMap: a
// WeakMap entry per request cost ~0.7 µs in set, lookup and collection (a loop of a million fresh objects).
const VERIFIED = Symbol('express-jwt-auth verified');

type Marked = Request & { [VERIFIED]?: Mark };

/** Records that `owner` (a resolved configuration) authenticated `req` with credentials of `scheme`. */
export function markVerified(req: Request, owner: object, scheme: AuthScheme): void {
  Object.defineProperty(req, VERIFIED, { value: { owner, scheme } satisfies Mark, configurable: true, writable: true, enumerable: false });
}

/**
 * True when `owner` itself authenticated `req`, with a scheme that `policy`
 * (when given) accepts. requireScopes and the account routes trust req.auth
 * only then: a token another instance accepted (another audience, another
 * key) must not pass this one's checks, and a Bearer request that a lenient
 * `authenticate()` let in must not pass a route that requires DPoP.
 */
export function isVerifiedBy(req: Request, owner: object, policy?: DpopPolicy): boolean {
  const found = Object.hasOwn(req, VERIFIED) ? (req as Marked)[VERIFIED] : undefined;
  return found !== undefined && found.owner === owner && (policy === undefined || acceptsScheme(policy, found.scheme));
}

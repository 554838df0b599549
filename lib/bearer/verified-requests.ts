import type { Request } from 'express';
import { acceptsScheme, type AuthScheme, type DpopPolicy } from '../core/dpop-policy';

// Which configuration verified a request's token, and with which scheme. A
// WeakMap, not a field on req: nothing else (another createAuth instance, a
// verifier, app code) can set it, and an entry goes with its request.
const verifiedBy = new WeakMap<Request, { owner: object; scheme: AuthScheme }>();

/** Records that `owner` (a resolved configuration) authenticated `req` with credentials of `scheme`. */
export function markVerified(req: Request, owner: object, scheme: AuthScheme): void {
  verifiedBy.set(req, { owner, scheme });
}

/**
 * True when `owner` itself authenticated `req`, with a scheme that `policy`
 * (when given) accepts. requireScopes and the account routes trust req.auth
 * only then: a token another instance accepted (another audience, another
 * key) must not pass this one's checks, and a Bearer request that a lenient
 * `authenticate()` let in must not pass a route that requires DPoP.
 */
export function isVerifiedBy(req: Request, owner: object, policy?: DpopPolicy): boolean {
  const found = verifiedBy.get(req);
  return found !== undefined && found.owner === owner && (policy === undefined || acceptsScheme(policy, found.scheme));
}

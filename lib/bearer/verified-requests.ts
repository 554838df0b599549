import type { Request } from 'express';

// Which configuration verified a request's token. A WeakMap, not a field on
// req: nothing else (another createAuth instance, a verifier, app code) can
// set it, and an entry goes with its request.
const verifiedBy = new WeakMap<Request, object>();

/** Records that `owner` (a resolved configuration) authenticated `req`. */
export function markVerified(req: Request, owner: object): void {
  verifiedBy.set(req, owner);
}

/**
 * True when `owner` itself authenticated `req`. requireScopes and the account
 * routes trust req.auth only then: a token another instance accepted (another
 * audience, another key) must not pass this one's checks.
 */
export function isVerifiedBy(req: Request, owner: object): boolean {
  return verifiedBy.get(req) === owner;
}

import type { Request } from 'express';
import { acceptsScheme, type AuthScheme, type DpopPolicy } from '../core/dpop-policy';
import type { RequestAuth } from '../core/user';

/** What a bearer check found for a request, kept where only this module can read it. */
export interface VerifiedRequest {
  readonly scheme: AuthScheme;
  /** The user the check resolved (the object it gave req.user). */
  readonly user: Express.User;
  /** What the token grants (req.auth as the check set it). */
  readonly auth: RequestAuth;
  /** The token's scopes, a frozen copy: what an app does to req.auth.scopes does not change them. */
  readonly scopes: readonly string[];
  /** Whose account this is, and in which token epoch, taken when the check ran: what an app does to req.user does not change them. */
  readonly caller: Readonly<{ id: string; tokenEpoch: number }>;
}

interface Mark extends VerifiedRequest {
  readonly owner: object;
}

// A property keyed by a symbol of this module's own, not a string field: no header, body or app code
// that does not hold the symbol can set it. Not enumerable, so JSON, `Object.keys`, `Object.assign` and
// spreading never show or copy it: a request whose fields an app copies onto another (a sub-request)
// does not pass it on. The owner in it is the configuration itself, so another createAuth instance or a
// verifier (which shares this module) cannot pass one for another. A property rather than a WeakMap: a
// WeakMap entry per request cost ~0.7 µs in set, lookup and collection (a loop of a million fresh objects).
const VERIFIED = Symbol('express-jwt-auth verified');

type Marked = Request & { [VERIFIED]?: Mark };

/** Records that `owner` (a resolved configuration) authenticated `req`: with which scheme, as whom, granting what; returns the record. */
export function markVerified(req: Request, owner: object, found: Omit<VerifiedRequest, 'scopes' | 'caller'>): VerifiedRequest {
  const { scheme, user, auth } = found;
  const caller = Object.freeze({ id: user.id, tokenEpoch: user.tokenEpoch });
  const mark: Mark = { owner, scheme, user, auth, scopes: Object.freeze([...auth.scopes]), caller };
  Object.defineProperty(req, VERIFIED, { value: mark, configurable: true, writable: true, enumerable: false });
  return mark;
}

/**
 * What `owner` itself found when it authenticated `req`, with a scheme that
 * `policy` (when given) accepts; undefined otherwise. requireScopes and the
 * account routes act on this, not on req.auth and req.user, which app code
 * may have changed or replaced since: a token another instance accepted
 * (another audience, another key) must not pass this one's checks, a Bearer
 * request that a lenient `authenticate()` let in must not pass a route that
 * requires DPoP, and "me" is the token's user, whatever req.user says now.
 */
export function verifiedBy(req: Request, owner: object, policy?: DpopPolicy): VerifiedRequest | undefined {
  const found = Object.hasOwn(req, VERIFIED) ? (req as Marked)[VERIFIED] : undefined;
  return found !== undefined && found.owner === owner && (policy === undefined || acceptsScheme(policy, found.scheme)) ? found : undefined;
}

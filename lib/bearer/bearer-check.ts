import { CredentialsRequiredError, InvalidTokenError, reason } from '../core/errors';
import { extractToken, type TokenSource } from './extract-token';
import { checkHeader, decodeHeader, describe, verifyWithKey, type VerifiedAccessToken } from '../tokens/access-tokens';
import type { RequestAuth } from '../core/user';
import type { ResolvedVerifierOptions } from '../config/verifier-options';

/**
 * What `req.user` holds on a verify-only service: the token's subject and
 * nothing else, since the accounts live with the issuer.
 */
export interface RemoteUser {
  id: string;
}

export interface RemoteBearerResult {
  user: RemoteUser;
  auth: RequestAuth;
}

/**
 * Verifies an access token with the issuer's published keys. The checks are
 * those of AccessTokens (typ, crit, alg pinned to the key, signature, claims);
 * the key is the JWKS key its `kid` names. A token without a `kid`, or with an
 * `alg` we do not accept, is refused before any fetch.
 * Throws InvalidTokenError, or JwksUnavailableError when the issuer is unreachable.
 *
 * @example
 * const { claims, scopes } = await verifyRemoteToken(verifier.options, token);
 */
export async function verifyRemoteToken(verifier: ResolvedVerifierOptions, token: string): Promise<VerifiedAccessToken> {
  const header = decodeHeader(token);
  checkHeader(header);
  // RFC 8725 §3.1: an alg outside the list (none, HS256 with a public key as secret…) never reaches a key.
  if (!(verifier.algorithms as readonly unknown[]).includes(header.alg)) throw invalid(`alg ${describe(header.alg)} is not accepted`);
  // RFC 8725 §3.10: the kid only selects a key we already trust; jku, x5u, x5c and jwk are never read.
  const { kid } = header;
  if (typeof kid !== 'string' || kid === '') throw invalid('kid missing');
  const key = await verifier.jwks.find(kid);
  if (!key) throw invalid('unknown kid');
  return verifyWithKey(token, header, key, verifier.rules);
}

/**
 * Authenticates a request by its bearer token on a verify-only service:
 * extracts it strictly (as the issuer does) and verifies it. There is no user
 * store here, so no epoch or denylist check: such a service relies on short
 * access-token lifetimes for logout and revocation.
 */
export async function authenticateRemoteBearer(verifier: ResolvedVerifierOptions, req: TokenSource): Promise<RemoteBearerResult> {
  const token = extractToken(req, { allowQuery: verifier.allowQueryToken, allowBody: verifier.allowBodyToken });
  // RFC 6750 §3: no credentials, no error code.
  if (token === undefined) throw new CredentialsRequiredError();
  const { claims, scopes } = await verifyRemoteToken(verifier, token);
  return { user: { id: claims.sub }, auth: { claims, scopes } };
}

function invalid(why: string): InvalidTokenError {
  return new InvalidTokenError(undefined, { cause: reason(why) });
}

import { CredentialsRequiredError, InvalidTokenError, reason } from '../core/errors';
import { extractToken, type TokenSource } from './extract-token';
import type { ResolvedOptions } from '../config/auth-options';
import { publicUser, type RequestAuth, type PublicUser } from '../core/user';

export interface BearerResult {
  user: PublicUser;
  auth: RequestAuth;
}

/**
 * Authenticates a request by its bearer token: extracts it strictly, verifies
 * it, and loads its user. Rejects with an AuthError (without a realm: the
 * caller adds the challenge) when the client is at fault, and with the store's
 * own error when the store fails, which callers turn into a 500.
 */
export async function authenticateBearer(auth: ResolvedOptions, req: TokenSource): Promise<BearerResult> {
  const token = extractToken(req, { allowQuery: auth.allowQueryToken, allowBody: auth.allowBodyToken });
  // RFC 6750 §3: no credentials, no error code.
  if (token === undefined) throw new CredentialsRequiredError();
  const { claims, scopes } = auth.tokens.verify(token);
  const user = await auth.users.findById(claims.sub);
  if (!user) throw new InvalidTokenError(undefined, { cause: reason('user not found') });
  if (user.disabled) throw new InvalidTokenError(undefined, { cause: reason('user disabled') });
  // Logout everywhere: a password change, disable or explicit sign-out bumped the epoch after this token was issued.
  // A number on both sides: a store that lost the field must not turn sign-out into a no-op.
  if (!Number.isSafeInteger(user.tokenEpoch) || claims.epoch !== user.tokenEpoch) {
    throw new InvalidTokenError(undefined, { cause: reason('token epoch is over') });
  }
  // RFC 7009: an access token revoked before its expiry.
  if (await isDenied(auth, claims.jti)) throw new InvalidTokenError(undefined, { cause: reason('token revoked') });
  return { user: publicUser(user), auth: { claims, scopes } };
}

/** Reads the denylist; when it cannot be read, fails closed (rethrows: a 500) unless the app chose to fail open. */
async function isDenied(auth: ResolvedOptions, jti: string): Promise<boolean> {
  try {
    return await auth.denylist.has(jti, auth.now());
  } catch (err) {
    if (!auth.denylistFailOpen) throw err;
    auth.onError(err, 'denylist unavailable: request let through (denylistFailOpen)');
    return false;
  }
}

import { CredentialsRequiredError, InvalidTokenError } from './errors';
import { extractToken, type TokenSource } from './extract-token';
import type { ResolvedOptions } from './options';
import { publicUser, type RequestAuth, type PublicUser } from './user';

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
  if (!user) throw new InvalidTokenError(undefined, { cause: new Error('user not found') });
  if (user.disabled) throw new InvalidTokenError(undefined, { cause: new Error('user disabled') });
  return { user: publicUser(user), auth: { claims, scopes } };
}

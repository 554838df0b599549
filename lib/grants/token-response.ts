import { formatScope } from '../core/scopes';
import type { User } from '../core/user';
import type { RefreshFamily } from '../stores/types';
import type { GrantContext } from './registry';

/** The RFC 6749 §5.1 success body. */
export interface TokenResponse {
  access_token: string;
  /** "DPoP" for an access token bound to the key of the request's DPoP proof (RFC 9449 §5). */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  /** Omitted when refresh tokens are switched off. */
  refresh_token?: string;
  scope: string;
}

/**
 * An access token for `user` with `scopes`, stamped with the user's token
 * epoch, and bound to the DPoP key `jkt` when given (`cnf.jkt`, RFC 9449 §6.1).
 */
export function issueAccessToken(context: Pick<GrantContext, 'tokens'>, user: Pick<User, 'id' | 'tokenEpoch'>, scopes: readonly string[], jkt?: string) {
  return context.tokens.issue(user.id, scopes, jkt === undefined ? { epoch: user.tokenEpoch } : { epoch: user.tokenEpoch, cnf: { jkt } });
}

/**
 * The token response of a grant: a new access token (DPoP-bound to `jkt` when
 * given), plus either a new refresh-token family (password grant; bound to
 * `jkt` too, RFC 9449 §5: our clients are public) or the rotated refresh token,
 * and when that family ends.
 */
export async function tokenResponse(
  context: GrantContext,
  user: User,
  scopes: readonly string[],
  refresh?: { token: string; family: RefreshFamily },
  jkt?: string,
): Promise<{ body: TokenResponse; refreshExpiresAt?: number }> {
  const { token, expiresIn } = issueAccessToken(context, user, scopes, jkt);
  const issued = refresh ?? (context.refreshTokens && (await context.refreshTokens.start(user.id, scopes, user.tokenEpoch, jkt ?? null)));
  const body: TokenResponse = {
    access_token: token,
    token_type: jkt === undefined ? 'Bearer' : 'DPoP',
    expires_in: expiresIn,
    ...(issued !== undefined && { refresh_token: issued.token }),
    scope: formatScope(scopes),
  };
  return issued === undefined ? { body } : { body, refreshExpiresAt: issued.family.expiresAt };
}

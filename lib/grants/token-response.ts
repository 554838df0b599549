import { formatScope } from '../core/scopes';
import type { User } from '../core/user';
import type { RefreshFamily } from '../stores/types';
import type { GrantContext } from './registry';

/** The RFC 6749 §5.1 success body. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  /** Omitted when refresh tokens are switched off. */
  refresh_token?: string;
  scope: string;
}

/** An access token for `user` with `scopes`, stamped with the user's token epoch. */
export function issueAccessToken(context: Pick<GrantContext, 'tokens'>, user: Pick<User, 'id' | 'tokenEpoch'>, scopes: readonly string[]) {
  return context.tokens.issue(user.id, scopes, { epoch: user.tokenEpoch });
}

/**
 * The token response of a grant: a new access token, plus either a new
 * refresh-token family (password grant) or the rotated refresh token, and
 * when that family ends.
 */
export async function tokenResponse(
  context: GrantContext,
  user: User,
  scopes: readonly string[],
  refresh?: { token: string; family: RefreshFamily },
): Promise<{ body: TokenResponse; refreshExpiresAt?: number }> {
  const { token, expiresIn } = issueAccessToken(context, user, scopes);
  const issued = refresh ?? (context.refreshTokens && (await context.refreshTokens.start(user.id, scopes, user.tokenEpoch)));
  const body: TokenResponse = {
    access_token: token,
    token_type: 'Bearer',
    expires_in: expiresIn,
    ...(issued !== undefined && { refresh_token: issued.token }),
    scope: formatScope(scopes),
  };
  return issued === undefined ? { body } : { body, refreshExpiresAt: issued.family.expiresAt };
}

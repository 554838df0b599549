import { InvalidGrantError, InvalidRequestError, InvalidScopeError, UnsupportedGrantTypeError, type FailureReason } from '../core/errors';
import { readParam } from '../core/params';
import { excessScopeDetail, hasScopes } from '../core/scopes';
import { readScope } from './password';
import type { Grant } from './registry';
import { tokenResponse } from './token-response';

/**
 * RFC 6749 §6: exchanges a refresh token for a new access token and a new
 * refresh token (rotation, RFC 9700 §4.14.2). A rotated token presented again
 * revokes its whole family. Each token kind is checked by its own rules
 * (RFC 8725 §3.12): an access token here is simply not a known refresh token.
 * A family bound to a DPoP key (RFC 9449 §5) is refreshed only with a proof
 * of that key; anything else is `invalid_grant`.
 */
export const refreshTokenGrant: Grant = {
  type: 'refresh_token',
  parameters: {
    refresh_token: { description: 'Rotated on every use.' },
    scope: { description: 'At most the scopes granted at login (RFC 6749 §6).' },
  },
  async handle(params, context, client) {
    const refresh = context.refreshTokens;
    if (!refresh) throw new UnsupportedGrantTypeError();
    const presented = readParam(params, 'refresh_token');
    if (presented === undefined) throw new InvalidRequestError("Parameter 'refresh_token' is required");
    const requested = readScope(params);

    const found = await refresh.find(presented);
    if (!found) throw invalid('refresh.unknown', 'unknown refresh token');
    const { family } = found;
    // RFC 9449 §5: a bound family is spent only with a proof of its key. Checked first, so that a
    // thief without the key can neither rotate nor revoke it.
    if (family.jkt === undefined) {
      // A store that lost the binding must not turn a bound family into a bearer one: a store fault, a 500.
      throw new Error('RefreshTokenStore returned a family without jkt (null when not DPoP-bound): the store does not keep the DPoP binding');
    }
    if (family.jkt !== null && family.jkt !== client.dpopJkt) {
      throw client.dpopJkt === undefined
        ? invalid('dpop.required', 'DPoP-bound refresh token without a proof')
        : invalid('dpop.key_mismatch', 'DPoP proof of another key than the refresh token is bound to');
    }
    const user = await context.login.users.findById(family.userId);
    if (!user || user.disabled || !Number.isSafeInteger(user.tokenEpoch) || user.tokenEpoch !== family.epoch) {
      // The user is gone, disabled, or signed out everywhere since this login: the family ends.
      await refresh.revokeFamily(family.id);
      if (!user) throw invalid('user.not_found', 'user not found');
      throw user.disabled ? invalid('user.disabled', 'user disabled') : invalid('session.ended', 'token epoch is over');
    }
    // RFC 6749 §6: never more than the original grant; and never more than the user holds now.
    const granted = family.scopes.filter((scope) => user.scopes.includes(scope));
    const scopes = requested ?? granted;
    const checkScope = () => {
      if (!hasScopes(granted, scopes)) {
        throw new InvalidScopeError(undefined, { detail: excessScopeDetail(scopes, granted, 'grant') });
      }
    };
    // A token that was already rotated is judged (reuse or grace retry) before anything else, so a
    // replayed token cannot dodge reuse detection, or probe which tokens exist, with a bad scope.
    // A current one is checked for scope first, so a bad scope does not cost the client its token.
    if (found.token.rotatedAt === null) checkScope();
    const result = await refresh.rotate(presented, family);
    if (result.outcome === 'reused') throw invalid('refresh.reused', 'refresh token reused: family revoked');
    if (result.outcome === 'invalid' || result.token === undefined) throw invalid('refresh.expired', 'refresh token expired or revoked');
    checkScope();
    // A proof binds the new access token, even for an unbound family (a Bearer login): the family stays as it was.
    return tokenResponse(context, user, scopes, { token: result.token, family: result.family }, client.dpopJkt);
  },
};

function invalid(reason: FailureReason, detail: string): InvalidGrantError {
  return new InvalidGrantError('The refresh token is invalid, expired or revoked', { reason, detail });
}

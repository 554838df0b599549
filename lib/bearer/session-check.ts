import { InvalidTokenError, type FailureReason } from '../core/errors';
import { publicUser } from '../core/user';
import type { DenylistStore, UserStore } from '../stores/types';
import type { SessionCheck } from './bearer-check';

export interface IssuerSessionOptions {
  readonly users: UserStore;
  readonly denylist: DenylistStore;
  /** When the denylist cannot be read: refuse (false: the error propagates, a 500) or let the request through (true). */
  readonly denylistFailOpen: boolean;
  readonly onError: (error: unknown, context: string) => void;
  readonly now: () => number;
}

/**
 * The issuer's session check: the token's user must exist and be enabled,
 * the token must be of the user's current token epoch (a password change,
 * a disable or "sign out everywhere" bumped it since), and its `jti` must not
 * be revoked (RFC 7009). Resolves the user without the password hash.
 */
export function issuerSession({ users, denylist, denylistFailOpen, onError, now }: IssuerSessionOptions): SessionCheck {
  return async function checkSession(claims) {
    const user = await users.findById(claims.sub);
    if (!user) throw refused('user.not_found', 'user not found');
    if (user.disabled) throw refused('user.disabled', 'user disabled');
    // A number on both sides: a store that lost the field must not turn sign-out into a no-op.
    if (!Number.isSafeInteger(user.tokenEpoch) || claims.epoch !== user.tokenEpoch) throw refused('session.ended', 'token epoch is over');
    let denied: boolean;
    try {
      denied = await denylist.has(claims.jti, now());
    } catch (err) {
      if (!denylistFailOpen) throw err;
      onError(err, 'denylist unavailable: request let through (denylistFailOpen)');
      denied = false;
    }
    if (denied) throw refused('token.revoked', 'token revoked');
    return publicUser(user);
  };
}

function refused(reason: FailureReason, detail: string): InvalidTokenError {
  return new InvalidTokenError(undefined, { reason, detail });
}

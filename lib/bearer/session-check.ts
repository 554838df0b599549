import { InvalidTokenError, type FailureReason } from '../core/errors';
import { publicUser, type AccessTokenClaims, type PublicUser } from '../core/user';
import type { DenylistStore, UserStore } from '../stores/types';
import type { SessionCheck } from './bearer-check';
import { SessionCache, type SessionCacheLimits } from './session-cache';

export interface IssuerSessionOptions {
  readonly users: UserStore;
  readonly denylist: DenylistStore;
  /** When the denylist cannot be read: refuse (false: the error propagates, a 500) or let the request through (true). */
  readonly denylistFailOpen: boolean;
  readonly onError: (error: unknown, context: string) => void;
  readonly now: () => number;
  /** The session cache's bounds, or false for none (every request reads the stores). Default none. */
  readonly cache?: SessionCacheLimits | false;
  /** How long after its `exp` a token is still accepted (the clock tolerance), ms: how long its `jti` is kept. Default 0. */
  readonly toleranceMs?: number;
}

/**
 * The issuer's session check: the token's user must exist and be enabled,
 * the token must be of the user's current token epoch (a password change,
 * a disable or "sign out everywhere" bumped it since), and its `jti` must not
 * be revoked (RFC 7009). Resolves the user without the password hash.
 *
 * With a cache and stores that have change feeds, what was read once is
 * answered from memory while the feeds are current (see SessionCache): in
 * steady state the check is synchronous and reads no store.
 */
export function issuerSession({ users, denylist, denylistFailOpen, onError, now, cache: limits, toleranceMs = 0 }: IssuerSessionOptions): SessionCheck {
  const cache = limits ? new SessionCache(users, denylist, limits) : undefined;

  async function readUser(id: string): Promise<PublicUser> {
    const ticket = cache?.userTicket();
    const user = await users.findById(id);
    if (!user) throw refused('user.not_found', 'user not found');
    cache?.keepUser(ticket, user);
    return publicUser(user);
  }

  async function checkDenylist(claims: AccessTokenClaims): Promise<void> {
    const ticket = cache?.tokenTicket();
    let denied: boolean;
    const at = now();
    try {
      denied = await denylist.has(claims.jti, at);
    } catch (err) {
      if (!denylistFailOpen) throw err;
      onError(err, 'denylist unavailable: request let through (denylistFailOpen)');
      return;
    }
    if (denied) throw refused('token.revoked', 'token revoked');
    cache?.keepClearToken(ticket, claims.jti, claims.exp * 1000 + toleranceMs, at);
  }

  async function readThrough(claims: AccessTokenClaims, known: PublicUser | undefined): Promise<PublicUser> {
    const user = known ?? (await readUser(claims.sub));
    checkAccount(user, claims);
    await checkDenylist(claims);
    return user;
  }

  return function checkSession(claims) {
    if (cache !== undefined) {
      const user = cache.user(claims.sub);
      // Steady state: both answered from memory, no promise.
      if (user !== undefined && cache.tokenClear(claims.jti, now())) {
        checkAccount(user, claims);
        return user;
      }
      return readThrough(claims, user);
    }
    return readThrough(claims, undefined);
  };
}

function checkAccount(user: PublicUser, claims: AccessTokenClaims): void {
  if (user.disabled) throw refused('user.disabled', 'user disabled');
  // A number on both sides: a store that lost the field must not turn sign-out into a no-op.
  if (!Number.isSafeInteger(user.tokenEpoch) || claims.epoch !== user.tokenEpoch) throw refused('session.ended', 'token epoch is over');
}

function refused(reason: FailureReason, detail: string): InvalidTokenError {
  return new InvalidTokenError(undefined, { reason, detail });
}

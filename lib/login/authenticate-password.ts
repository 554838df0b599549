import { InvalidGrantError, InvalidRequestError, ServiceUnavailableError, type FailureReason } from '../core/errors';
import type { User } from '../core/user';
import { MAX_USERNAME_LENGTH, normalizeUsername } from '../core/usernames';
import type { UserStore } from '../stores/types';
import type { PasswordHasher } from './passwords';
import type { RateLimits } from './rate-limits';

/** What a password login needs. */
export interface PasswordLogin {
  readonly users: UserStore;
  readonly passwords: PasswordHasher;
  /** Undefined when brute-force protection is switched off. */
  readonly rateLimits: RateLimits | undefined;
}

/**
 * Checks a username and password. Resolves the user, or rejects with
 * InvalidGrantError for an unknown user, a wrong password and a disabled
 * user alike (same message, same work: one argon2 verify each), or with
 * InvalidRequestError for an over-long password (before any hashing), or
 * TooManyRequestsError while the account or IP is blocked (also before any
 * hashing). Failures and successes feed the rate limits. A store failure
 * rejects with the store's own error.
 *
 * A successful login whose hash has outdated parameters saves a new hash, as
 * a compare-and-set: only if the hash and the token epoch are still the ones
 * it verified. Otherwise someone changed the password or ended the sessions
 * meanwhile, and the rehash is skipped rather than writing the old password
 * back over the new one.
 *
 * Resolves the record as it was verified, never a newer one: tokens are
 * issued for the epoch whose password was checked. When a concurrent change
 * bumped the epoch, those tokens are already dead, which is exactly what the
 * login would have got had it finished just before the change.
 */
export async function authenticatePassword(login: PasswordLogin, username: string, password: string, ip: string): Promise<User> {
  const { users, passwords, rateLimits } = login;
  checkPasswordLength(passwords, password);
  // Counted before any argon2 work (a blocked client is refused here), so parallel guesses gain nothing.
  await rateLimits?.beginLogin(username, ip);
  const failed = async (reason: FailureReason, detail: string) => {
    await rateLimits?.loginFailed(username, ip);
    return new InvalidGrantError(undefined, { reason, detail });
  };
  // No account can have a longer name: answer as for any unknown user, without a store lookup of attacker-sized input.
  const user = [...username].length > MAX_USERNAME_LENGTH * 2 ? null : await users.findByUsername(normalizeUsername(username));
  if (!user) {
    // OWASP Authentication Cheat Sheet: "no such user" must cost what a wrong password costs.
    await passwords.verifyDummy(password);
    throw await failed('login.unknown_user', 'unknown user');
  }
  const ok = await passwords.verify(user.passwordHash, password);
  if (!ok) throw await failed('login.wrong_password', 'wrong password');
  if (user.disabled) throw await failed('login.user_disabled', 'user disabled');
  await rateLimits?.loginSucceeded(username, ip);

  if (passwords.needsRehash(user.passwordHash)) {
    let passwordHash: string;
    try {
      passwordHash = await passwords.hash(password);
    } catch (err) {
      // The upgrade can wait for the next login; a full hashing queue must not fail a correct one.
      if (err instanceof ServiceUnavailableError) return user;
      throw err;
    }
    // The result is not used: null means the record changed (a password change, a sign-out everywhere,
    // another login's rehash) and nothing was written; the next login tries again if still needed.
    await users.update(user.id, { passwordHash }, { ifMatch: { passwordHash: user.passwordHash, tokenEpoch: user.tokenEpoch } });
  }
  return user;
}

/** Throws InvalidRequestError (400) for a password over the maximum length or not valid Unicode: refused before any hashing. */
export function checkPasswordLength(passwords: PasswordHasher, password: string): void {
  if (passwords.isTooLong(password)) {
    throw new InvalidRequestError(`The password is longer than ${passwords.maxLength} characters`, { reason: 'login.password_invalid' });
  }
  // A lone surrogate is not a character: UTF-8 would turn every one into U+FFFD, making different passwords equal.
  if (/\p{Cs}/u.test(password)) throw new InvalidRequestError('The password is not valid Unicode text', { reason: 'login.password_invalid' });
}

import type { PasswordHasher } from './passwords';
import type { UserPatch, UserStore } from '../stores/types';
import type { User } from '../core/user';

/** Shortest new password accepted (NIST SP 800-63B §3.1.1.2 asks for at least 8). */
export const MIN_PASSWORD_LENGTH = 8;
const MAX_EMAIL_LENGTH = 254;

/** Why `password` cannot be a new password, or undefined when it can. Counts characters after NFC. */
export function newPasswordProblem(passwords: PasswordHasher, password: unknown): string | undefined {
  if (typeof password !== 'string') return 'the password must be a string';
  if (passwords.isTooLong(password)) return `the password must have at most ${passwords.maxLength} characters`;
  if (/\p{Cs}/u.test(password)) return 'the password is not valid Unicode text';
  if ([...password.normalize('NFC')].length < MIN_PASSWORD_LENGTH) return `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  return undefined;
}

/** Why `email` is not an address we store, or undefined when it is (a light check: one @, no spaces). */
export function emailProblem(email: unknown): string | undefined {
  if (typeof email !== 'string' || email.length > MAX_EMAIL_LENGTH || !/^[^\s@]+@[^\s@]+$/.test(email)) {
    return 'the email address is not valid';
  }
  return undefined;
}

/**
 * Applies `patch` and bumps the user's token epoch in one write, so that every
 * access and refresh token issued before stops working at once (ASVS 7.4.1–7.4.3).
 * Resolves the updated user, or null when the user is gone.
 */
export function endAllSessions(users: UserStore, user: Pick<User, 'id' | 'tokenEpoch'>, patch: UserPatch = {}): Promise<User | null> {
  return users.update(user.id, { ...patch, tokenEpoch: user.tokenEpoch + 1 });
}

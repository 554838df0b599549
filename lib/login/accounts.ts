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

/** The fields a bump may write besides the epoch. */
export type BumpPatch = Omit<UserPatch, 'tokenEpoch'>;

/**
 * Most compare-and-set rounds `endAllSessions` tries. Each failed round means
 * another write changed the epoch meanwhile, so this bounds only a store that
 * never matches (one that compares an epoch stored as a string, say).
 */
const MAX_BUMP_ATTEMPTS = 20;

/**
 * One compare-and-set bump: applies `patch` and moves the token epoch from
 * `epoch` to `epoch + 1` in one conditional write, only if the stored epoch
 * is still `epoch`. Resolves the updated user, or null when the epoch moved
 * (or the user is gone) and nothing was written.
 *
 * For a change that a session of epoch `epoch` asked for, such as a password
 * change: if the epoch moved, that session has ended and must not change anything.
 *
 * @example
 * // A password change asked for by a token of epoch req.user.tokenEpoch.
 * const changed = await bumpTokenEpochFrom(users, user.id, req.user.tokenEpoch, { passwordHash: await passwords.hash(next) });
 * if (changed === null) {
 *   // That session ended meanwhile (or the account is gone): nothing was changed.
 * }
 */
export function bumpTokenEpochFrom(users: UserStore, id: string, epoch: number, patch: BumpPatch = {}): Promise<User | null> {
  checkEpoch(epoch);
  return users.update(id, { ...patch, tokenEpoch: epoch + 1 }, { ifMatch: { tokenEpoch: epoch } });
}

/**
 * Applies `patch` and bumps the user's token epoch in one write, so that every
 * access and refresh token issued before stops working at once (ASVS 7.4.1–7.4.3).
 * Resolves the updated user, or null when the user is gone.
 *
 * The bump is a compare-and-set from the epoch last read (starting with
 * `user.tokenEpoch`), read again and retried when another write moved it: two
 * concurrent bumps count as two, so a session that started between this
 * call's read and its write is ended too, and a concurrent password rehash
 * (which expects the old epoch) cannot undo the patch.
 *
 * @example
 * // An admin tool disables an account and ends its sessions.
 * const user = await users.findByUsername('mallory');
 * if (user) await endAllSessions(users, user, { disabled: true });
 */
export async function endAllSessions(users: UserStore, user: Pick<User, 'id' | 'tokenEpoch'>, patch: BumpPatch = {}): Promise<User | null> {
  const { tokenEpoch: _ignored, ...fields } = patch as UserPatch;
  let epoch = user.tokenEpoch;
  for (let attempt = 0; attempt < MAX_BUMP_ATTEMPTS; attempt++) {
    const updated = await bumpTokenEpochFrom(users, user.id, epoch, fields);
    if (updated) return updated;
    const current = await users.findById(user.id);
    if (!current) return null;
    epoch = current.tokenEpoch;
  }
  throw new Error(`could not bump the token epoch of user ${user.id}: the store never matched the epoch it returned`);
}

/** A store record without a whole-number epoch would make every bump a no-op: fail closed (a 500) instead. */
function checkEpoch(epoch: unknown): asserts epoch is number {
  if (!Number.isSafeInteger(epoch)) throw new Error(`the user store returned a token epoch that is not an integer: ${String(epoch)}`);
}

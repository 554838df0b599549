import type { PasswordHasher } from './passwords';
import type { UserPatch, UserStore } from '../stores/types';
import type { User } from '../core/user';

/** Shortest new password accepted (NIST SP 800-63B §3.1.1.2 asks for at least 8). */
export const MIN_PASSWORD_LENGTH = 8;
/**
 * Longest email address, in octets of UTF-8: RFC 5321 §4.5.3.1.3 limits a
 * path to 256 octets, its two angle brackets included, and an
 * internationalised address (RFC 6531) travels as UTF-8, so its octets are
 * what counts. ASCII addresses: 254 characters.
 */
const MAX_EMAIL_OCTETS = 254;
/** RFC 5321 §4.5.3.1.1. */
const MAX_LOCAL_PART_OCTETS = 64;
/** RFC 1035 §2.3.4 (for an internationalised label, its UTF-8 octets stand in for its A-label's). */
const MAX_LABEL_OCTETS = 63;

/** Why `password` cannot be a new password, or undefined when it can. Counts characters after NFC. */
export function newPasswordProblem(passwords: PasswordHasher, password: unknown): string | undefined {
  if (typeof password !== 'string') return 'the password must be a string';
  if (passwords.isTooLong(password)) return `the password must have at most ${passwords.maxLength} characters`;
  if (/\p{Cs}/u.test(password)) return 'the password is not valid Unicode text';
  if ([...password.normalize('NFC')].length < MIN_PASSWORD_LENGTH) return `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  return undefined;
}

/** RFC 5322 §3.2.3 atext: the ASCII characters of a dot-atom local part. */
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]$/;
/** An unpaired surrogate: not a character, and UTF-8 (every store, every mail system) would turn it into U+FFFD. */
const SURROGATE = /\p{Cs}/u;
/**
 * Characters no address of ours holds: controls (NUL, which PostgreSQL text
 * cannot hold, DEL, U+0085), format characters (bidirectional controls such as
 * U+202E, zero-width spaces and joiners), other invisible ones, whitespace and
 * line separators, private-use, unassigned code points and noncharacters.
 */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Z}\p{Co}\p{Cn}]/u;
/** A domain label's characters beyond ASCII letters, digits and hyphen: letters, marks and digits (IDNA2008 allows no symbols or punctuation). */
const LABEL_CHARACTER = /^[A-Za-z0-9-]$|^[\p{L}\p{M}\p{Nd}]$/u;

function octets(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function codePointName(ch: string): string {
  return `U+${(ch.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why `email` is not an address we store, or undefined when it is. The rule:
 * `local@domain` with exactly one `@`, at most 254 octets of UTF-8 (RFC 5321
 * §4.5.3.1.3); the local part a dot-atom (RFC 5322 §3.4.1: atoms of atext
 * joined by single dots, no dot first or last, no quoted strings) of at most
 * 64 octets; the domain dot-separated labels of letters, digits, marks and
 * inner hyphens, none empty, none over 63 octets, none starting with a mark
 * (no address literals). Internationalised addresses (RFC 6531, RFC 6532
 * §3.2: any non-ASCII character in the local part) are accepted, except for
 * characters no address needs and that hide or disguise what it says:
 * controls, format and bidirectional controls, invisible characters,
 * whitespace, unpaired surrogates, private-use and unassigned code points.
 * It is not a deliverability check: only a message sent to it is.
 *
 * @example
 * emailProblem('alice@example.com'); // undefined
 * emailProblem('δοκιμή@παράδειγμα.δοκιμή'); // undefined
 * emailProblem('a@b..c'); // 'the email address has an empty domain label'
 */
export function emailProblem(email: unknown): string | undefined {
  if (typeof email !== 'string' || email === '') return 'the email address must be a non-empty string';
  // Bounded before any per-character work.
  if (email.length > MAX_EMAIL_OCTETS || octets(email) > MAX_EMAIL_OCTETS) return `the email address must have at most ${MAX_EMAIL_OCTETS} octets (UTF-8)`;
  if (SURROGATE.test(email)) return 'the email address is not valid Unicode text';
  for (const ch of email) {
    if (FORBIDDEN.test(ch)) return `the email address cannot contain control, formatting, invisible or space characters (${codePointName(ch)})`;
  }
  const at = email.indexOf('@');
  if (at < 0 || email.indexOf('@', at + 1) >= 0) return 'the email address must have exactly one @';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);

  if (local === '') return 'the email address has an empty local part';
  if (octets(local) > MAX_LOCAL_PART_OCTETS) return `the local part of the email address must have at most ${MAX_LOCAL_PART_OCTETS} octets`;
  for (const atom of local.split('.')) {
    if (atom === '') return 'the local part of the email address cannot start or end with a dot, or have two in a row';
    for (const ch of atom) {
      // Beyond ASCII, RFC 6532 §3.2 allows any character in an atom (what FORBIDDEN refuses is already gone).
      if (ch < '\u0080' && !ATEXT.test(ch)) return `the local part of the email address cannot contain ${JSON.stringify(ch)} (quoted local parts are not accepted)`;
    }
  }

  if (domain === '') return 'the email address has an empty domain';
  for (const label of domain.split('.')) {
    if (label === '') return 'the email address has an empty domain label';
    if (octets(label) > MAX_LABEL_OCTETS) return `a domain label of the email address must have at most ${MAX_LABEL_OCTETS} octets`;
    if (label.startsWith('-') || label.endsWith('-')) return 'a domain label of the email address cannot start or end with a hyphen';
    if (/^\p{M}/u.test(label)) return 'a domain label of the email address cannot start with a combining mark';
    for (const ch of label) {
      if (!LABEL_CHARACTER.test(ch)) return `the domain of the email address cannot contain ${JSON.stringify(ch)}: only letters, digits, marks and hyphens`;
    }
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

import { InvalidGrantError, InvalidRequestError, ServiceUnavailableError, type FailureReason } from '../core/errors';
import type { User } from '../core/user';
import { MAX_USERNAME_LENGTH, normalizeUsername } from '../core/usernames';
import type { UserStore } from '../stores/types';
import type { DeviceCookies, TrustedDevice } from './device-cookies';
import type { PasswordHasher } from './passwords';
import type { LoginAttempt, LoginOutcome, RateLimits } from './rate-limits';

/** What a password login needs. */
export interface PasswordLogin {
  readonly users: UserStore;
  readonly passwords: PasswordHasher;
  /** Undefined when brute-force protection is switched off. */
  readonly rateLimits: RateLimits | undefined;
  /** Undefined when device cookies are switched off (always when brute-force protection is). */
  readonly deviceCookies: DeviceCookies | undefined;
}

/** Who is logging in, as far as the brute-force limits need to know. */
export interface LoginClient {
  /** The client's address (`req.ip`); an undefined or unparsable one shares a bucket with every other such client. */
  readonly ip: string | undefined;
  /** The values of the device cookie the request carried (`DeviceCookies.read`). Default none: an untrusted client. */
  readonly deviceCookies?: readonly string[];
}

/** A credential failure: counted, and answered like every other one. */
class Refusal {
  constructor(
    readonly reason: FailureReason,
    readonly detail: string,
  ) {}
}

/**
 * Checks a username and password. Resolves the user, or rejects with
 * InvalidGrantError for an unknown user, a wrong password and a disabled
 * user alike (same message, same work: one argon2 verify each), or with
 * InvalidRequestError for an over-long password (before any hashing), or
 * TooManyRequestsError while the account or client is blocked (also before
 * any hashing). A store failure rejects with the store's own error, a full
 * hashing queue with ServiceUnavailableError (503).
 *
 * Only a credential failure counts towards the brute-force limits; a 503 or a
 * store error gives its count back, so a load spike never locks anyone out.
 * A valid device cookie for the account (this very record, not merely an
 * account of the same name), issued in the account's current token epoch,
 * makes the client trusted: it draws on its own failure budget.
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
export async function authenticatePassword(login: PasswordLogin, username: string, password: string, client: LoginClient): Promise<User> {
  const { users, passwords } = login;
  checkPasswordLength(passwords, password);
  // No account can have a longer name: answer as for any unknown user, without a store lookup of attacker-sized input.
  const find = () => ([...username].length > MAX_USERNAME_LENGTH * 2 ? Promise.resolve(null) : users.findByUsername(normalizeUsername(username)));

  // A device cookie binds the account's record (its id and creation time, not only its name), so it is
  // verified once the account is looked up; the lookup comes before the count, and a cookie that cannot be
  // this account's (another name, or garbage) saves it for later. The record's epoch decides whether it still stands.
  let found: { user: User | null } | undefined;
  let device: TrustedDevice | undefined;
  if (login.rateLimits && login.deviceCookies && client.deviceCookies && login.deviceCookies.mayBeFor(client.deviceCookies, username)) {
    found = { user: await find() };
    device = login.deviceCookies.verify(client.deviceCookies, found.user);
  }
  // Counted before any argon2 work (a blocked client is refused here), so parallel guesses gain nothing.
  const attempt = await login.rateLimits?.beginLogin(username, client.ip, device?.id);
  const user = await counted(attempt, async (): Promise<User | Refusal> => {
    const user = found ? found.user : await find();
    if (!user) {
      // OWASP Authentication Cheat Sheet: "no such user" must cost what a wrong password costs.
      await passwords.verifyDummy(password);
      return new Refusal('login.unknown_user', 'unknown user');
    }
    if (!(await passwords.verify(user.passwordHash, password))) return new Refusal('login.wrong_password', 'wrong password');
    if (user.disabled) return new Refusal('login.user_disabled', 'user disabled');
    return user;
  });

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

/**
 * Checks the current password of a signed-in `user` (a password change): a
 * login in all but name, with the same limits and the same counting. Resolves
 * when it matches; rejects with InvalidGrantError when it does not (a
 * password over the maximum length included), TooManyRequestsError while
 * blocked, or the hasher's or store's error.
 */
export async function verifyCurrentPassword(login: PasswordLogin, user: User, password: string, client: LoginClient): Promise<void> {
  const { passwords } = login;
  const device = verifiedDevice(login, client, user);
  const attempt = await login.rateLimits?.beginLogin(user.username, client.ip, device?.id);
  await counted(attempt, async (): Promise<User | Refusal> => {
    if (passwords.isTooLong(password) || !(await passwords.verify(user.passwordHash, password))) {
      return new Refusal('login.wrong_password', 'wrong current password');
    }
    return user;
  }, 'The current password is wrong');
}

function verifiedDevice(login: PasswordLogin, client: LoginClient, user: User): TrustedDevice | undefined {
  if (!login.rateLimits || !login.deviceCookies || !client.deviceCookies?.length) return undefined;
  return login.deviceCookies.verify(client.deviceCookies, user);
}

/**
 * Runs the credential check of a counted attempt, then settles the attempt
 * before answering (so the next request already sees a block it started):
 * `failed` for a refusal, `succeeded` for the user, `abandoned` when the
 * check threw (a full hashing queue, a store error): no credential was
 * checked, so the attempt costs the client nothing.
 */
async function counted(attempt: LoginAttempt | undefined, check: () => Promise<User | Refusal>, description?: string): Promise<User> {
  let outcome: LoginOutcome = 'abandoned';
  let result: User | Refusal;
  try {
    result = await check();
    outcome = result instanceof Refusal ? 'failed' : 'succeeded';
  } finally {
    await attempt?.settle(outcome);
  }
  if (result instanceof Refusal) throw new InvalidGrantError(description, { reason: result.reason, detail: result.detail });
  return result;
}

/** Throws InvalidRequestError (400) for a password over the maximum length or not valid Unicode: refused before any hashing. */
export function checkPasswordLength(passwords: PasswordHasher, password: string): void {
  if (passwords.isTooLong(password)) {
    throw new InvalidRequestError(`The password is longer than ${passwords.maxLength} characters`, { reason: 'login.password_invalid' });
  }
  // A lone surrogate is not a character: UTF-8 would turn every one into U+FFFD, making different passwords equal.
  if (/\p{Cs}/u.test(password)) throw new InvalidRequestError('The password is not valid Unicode text', { reason: 'login.password_invalid' });
}

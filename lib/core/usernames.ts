/** Longest username accepted anywhere, in characters. */
export const MAX_USERNAME_LENGTH = 64;

/** NFC form, the way usernames are stored and compared. */
export function normalizeUsername(username: string): string {
  return username.normalize('NFC');
}

/**
 * The key that makes usernames unique regardless of case ("Alice" and
 * "alice" are one account). Stores index this value.
 */
export function usernameKey(username: string): string {
  return normalizeUsername(username).toLowerCase();
}

/**
 * Why `username` cannot be a new account's name, or undefined when it can:
 * 1 to 64 characters, no control characters, no leading or trailing space.
 */
export function usernameProblem(username: unknown): string | undefined {
  if (typeof username !== 'string' || username.length === 0) return 'a username is required';
  const name = normalizeUsername(username);
  if ([...name].length > MAX_USERNAME_LENGTH) return `a username has at most ${MAX_USERNAME_LENGTH} characters`;
  if (/\p{Cc}|\p{Cf}|\p{Zl}|\p{Zp}/u.test(name)) return 'a username cannot contain control characters';
  if (name.trim() !== name) return 'a username cannot start or end with white space';
  return undefined;
}

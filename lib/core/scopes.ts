/**
 * Scope strings (RFC 6749 §3.3): space-delimited, case-sensitive scope-tokens
 * of %x21 / %x23-5B / %x5D-7E.
 */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export function isScopeToken(value: unknown): value is string {
  return typeof value === 'string' && SCOPE_TOKEN.test(value);
}

/**
 * Parses a scope parameter. Returns undefined when it is malformed (RFC 6749
 * §3.3 allows exactly one space between tokens; anything else is not a scope).
 */
export function parseScope(value: string): string[] | undefined {
  if (value === '') return [];
  const tokens = value.split(' ');
  if (!tokens.every(isScopeToken)) return undefined;
  return [...new Set(tokens)];
}

/** The scopes of a token's `scope` claim (space-separated; absent is none). */
export function splitScope(scope: string | undefined): string[] {
  return scope ? scope.split(' ').filter(Boolean) : [];
}

export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ');
}

/** Every scope in `required` is in `granted`. */
export function hasScopes(granted: readonly string[], required: readonly string[]): boolean {
  return required.every((scope) => granted.includes(scope));
}

/**
 * Why `scopes` cannot be an account's scopes, or undefined when they can:
 * each must be a scope-token (RFC 6749 §3.3: printable ASCII, no space, `"` or `\`).
 */
export function scopeProblem(scopes: readonly unknown[]): string | undefined {
  const bad = scopes.find((scope) => !isScopeToken(scope));
  return bad === undefined ? undefined : `not a valid scope (RFC 6749 §3.3): ${JSON.stringify(bad)}`;
}

/**
 * A refusal's detail for `requested` scopes beyond `held`: it names what is
 * held (the app's own scope names) and counts the rest, never the client's
 * strings, which may be anything (a token or a password typed into the wrong
 * field): details are logged.
 */
export function excessScopeDetail(requested: readonly string[], held: readonly string[], holder: string): string {
  const excess = requested.filter((scope) => !held.includes(scope)).length;
  return `requested ${excess} scope${excess === 1 ? '' : 's'} beyond what the ${holder} holds (${formatScope(held) || 'none'})`;
}


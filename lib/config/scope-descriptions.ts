import { isScopeToken } from '../core/scopes';

/**
 * Checks the `scopes` option (scope → description): every key a valid scope
 * (RFC 6749 §3.3), every description a string. Returns a frozen copy, or
 * undefined when the option is absent (then any scope may be required).
 */
export function scopeDescriptions(value: unknown): Readonly<Record<string, string>> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('scopes must be an object of scope → description, e.g. { admin: "Manage every account" }');
  }
  const copy: Record<string, string> = {};
  for (const [scope, description] of Object.entries(value)) {
    if (!isScopeToken(scope)) throw new TypeError(`scopes: "${scope}" is not a valid scope (RFC 6749 §3.3)`);
    if (typeof description !== 'string') throw new TypeError(`scopes: the description of "${scope}" must be a string`);
    copy[scope] = description;
  }
  return Object.freeze(copy);
}

/** Throws the start-up TypeError for a scope `requireScopes` uses that the `scopes` option does not declare. */
export function checkDeclared(declared: Readonly<Record<string, string>> | undefined, scopes: readonly string[]): void {
  if (declared === undefined) return;
  const missing = scopes.find((scope) => !Object.hasOwn(declared, scope));
  if (missing !== undefined) {
    throw new TypeError(`requireScopes: scope "${missing}" is not declared in the scopes option (declared: ${Object.keys(declared).join(', ') || 'none'})`);
  }
}

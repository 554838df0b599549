import type { BearerCheck } from '../bearer/bearer-check';
import type { ResolvedAuth } from './auth-options';
import type { Hooks } from './hooks';
import type { ResolvedVerifier } from './verifier-options';

/** What every bearer-checking part (route guards, the jwt strategy) needs. */
export interface BearerSettings {
  readonly bearer: BearerCheck;
  readonly hooks: Hooks;
}

// The resolved configuration behind each object createAuth or createVerifier returned. A WeakMap
// rather than a property: the public objects carry no internals, and nothing else can register one.
const resolved = new WeakMap<object, ResolvedAuth | ResolvedVerifier>();

export function registerResolved(handle: object, configuration: ResolvedAuth | ResolvedVerifier): void {
  resolved.set(handle, configuration);
}

/** The configuration behind what createAuth or createVerifier returned; a TypeError for anything else. */
export function resolvedOf(handle: unknown, option = 'argument'): ResolvedAuth | ResolvedVerifier {
  const found = typeof handle === 'object' && handle !== null ? resolved.get(handle) : undefined;
  if (found === undefined) throw new TypeError(`${option} must be what createAuth() or createVerifier() returned`);
  return found;
}

/** The issuer configuration behind what createAuth returned; a TypeError for anything else. */
export function resolvedAuthOf(handle: unknown, option = 'argument'): ResolvedAuth {
  const found = resolvedOf(handle, option);
  if (!('tokens' in found)) throw new TypeError(`${option} must be what createAuth() returned: a verify-only service has no password login`);
  return found;
}

/**
 * The DPoP policy (RFC 9449) of an app or a route:
 * - `off`: Bearer only. The token endpoint ignores `DPoP` headers and issues
 *   Bearer tokens; routes treat the DPoP scheme as one they do not know.
 * - `allowed`: both schemes. A token request with a proof gets a DPoP-bound
 *   token; routes accept Bearer tokens and DPoP-bound ones with their proofs.
 * - `required`: DPoP only. Token requests need a proof; routes refuse Bearer.
 *
 * Under every policy a DPoP-bound token sent as a bearer token is refused
 * (RFC 9449 §7.2): a binding is never dropped.
 */
export type DpopPolicy = 'off' | 'allowed' | 'required';

/** The authentication schemes of protected routes: RFC 6750 and RFC 9449 §7.1. */
export type AuthScheme = 'Bearer' | 'DPoP';

const POLICIES: readonly string[] = ['off', 'allowed', 'required'];

export function isDpopPolicy(value: unknown): value is DpopPolicy {
  return typeof value === 'string' && POLICIES.includes(value);
}

/** The policy option `value` (or `fallback` when absent); anything else is a TypeError naming `option`. */
export function dpopPolicy(value: unknown, option: string, fallback: DpopPolicy): DpopPolicy {
  if (value === undefined) return fallback;
  if (!isDpopPolicy(value)) throw new TypeError(`${option} must be "off", "allowed" or "required"`);
  return value;
}

/** True when a route with `policy` takes credentials of `scheme`. */
export function acceptsScheme(policy: DpopPolicy, scheme: AuthScheme): boolean {
  return scheme === 'Bearer' ? policy !== 'required' : policy !== 'off';
}

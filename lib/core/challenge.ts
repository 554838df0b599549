import type { AuthScheme } from './dpop-policy';

/**
 * Builds the `WWW-Authenticate` value of RFC 6750 §3, and of RFC 9449 §7.1
 * when the DPoP scheme is offered too.
 *
 * @example
 * bearerChallenge({ realm: 'api', error: 'invalid_token', description: 'The access token expired' });
 * // Bearer realm="api", error="invalid_token", error_description="The access token expired"
 * challenge({ realm: 'api' }, { bearer: true, dpop: ['ES256'] });
 * // Bearer realm="api", DPoP realm="api", algs="ES256"
 */
export interface ChallengeParams {
  realm: string;
  error?: string;
  description?: string;
  scope?: string;
  /** RFC 9728 §5.1: the URL of the protected resource metadata, sent with every challenge when set. */
  resourceMetadata?: string;
}

/** Which schemes a challenge offers, and which of them carries the error. */
export interface ChallengeSchemes {
  /** Offer the Bearer scheme (RFC 6750 §3). Default true. */
  bearer?: boolean;
  /** Offer the DPoP scheme with these `algs` (RFC 9449 §7.1). Default: not offered. */
  dpop?: readonly string[];
  /** The scheme the request used, whose challenge carries the error. Default Bearer (DPoP when Bearer is not offered). */
  errorScheme?: AuthScheme;
}

// RFC 6750 §3: error_description and scope use only %x20-21 / %x23-5B / %x5D-7E,
// so a description is reduced to that set rather than escaped.
export const NOT_NQSCHAR = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;

// RFC 9110 §5.6.4: a quoted-string holds no control characters (CR and LF above all, which would
// split the header); characters beyond ASCII cannot be sent in a header by Node at all.
const NOT_PRINTABLE = /[^\x20-\x7e]/g;

/** Error codes that only the DPoP scheme has (RFC 9449 §7.1, §9): always on its challenge. */
const DPOP_ERRORS: ReadonlySet<string> = new Set(['invalid_dpop_proof', 'use_dpop_nonce']);

/** RFC 9110 §5.6.4 quoted-string for the realm: printable ASCII, `"` and `\` escaped. */
function quote(value: string): string {
  return `"${value.replace(NOT_PRINTABLE, '').replace(/["\\]/g, '\\$&')}"`;
}

/** One scheme's challenge: realm, then the error parameters when it carries the error. */
function schemeChallenge(scheme: AuthScheme, { realm, error, description, scope, resourceMetadata }: ChallengeParams, withError: boolean): string {
  let value = `${scheme} realm=${quote(realm)}`;
  // RFC 6750 §3: no error code (and so no description) when the request had no credentials.
  if (withError && error !== undefined) {
    // The error code is ours in practice, but this function is public: it gets the same filter.
    value += `, error="${error.replace(NOT_NQSCHAR, '')}"`;
    if (description) value += `, error_description="${description.replace(NOT_NQSCHAR, '')}"`;
    if (scope) value += `, scope="${scope.replace(NOT_NQSCHAR, '')}"`;
  }
  // RFC 9728 §5.1: where the client finds this resource's metadata (and so its authorization servers),
  // on every challenge, the bare one to a client without a token too. A URL we configured; quoted all the same.
  if (resourceMetadata) value += `, resource_metadata=${quote(resourceMetadata)}`;
  return value;
}

/**
 * The one builder of `WWW-Authenticate` values. Every value is made safe to
 * send whatever it holds: the realm is reduced to printable ASCII and quoted,
 * and `error`, `error_description`, `scope` and `algs` are reduced to the
 * characters RFC 6750 §3 allows them, so no value can end its quotes early,
 * add a parameter of its own or split the header.
 *
 * With both schemes offered it sends both challenges in one field (RFC 9110
 * §11.6.1; RFC 9449 §7.1–7.2): the one of the scheme the request used first,
 * with the error, the other bare. Without an error, Bearer comes first. The
 * DPoP challenge lists the accepted algorithms in `algs`.
 */
export function challenge(params: ChallengeParams, schemes: ChallengeSchemes = {}): string {
  // A refusal's challenge is one of a few values per app (its realm, error codes and descriptions, routes'
  // scopes): built once each, so that a flood of refusals costs a lookup rather than the filters below.
  const key = memoKey(params, schemes);
  const known = memo.get(key);
  if (known !== undefined) return known;
  const value = buildChallenge(params, schemes);
  if (memo.size >= MEMO_CAP) memo.clear();
  memo.set(key, value);
  return value;
}

const memo = new Map<string, string>();
/** Enough for every challenge an app sends; past it (descriptions it does not make itself) it starts afresh. */
const MEMO_CAP = 256;

/** Every input of a challenge, an absent one told apart from an empty one (\u0001 is never in a header value we send). */
function memoKey({ realm, error, description, scope, resourceMetadata }: ChallengeParams, { bearer, dpop, errorScheme }: ChallengeSchemes): string {
  const or = (value: string | undefined) => (value === undefined ? '\u0001' : value);
  return `${realm}\u0000${or(error)}\u0000${or(description)}\u0000${or(scope)}\u0000${or(resourceMetadata)}\u0000${bearer ?? true}\u0000${dpop === undefined ? '\u0001' : dpop.join(' ')}\u0000${or(errorScheme)}`;
}

function buildChallenge(params: ChallengeParams, schemes: ChallengeSchemes): string {
  const bearer = schemes.bearer ?? true;
  const dpop = schemes.dpop;
  const offered: AuthScheme[] = [];
  if (bearer) offered.push('Bearer');
  if (dpop !== undefined) offered.push('DPoP');
  if (offered.length === 0) offered.push('Bearer');
  const wanted: AuthScheme = params.error !== undefined && DPOP_ERRORS.has(params.error) ? 'DPoP' : (schemes.errorScheme ?? 'Bearer');
  const carrier = offered.includes(wanted) ? wanted : offered[0];
  const ordered = params.error === undefined ? offered : [carrier, ...offered.filter((scheme) => scheme !== carrier)];
  return ordered
    .map((scheme) => {
      const value = schemeChallenge(scheme, params, scheme === carrier);
      return scheme === 'DPoP' ? `${value}, algs="${dpop!.join(' ').replace(NOT_NQSCHAR, '')}"` : value;
    })
    .join(', ');
}

/** The RFC 6750 §3 Bearer challenge alone. */
export function bearerChallenge(params: ChallengeParams): string {
  return challenge(params);
}

/** True when `realm` can be sent as a quoted-string (printable ASCII). */
export function isValidRealm(realm: unknown): realm is string {
  return typeof realm === 'string' && realm.length > 0 && /^[\x20-\x7e]+$/.test(realm);
}

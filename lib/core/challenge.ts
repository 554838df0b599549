/** The parameters of a Bearer challenge (RFC 6750 §3). */
export interface ChallengeParams {
  realm: string;
  error?: string;
  description?: string;
  scope?: string;
}

// RFC 6750 §3: error_description and scope use only %x20-21 / %x23-5B / %x5D-7E,
// so a description is reduced to that set rather than escaped.
export const NOT_NQSCHAR = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;

// RFC 9110 §5.6.4: a quoted-string holds no control characters (CR and LF above all, which would
// split the header); characters beyond ASCII cannot be sent in a header by Node at all.
const NOT_PRINTABLE = /[^\x20-\x7e]/g;

/** RFC 9110 §5.6.4 quoted-string for the realm: printable ASCII, `"` and `\` escaped. */
function quote(value: string): string {
  return `"${value.replace(NOT_PRINTABLE, '').replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Builds the `WWW-Authenticate` value of RFC 6750 §3. Every value is made safe
 * to send whatever it holds: the realm is reduced to printable ASCII and
 * quoted, and `error`, `error_description` and `scope` are reduced to the
 * characters RFC 6750 §3 allows them, so no value can end its quotes early,
 * add a parameter of its own or split the header.
 *
 * @example
 * bearerChallenge({ realm: 'api', error: 'invalid_token', description: 'The access token expired' });
 * // Bearer realm="api", error="invalid_token", error_description="The access token expired"
 */
export function bearerChallenge({ realm, error, description, scope }: ChallengeParams): string {
  let challenge = `Bearer realm=${quote(realm)}`;
  // RFC 6750 §3: no error code (and so no description) when the request had no credentials.
  if (error === undefined) return challenge;
  // The error code is ours in practice, but this function is public: it gets the same filter.
  challenge += `, error="${error.replace(NOT_NQSCHAR, '')}"`;
  if (description) challenge += `, error_description="${description.replace(NOT_NQSCHAR, '')}"`;
  if (scope) challenge += `, scope="${scope.replace(NOT_NQSCHAR, '')}"`;
  return challenge;
}

/** True when `realm` can be sent as a quoted-string (printable ASCII). */
export function isValidRealm(realm: unknown): realm is string {
  return typeof realm === 'string' && realm.length > 0 && /^[\x20-\x7e]+$/.test(realm);
}

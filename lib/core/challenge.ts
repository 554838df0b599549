/**
 * Builds the `WWW-Authenticate` value of RFC 6750 §3.
 *
 * @example
 * bearerChallenge({ realm: 'api', error: 'invalid_token', description: 'The access token expired' });
 * // Bearer realm="api", error="invalid_token", error_description="The access token expired"
 */
export interface ChallengeParams {
  realm: string;
  error?: string;
  description?: string;
  scope?: string;
  /** RFC 9728 §5.1: the URL of the protected resource metadata, sent with every challenge when set. */
  resourceMetadata?: string;
}

// RFC 6750 §3: error_description and scope use only %x20-21 / %x23-5B / %x5D-7E,
// so a description is reduced to that set rather than escaped.
const NOT_NQSCHAR = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;

/** RFC 9110 §5.6.4 quoted-string for the realm. */
function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

export function bearerChallenge({ realm, error, description, scope, resourceMetadata }: ChallengeParams): string {
  let challenge = `Bearer realm=${quote(realm)}`;
  // RFC 6750 §3: no error code (and so no description) when the request had no credentials.
  if (error !== undefined) {
    challenge += `, error="${error}"`;
    if (description) challenge += `, error_description="${description.replace(NOT_NQSCHAR, '')}"`;
    if (scope) challenge += `, scope="${scope.replace(NOT_NQSCHAR, '')}"`;
  }
  // RFC 9728 §5.1: where the client finds this resource's metadata (and so its authorization
  // servers), on the bare challenge to a client without a token too. A URL we configured, checked
  // at start-up; quoted all the same.
  if (resourceMetadata) challenge += `, resource_metadata=${quote(resourceMetadata)}`;
  return challenge;
}

/** True when `realm` can be sent as a quoted-string (printable ASCII). */
export function isValidRealm(realm: unknown): realm is string {
  return typeof realm === 'string' && realm.length > 0 && /^[\x20-\x7e]+$/.test(realm);
}

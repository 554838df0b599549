import { challenge, NOT_NQSCHAR, type ChallengeSchemes } from './challenge';

/** The RFC error codes a client can receive (RFC 6749 §5.2, RFC 6750 §3.1, RFC 9449 §5, §7.1, §8), plus this library's two own. */
export type AuthErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'unsupported_grant_type'
  | 'temporarily_unavailable'
  | 'too_many_requests'
  | 'username_taken'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce';

/**
 * Why a request was refused, for hooks and logs: stable, machine-readable,
 * never sent to the client (which sees only the RFC code). New reasons may be
 * added in minor versions; existing ones keep their meaning.
 */
export type FailureReason =
  /** Protected route, no credentials at all (RFC 6750 §3: a bare challenge). */
  | 'credentials.missing'
  /** A malformed request: parameters missing, repeated or in the URL; a bad body or Authorization header. */
  | 'request.invalid'
  /** The request body is over `bodyLimit`. */
  | 'request.too_large'
  /** A method other than POST at the token or revocation endpoint. */
  | 'request.method'
  /** Cookie mode: a cookie request (it carries the CSRF header) from an origin that is not allowed. */
  | 'request.cross_site'
  /** Not a compact JWS, a header or payload that is not a JSON object, a non-canonical signature. */
  | 'token.malformed'
  /** `typ` is not `at+jwt` (RFC 9068 §4). */
  | 'token.typ'
  /** A `crit` header (RFC 7515 §4.1.11). */
  | 'token.crit'
  /** `alg` is not the algorithm of the key, or not one accepted (RFC 8725 §3.1). */
  | 'token.alg'
  /** No key has the token's `kid` (or the token has none where one is needed). */
  | 'token.kid_unknown'
  /** The signature does not verify. */
  | 'token.signature'
  /** Past `exp` plus the clock tolerance. */
  | 'token.expired'
  /** Before `nbf` minus the clock tolerance. */
  | 'token.not_yet_valid'
  /** `iat` in the future. */
  | 'token.iat_future'
  /** A required claim is missing or of the wrong type. */
  | 'token.claim_missing'
  /** `iss` is not the issuer. */
  | 'token.issuer'
  /** `aud` does not name this audience. */
  | 'token.audience'
  /** The token's `jti` was revoked. */
  | 'token.revoked'
  /** A DPoP-bound access token (one with `cnf`) sent as a bearer token (RFC 9449 §7.2). */
  | 'token.dpop_bound'
  /** The token's user no longer exists. */
  | 'user.not_found'
  /** The token's user is disabled. */
  | 'user.disabled'
  /** A password change, a disable or "sign out everywhere" ended this token's sessions (token epoch). */
  | 'session.ended'
  /** The token lacks a scope the route needs. */
  | 'scope.insufficient'
  /** A malformed `scope`, or more than granted. */
  | 'scope.invalid'
  /** A `grant_type` this endpoint does not offer. */
  | 'grant.unsupported'
  /** Password login: no such user. */
  | 'login.unknown_user'
  /** Password login: wrong password (also a wrong current password on a password change). */
  | 'login.wrong_password'
  /** Password login: the user is disabled. */
  | 'login.user_disabled'
  /** Password login: the password is over `maxPasswordLength` or not valid Unicode. */
  | 'login.password_invalid'
  /** This client (an address without a valid device cookie for the account) is blocked from this account after failed logins. */
  | 'login.blocked'
  /** This device cookie is blocked from its account after failed logins (OWASP device cookies: the device is locked out alone). */
  | 'login.device_blocked'
  /** The account is out of failures for clients without its device cookie (a distributed attack): only its devices may log in for now. */
  | 'login.account_limited'
  /** The account's own devices, together, are out of failures (someone holding its device cookies keeps guessing). */
  | 'login.devices_limited'
  /** This client has too many failed logins across accounts. */
  | 'client.failures'
  /** This client sent too many requests to the endpoint. */
  | 'client.requests'
  /** Refresh grant: no such refresh token. */
  | 'refresh.unknown'
  /** Refresh grant: a rotated token presented again; its family is revoked. */
  | 'refresh.reused'
  /** Refresh grant: the token or its family is expired or revoked. */
  | 'refresh.expired'
  /** The password-hashing queue is full (503). */
  | 'hashing.busy'
  /** Registration with a taken username. */
  | 'username.taken'
  /** Registration with a username that looks like a taken one (a shared skeleton, UTS #39 §4: `аӏісе` beside `alice`). */
  | 'username.lookalike'
  /** The account acted on no longer exists. */
  | 'account.gone'
  /** DPoP is required here (route or token endpoint policy) and the request used Bearer or sent no proof; or a DPoP-bound refresh token came without a proof. */
  | 'dpop.required'
  /** A DPoP proof that fails a check of RFC 9449 §4.3: two `DPoP` headers, not a JWT, a claim missing, `typ`, `alg`, `jwk`, signature, `htm`, `htu`, `iat` or `ath`. */
  | 'dpop.invalid_proof'
  /** A DPoP proof whose `jti` was already used within its window (RFC 9449 §11.1). */
  | 'dpop.replayed'
  /** A DPoP proof without the server's current nonce (RFC 9449 §8): answered with `use_dpop_nonce` and a fresh `DPoP-Nonce`. */
  | 'dpop.nonce_required'
  /** The proof's key is not the one the access token (`cnf.jkt`, RFC 9449 §6) or the refresh token (§5) is bound to, or the token is not bound at all. */
  | 'dpop.key_mismatch';

export interface AuthErrorOptions {
  /** Why, for hooks and logs. Default: the class's usual reason. */
  reason?: FailureReason;
  /** The detailed reason in words, for logs (never sent to the client). Default: the description. */
  detail?: string;
  /** Set for errors of a bearer-protected resource: adds the RFC 6750 §3 `WWW-Authenticate` challenge. */
  realm?: string;
  /** Extra response headers (`Allow`, `Retry-After`, …). */
  headers?: Record<string, string>;
  /** An underlying error, if one caused this. */
  cause?: unknown;
}

/**
 * A request that failed authentication or authorization. `status`, `code` and
 * `headers` are what the client sees; `message` is the safe
 * `error_description`; `reason` (machine-readable) and `detail` (words) stay on
 * the server, for the `onFailure` hook and logs.
 *
 * @example
 * if (err instanceof AuthError) res.status(err.status).set(err.headers).json(err.toJSON());
 */
export abstract class AuthError extends Error {
  /** HTTP status. */
  abstract readonly status: number;
  /** RFC 6749 §5.2 / RFC 6750 §3.1 error code; undefined when the request had no credentials. */
  abstract readonly code: AuthErrorCode | undefined;
  /** Why, machine-readable: for hooks and logs, never sent. */
  readonly reason: FailureReason;
  /** Why, in words: for logs, never sent. */
  readonly detail: string;
  /** Response headers that belong to this error. */
  readonly headers: Record<string, string>;
  /** Scopes the resource needs (insufficient_scope only). */
  readonly scope: string | undefined;

  protected constructor(description: string, defaultReason: FailureReason, options: AuthErrorOptions = {}, scope?: string) {
    // A refused request is an answer, not a fault: no stack trace, whose capture is a large part of
    // the cost of a rejection (see bench/RESULTS.md).
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    // RFC 6749 §5.2 / RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E only (no quote,
    // backslash or control), in the JSON body as in the challenge.
    super(description.replace(NOT_NQSCHAR, ''), options.cause === undefined ? undefined : { cause: options.cause });
    Error.stackTraceLimit = stackTraceLimit;
    this.name = new.target.name;
    this.reason = options.reason ?? defaultReason;
    this.detail = options.detail ?? description;
    this.scope = scope;
    this.headers = options.headers === undefined ? {} : { ...options.headers };
    if (options.realm !== undefined) this.withChallenge(options.realm);
  }

  /**
   * Adds the `WWW-Authenticate` challenge for `realm`: RFC 6750 §3 Bearer, and
   * the RFC 9449 §7.1 DPoP challenge when `schemes` offers it, each with the
   * RFC 9728 §5.1 `resource_metadata` URL when one is given; returns this error.
   */
  withChallenge(realm: string, schemes: ChallengeSchemes & { resourceMetadata?: string } = {}): this {
    const { resourceMetadata, ...offered } = schemes;
    this.headers['WWW-Authenticate'] = challenge({ realm, error: this.code, description: this.message, scope: this.scope, resourceMetadata }, offered);
    return this;
  }

  /** The JSON body: `{ error, error_description }` (RFC 6749 §5.2). */
  toJSON(): { error?: AuthErrorCode; error_description: string } {
    return this.code === undefined ? { error_description: this.message } : { error: this.code, error_description: this.message };
  }
}

// AuthError's constructor reads `code` before subclass field initialisers run,
// so subclasses declare status and code as getters on the prototype.

/** RFC 6750 §3: the request carried no credentials. 401, no error code. */
export class CredentialsRequiredError extends AuthError {
  get status() { return 401; }
  get code() { return undefined; }
  constructor(description = 'Authentication required', options?: AuthErrorOptions) { super(description, 'credentials.missing', options); }
}

/** RFC 6749 §5.2 / RFC 6750 §3.1 `invalid_request`: malformed, repeated or missing parameters. 400. */
export class InvalidRequestError extends AuthError {
  get status() { return 400; }
  get code() { return 'invalid_request' as const; }
  constructor(description: string, options?: AuthErrorOptions) { super(description, 'request.invalid', options); }
}

/** RFC 6750 §3.1 `invalid_token`: expired, revoked, malformed or otherwise invalid. 401. */
export class InvalidTokenError extends AuthError {
  get status() { return 401; }
  get code() { return 'invalid_token' as const; }
  constructor(description = 'The access token is invalid', options?: AuthErrorOptions) { super(description, 'token.malformed', options); }
}

/** RFC 6750 §3.1 `insufficient_scope`: the token lacks a scope the resource needs. 403. */
export class InsufficientScopeError extends AuthError {
  get status() { return 403; }
  get code() { return 'insufficient_scope' as const; }
  constructor(scope: string, options?: AuthErrorOptions) {
    super('The access token does not grant the required scope', 'scope.insufficient', options, scope);
  }
}

/** RFC 6749 §5.2 `invalid_grant`: wrong credentials, unknown or disabled user (deliberately indistinguishable). 400. */
export class InvalidGrantError extends AuthError {
  get status() { return 400; }
  get code() { return 'invalid_grant' as const; }
  constructor(description = 'Invalid username or password', options?: AuthErrorOptions) { super(description, 'login.wrong_password', options); }
}

/** RFC 6749 §5.2 `invalid_scope`: malformed, unknown, or more than the user holds. 400. */
export class InvalidScopeError extends AuthError {
  get status() { return 400; }
  get code() { return 'invalid_scope' as const; }
  constructor(description = 'The requested scope is invalid or exceeds what was granted', options?: AuthErrorOptions) {
    super(description, 'scope.invalid', options);
  }
}

/** RFC 6749 §5.2 `unsupported_grant_type`. 400. */
export class UnsupportedGrantTypeError extends AuthError {
  get status() { return 400; }
  get code() { return 'unsupported_grant_type' as const; }
  constructor(description = 'The grant type is not supported', options?: AuthErrorOptions) { super(description, 'grant.unsupported', options); }
}

/** RFC 6749 §3.2: the token endpoint takes POST only. 405 with `Allow: POST`. */
export class MethodNotAllowedError extends AuthError {
  get status() { return 405; }
  get code() { return 'invalid_request' as const; }
  constructor(allow = 'POST', options?: AuthErrorOptions) {
    super(`Use ${allow}`, 'request.method', { ...options, headers: { ...options?.headers, Allow: allow } });
  }
}

/**
 * Where a DPoP error arose: the token endpoint answers 400 (RFC 6749 §5.2,
 * RFC 9449 §5, §8), a protected resource 401 with a DPoP challenge (§7.1, §9).
 */
export type DpopErrorSite = 'token' | 'resource';

/** RFC 9449 §4.3, §7.1 `invalid_dpop_proof`: the DPoP proof is missing, malformed or fails a check. 400 at the token endpoint, 401 at a resource. */
export class InvalidDpopProofError extends AuthError {
  get status() { return this.site === 'token' ? 400 : 401; }
  get code() { return 'invalid_dpop_proof' as const; }
  /** Where it arose, which sets the status. */
  readonly site: DpopErrorSite;
  constructor(site: DpopErrorSite, description = 'The DPoP proof is invalid', options?: AuthErrorOptions) {
    super(description, 'dpop.invalid_proof', options);
    this.site = site;
  }
}

/**
 * RFC 9449 §8–9 `use_dpop_nonce`: the proof must carry the server's nonce,
 * sent in the `DPoP-Nonce` header. 400 at the token endpoint, 401 at a resource.
 */
export class UseDpopNonceError extends AuthError {
  get status() { return this.site === 'token' ? 400 : 401; }
  get code() { return 'use_dpop_nonce' as const; }
  /** Where it arose, which sets the status. */
  readonly site: DpopErrorSite;
  constructor(site: DpopErrorSite, nonce: string, options?: AuthErrorOptions) {
    super('The DPoP proof must carry the nonce in DPoP-Nonce', 'dpop.nonce_required', {
      ...options,
      headers: { ...options?.headers, 'DPoP-Nonce': nonce },
    });
    this.site = site;
  }
}

/**
 * Cookie mode: a request that carries the CSRF header, so would act on the
 * refresh-token cookie, from a page whose origin is neither the server's own
 * nor allowed (OWASP CSRF Prevention Cheat Sheet: verifying the origin with
 * standard headers). 403, `invalid_request`; nothing is read, set or revoked.
 */
export class CrossSiteRequestError extends AuthError {
  get status() { return 403; }
  get code() { return 'invalid_request' as const; }
  constructor(description = 'Cross-site request refused', options?: AuthErrorOptions) { super(description, 'request.cross_site', options); }
}

/** The request body exceeds the size limit. 413, `invalid_request`. */
export class PayloadTooLargeError extends AuthError {
  get status() { return 413; }
  get code() { return 'invalid_request' as const; }
  constructor(description = 'The request body is too large', options?: AuthErrorOptions) { super(description, 'request.too_large', options); }
}

/** Too many attempts: 429 with `Retry-After` in seconds. */
export class TooManyRequestsError extends AuthError {
  get status() { return 429; }
  get code() { return 'too_many_requests' as const; }
  /** Seconds until the client may try again (the `Retry-After` value). */
  readonly retryAfter: number;
  constructor(retryAfterSeconds: number, options?: AuthErrorOptions) {
    const seconds = retryAfter(retryAfterSeconds);
    super('Too many requests; try again later', 'client.requests', {
      ...options,
      headers: { ...options?.headers, 'Retry-After': String(seconds) },
    });
    this.retryAfter = seconds;
  }
}

/**
 * The username is taken, or looks like one that is (`lookalike`: the two
 * share a skeleton, UTS #39 §4), at registration. 409 `username_taken` either
 * way: to a reader a look-alike of a name is that name, and the answer tells
 * no more than a taken name's does (that such an account exists). The reason
 * (`username.taken` or `username.lookalike`) and the description tell them apart.
 */
export class UsernameConflictError extends AuthError {
  get status() { return 409; }
  get code() { return 'username_taken' as const; }
  constructor(options?: AuthErrorOptions & { lookalike?: boolean }) {
    const lookalike = options?.lookalike === true;
    super(lookalike ? 'That username looks like one that is taken' : 'That username is taken', lookalike ? 'username.lookalike' : 'username.taken', options);
  }
}

/** The server is at capacity (for example the password-hashing queue is full): 503 with `Retry-After`. */
export class ServiceUnavailableError extends AuthError {
  get status() { return 503; }
  // RFC 6749 §4.1.2.1 names this code for an overloaded authorization server.
  get code() { return 'temporarily_unavailable' as const; }
  /** Seconds until the client may try again (the `Retry-After` value). */
  readonly retryAfter: number;
  constructor(retryAfterSeconds: number, options?: AuthErrorOptions) {
    const seconds = retryAfter(retryAfterSeconds);
    super('The server is busy; try again shortly', 'hashing.busy', {
      ...options,
      headers: { ...options?.headers, 'Retry-After': String(seconds) },
    });
    this.retryAfter = seconds;
  }
}

/**
 * The issuer's JWKS could not be fetched and no cached key has the token's
 * `kid`, or the cached keys are older than `jwksMaxStale`. It is the
 * verifier's fault, not the client's: a 500 through `next(err)`, never a 401.
 */
export class JwksUnavailableError extends Error {
  /** For Express's default error handler and apps that read `err.status`. */
  readonly status = 500;
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'JwksUnavailableError';
  }
}

/**
 * A store found that its backend lost data it relies on (a Redis that
 * restarted without persistence, or was flushed: revocations it held are
 * gone) and refuses to answer until that data can be trusted again, at
 * `until`. The server's fault, not the client's: a 500 through `next(err)`,
 * never a 401 (or, for the denylist under `denylistFailOpen`, the request
 * passes and `onError` is told).
 */
export class StoreUntrustedError extends Error {
  /** For Express's default error handler and apps that read `err.status`. */
  readonly status = 500;
  constructor(
    message: string,
    /** When the store trusts its data again (ms since the epoch); Infinity until an operator says so. */
    readonly until: number,
  ) {
    super(message);
    this.name = 'StoreUntrustedError';
  }
}

/**
 * `UserStore.create` or `update` with a username another account has (its
 * key, `usernameKey`, is taken) or looks like (`lookalike`: they share one of
 * `usernameSkeletons`).
 *
 * @example
 * try {
 *   await users.create({ username: '\u0430\u04cf\u0456\u0441\u0435', passwordHash });
 * } catch (err) {
 *   if (err instanceof UsernameTakenError && err.lookalike) console.log('looks like an existing account');
 * }
 */
export class UsernameTakenError extends Error {
  /** True when the name is not taken but looks like one that is. */
  readonly lookalike: boolean;
  constructor(readonly username: string, options: { lookalike?: boolean } = {}) {
    const lookalike = options.lookalike === true;
    super(lookalike ? `username looks like one already taken: ${username}` : `username already taken: ${username}`);
    this.name = 'UsernameTakenError';
    this.lookalike = lookalike;
  }
}

/** One account in a {@link UsernameCollisionError}. */
export interface CollidingAccount {
  readonly id: string;
  readonly username: string;
}

/** Accounts whose usernames have one key (`usernameKey`): the key and every account that has it. */
export interface UsernameCollision {
  readonly key: string;
  readonly accounts: readonly CollidingAccount[];
}

/**
 * A schema migration that recomputes the stored username keys found accounts
 * whose usernames are one name under the current `usernameKey` (width
 * mapping, full case folding, NFC: RFC 8265 §3.3), such as "STRASSE" and
 * "straße" made by a version that only lower-cased. It stopped and rolled
 * back: nothing was changed, and no account was merged or removed. `message`
 * names every account (id and username) and what to do; `collisions` has the
 * same for programs.
 *
 * @example
 * try {
 *   await users.ready();
 * } catch (err) {
 *   if (err instanceof UsernameCollisionError) for (const { key, accounts } of err.collisions) console.error(key, accounts);
 *   throw err;
 * }
 */
export class UsernameCollisionError extends Error {
  readonly collisions: readonly UsernameCollision[];
  constructor(collisions: readonly UsernameCollision[]) {
    const groups = collisions.map(({ key, accounts }) => {
      const names = accounts.map(({ id, username }) => `${quoteName(username)} (id ${quoteName(id)})`);
      const listed = names.length === 2 ? names.join(' and ') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
      return `  - ${listed} are ${names.length === 2 ? 'both' : 'all'} ${quoteName(key)}`;
    });
    super(
      [
        'cannot upgrade the users table: the new username rules (RFC 8265: width mapping, full case folding) make these usernames one name, and usernames are unique:',
        ...groups,
        'Nothing was changed, and no account was merged or removed. With the version of express-jwt-auth that uses this database now, rename (UserStore.update(id, { username })) or remove all but one account of each group, then start this version again.',
      ].join('\n'),
    );
    this.name = 'UsernameCollisionError';
    this.collisions = collisions;
  }
}

/** A name as a quoted string whose invisible or unusual characters show as \u{…} escapes. */
function quoteName(text: string): string {
  let out = '';
  for (const ch of text) {
    const visible = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch) && !/[\p{Default_Ignorable_Code_Point}"\\]/u.test(ch);
    out += visible ? ch : `\\u{${(ch.codePointAt(0) as number).toString(16).toUpperCase()}}`;
  }
  return `"${out}"`;
}

/** RFC 9110 §10.2.3 Retry-After in whole seconds, at least 1 (0 would invite an immediate retry). */
function retryAfter(seconds: number): number {
  return Math.max(1, Math.ceil(seconds));
}

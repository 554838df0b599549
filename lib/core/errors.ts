import { bearerChallenge } from './challenge';

export interface AuthErrorOptions {
  /** The detailed reason, kept for logs and the `onFailure` hook; never sent to the client. */
  cause?: unknown;
  /** Set for errors of a bearer-protected resource: adds the RFC 6750 §3 `WWW-Authenticate` challenge. */
  realm?: string;
  /** Extra response headers (`Allow`, `Retry-After`, …). */
  headers?: Record<string, string>;
}

/**
 * A request that failed authentication or authorization. `status`, `code` and
 * `headers` are what the client sees; `message` is the safe `error_description`;
 * `cause` is the detailed reason, which stays on the server.
 *
 * @example
 * if (err instanceof AuthError) res.status(err.status).set(err.headers).json(err.toJSON());
 */
export abstract class AuthError extends Error {
  /** HTTP status. */
  abstract readonly status: number;
  /** RFC 6749 §5.2 / RFC 6750 §3.1 error code; undefined when the request had no credentials. */
  abstract readonly code: string | undefined;
  /** Response headers that belong to this error. */
  readonly headers: Record<string, string>;
  /** Scopes the resource needs (insufficient_scope only). */
  readonly scope: string | undefined;

  protected constructor(description: string, options: AuthErrorOptions = {}, scope?: string) {
    // A refused request is an answer, not a fault: no stack trace, whose capture is a large part of
    // the cost of a rejection (see bench/RESULTS.md). The cause keeps the reason, and its own stack.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    Error.stackTraceLimit = stackTraceLimit;
    this.name = new.target.name;
    this.scope = scope;
    this.headers = { ...options.headers };
    if (options.realm !== undefined) this.withChallenge(options.realm);
  }

  /** Adds the RFC 6750 §3 `WWW-Authenticate` challenge for `realm`; returns this error. */
  withChallenge(realm: string): this {
    this.headers['WWW-Authenticate'] = bearerChallenge({
      realm,
      error: this.code,
      description: this.message,
      scope: this.scope,
    });
    return this;
  }

  /** The JSON body: `{ error, error_description }` (RFC 6749 §5.2). */
  toJSON(): { error?: string; error_description: string } {
    return this.code === undefined
      ? { error_description: this.message }
      : { error: this.code, error_description: this.message };
  }
}

// AuthError's constructor reads `code` before subclass field initialisers run,
// so subclasses declare status and code as getters on the prototype.

/** RFC 6750 §3: the request carried no credentials. 401, no error code. */
export class CredentialsRequiredError extends AuthError {
  get status() { return 401; }
  get code() { return undefined; }
  constructor(description = 'Authentication required', options?: AuthErrorOptions) { super(description, options); }
}

/** RFC 6749 §5.2 / RFC 6750 §3.1 `invalid_request`: malformed, repeated or missing parameters. 400. */
export class InvalidRequestError extends AuthError {
  get status() { return 400; }
  get code() { return 'invalid_request'; }
  constructor(description: string, options?: AuthErrorOptions) { super(description, options); }
}

/** RFC 6750 §3.1 `invalid_token`: expired, revoked, malformed or otherwise invalid. 401. */
export class InvalidTokenError extends AuthError {
  get status() { return 401; }
  get code() { return 'invalid_token'; }
  constructor(description = 'The access token is invalid', options?: AuthErrorOptions) { super(description, options); }
}

/** RFC 6750 §3.1 `insufficient_scope`: the token lacks a scope the resource needs. 403. */
export class InsufficientScopeError extends AuthError {
  get status() { return 403; }
  get code() { return 'insufficient_scope'; }
  constructor(scope: string, options?: AuthErrorOptions) {
    super('The access token does not grant the required scope', options, scope);
  }
}

/** RFC 6749 §5.2 `invalid_grant`: wrong credentials, unknown or disabled user (deliberately indistinguishable). 400. */
export class InvalidGrantError extends AuthError {
  get status() { return 400; }
  get code() { return 'invalid_grant'; }
  constructor(description = 'Invalid username or password', options?: AuthErrorOptions) { super(description, options); }
}

/** RFC 6749 §5.2 `invalid_scope`: malformed, unknown, or more than the user holds. 400. */
export class InvalidScopeError extends AuthError {
  get status() { return 400; }
  get code() { return 'invalid_scope'; }
  constructor(description = 'The requested scope is invalid or exceeds what was granted', options?: AuthErrorOptions) {
    super(description, options);
  }
}

/** RFC 6749 §5.2 `unsupported_grant_type`. 400. */
export class UnsupportedGrantTypeError extends AuthError {
  get status() { return 400; }
  get code() { return 'unsupported_grant_type'; }
  constructor(description = 'The grant type is not supported', options?: AuthErrorOptions) { super(description, options); }
}

/** RFC 6749 §3.2: the token endpoint takes POST only. 405 with `Allow: POST`. */
export class MethodNotAllowedError extends AuthError {
  get status() { return 405; }
  get code() { return 'invalid_request'; }
  constructor(allow = 'POST', options?: AuthErrorOptions) {
    super(`Use ${allow}`, { ...options, headers: { ...options?.headers, Allow: allow } });
  }
}

/** The request body exceeds the size limit. 413, `invalid_request`. */
export class PayloadTooLargeError extends AuthError {
  get status() { return 413; }
  get code() { return 'invalid_request'; }
  constructor(description = 'The request body is too large', options?: AuthErrorOptions) { super(description, options); }
}

/** Too many attempts: 429 with `Retry-After` in seconds. */
export class TooManyRequestsError extends AuthError {
  get status() { return 429; }
  get code() { return 'too_many_requests'; }
  constructor(retryAfterSeconds: number, options?: AuthErrorOptions) {
    super('Too many requests; try again later', {
      ...options,
      headers: { ...options?.headers, 'Retry-After': retryAfter(retryAfterSeconds) },
    });
  }
}

/** The username is taken (registration). 409: this necessarily tells that the name exists. */
export class UsernameConflictError extends AuthError {
  get status() { return 409; }
  get code() { return 'username_taken'; }
  constructor(options?: AuthErrorOptions) { super('That username is taken', options); }
}

/** The server is at capacity (for example the password-hashing queue is full): 503 with `Retry-After`. */
export class ServiceUnavailableError extends AuthError {
  get status() { return 503; }
  // RFC 6749 §4.1.2.1 names this code for an overloaded authorization server.
  get code() { return 'temporarily_unavailable'; }
  constructor(retryAfterSeconds: number, options?: AuthErrorOptions) {
    super('The server is busy; try again shortly', {
      ...options,
      headers: { ...options?.headers, 'Retry-After': retryAfter(retryAfterSeconds) },
    });
  }
}

/**
 * The detailed reason of a refusal, as an Error for `cause`: only its message
 * matters, so no stack trace is captured (a large part of a rejection's cost).
 */
export function reason(message: string): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new Error(message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** RFC 9110 §10.2.3 Retry-After in whole seconds, at least 1 (0 would invite an immediate retry). */
function retryAfter(seconds: number): string {
  return String(Math.max(1, Math.ceil(seconds)));
}

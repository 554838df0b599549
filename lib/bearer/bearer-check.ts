import { CredentialsRequiredError } from '../core/errors';
import type { AccessTokenClaims, RequestAuth } from '../core/user';
import { parseAccessToken, verifyWithKey, type ClaimRules, type KeyResolver } from '../tokens/access-tokens';
import { extractToken, type TokenSource } from './extract-token';

/** What a request's bearer check found: the caller, and what its token grants. */
export interface BearerResult {
  user: Express.User;
  auth: RequestAuth;
}

/**
 * What a verified token's claims still have to pass: on the issuer, that its
 * user exists, is enabled, is in the token's epoch and that the `jti` is not
 * revoked; on a verify-only service, nothing (the user is `{ id: sub }`).
 * Throws or rejects with an AuthError to refuse; any other error is a 500.
 */
export type SessionCheck = (claims: AccessTokenClaims) => Express.User | Promise<Express.User>;

export interface BearerCheckOptions {
  /** Where the verifying key comes from: the issuer's KeySet or the issuer's JWKS. */
  readonly keys: KeyResolver;
  readonly rules: ClaimRules;
  readonly session: SessionCheck;
  /** Realm of the RFC 6750 §3 challenge. */
  readonly realm: string;
  /** RFC 9728 §5.1: the protected resource metadata URL every challenge carries. Default none. */
  readonly resourceMetadata?: string;
  readonly allowQueryToken: boolean;
  readonly allowBodyToken: boolean;
}

/**
 * The one bearer check (RFC 6750) that the issuer and verify-only services
 * share: extract the token strictly, verify it with the key the resolver
 * gives, then pass its claims to the session check. Rejects with an
 * AuthError without a realm (the Express or Passport layer adds the
 * challenge) when the client is at fault, and with any other error when a
 * store or the issuer's JWKS fails, which callers turn into a 500.
 *
 * @example
 * const { user, auth } = await bearer.authenticate(req);
 */
export class BearerCheck {
  readonly realm: string;
  /** The RFC 9728 metadata URL of the challenges, if configured. */
  readonly resourceMetadata: string | undefined;
  private readonly options: BearerCheckOptions;

  constructor(options: BearerCheckOptions) {
    this.options = options;
    this.realm = options.realm;
    this.resourceMetadata = options.resourceMetadata;
  }

  async authenticate(req: TokenSource): Promise<BearerResult> {
    const { keys, rules, session, allowQueryToken, allowBodyToken } = this.options;
    const token = extractToken(req, { allowQuery: allowQueryToken, allowBody: allowBodyToken });
    // RFC 6750 §3: no credentials, no error code.
    if (token === undefined) throw new CredentialsRequiredError();
    const jws = parseAccessToken(token);
    const found = keys.keyFor(jws.header);
    // A local key set answers synchronously: no promise hop for it.
    const key = found instanceof Promise ? await found : found;
    const verified = verifyWithKey(jws, key, rules);
    const user = session(verified.claims);
    return { user: user instanceof Promise ? await user : user, auth: verified };
  }
}

import type { DpopPolicy, AuthScheme } from '../core/dpop-policy';
import { CredentialsRequiredError, InvalidDpopProofError, InvalidTokenError, type AuthError } from '../core/errors';
import type { AccessTokenClaims, RequestAuth } from '../core/user';
import type { CompactJws } from '../jose/compact';
import type { JwtKey } from '../jose/keys';
import { acceptClaims, parseAccessToken, type ClaimRules, type KeyResolver, type VerifiedAccessToken } from '../tokens/access-tokens';
import type { DpopCheck, DpopSource } from './dpop';
import { extractCredentials } from './extract-token';
import { VerifiedTokens } from './verified-tokens';

/** What a request's bearer check found: the caller, what its token grants, and the scheme it came with. */
export interface BearerResult {
  user: Express.User;
  auth: RequestAuth;
  scheme: AuthScheme;
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
  /** DPoP (RFC 9449): the app's policy, the proof check and the replay store. */
  readonly dpop: DpopCheck;
}

/**
 * The one check of protected routes that the issuer and verify-only services
 * share, for Bearer tokens (RFC 6750) and DPoP-bound ones (RFC 9449 §7):
 * extract the credentials strictly, verify the token with the key the
 * resolver gives; for the DPoP scheme, verify the proof (its `ath` the
 * token's hash, its key the token's `cnf.jkt`) and accept it once; refuse a
 * DPoP-bound token sent as Bearer; then pass the claims to the session
 * check. Rejects with an AuthError without a challenge (the Express or
 * Passport layer adds it with `challenge()`) when the client is at fault, and
 * with any other error when a store or the issuer's JWKS fails, which callers
 * turn into a 500.
 *
 * @example
 * const { user, auth } = await bearer.authenticate(req); // the app's dpop policy
 * await bearer.authenticate(req, 'required');             // a route's own
 */
export class BearerCheck {
  readonly realm: string;
  /** The app's DPoP policy: the default of every route. */
  readonly policy: DpopPolicy;
  /** The RFC 9728 metadata URL of the challenges, if configured. */
  readonly resourceMetadata: string | undefined;
  private readonly options: BearerCheckOptions;
  // The scheme each request's credentials came with, for the challenge of a refusal.
  private readonly schemes = new WeakMap<object, AuthScheme>();
  // What each token's signature proved: a token presented again is not verified or decoded again.
  private readonly verifiedTokens = new VerifiedTokens();

  constructor(options: BearerCheckOptions) {
    this.options = options;
    this.realm = options.realm;
    this.policy = options.dpop.policy;
    this.resourceMetadata = options.resourceMetadata;
  }

  /** `check`, always as a promise: for callers that chain on it (the Passport strategy). */
  authenticate(req: DpopSource, policy: DpopPolicy = this.policy): Promise<BearerResult> {
    try {
      return Promise.resolve(this.check(req, policy));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The check itself. In steady state (a local key set, a remembered token,
   * the session answered from memory, no DPoP) it answers synchronously,
   * without a promise; otherwise it returns one. Throws or rejects with an
   * AuthError without a challenge to refuse, with another error when a store
   * or the issuer's JWKS fails.
   */
  check(req: DpopSource, policy: DpopPolicy = this.policy): BearerResult | Promise<BearerResult> {
    const { allowQueryToken, allowBodyToken } = this.options;
    const credentials = extractCredentials(req, { allowQuery: allowQueryToken, allowBody: allowBodyToken, dpop: policy !== 'off' });
    // RFC 6750 §3: no credentials, no error code.
    if (credentials === undefined) throw new CredentialsRequiredError();
    const { token, scheme } = credentials;
    // The challenge of a refusal names the scheme the request used, which challenge() reads from the
    // Authorization header: recorded only where that header would mislead (a query or body token
    // beside a header of the DPoP scheme this route does not take).
    if (scheme !== schemeOf(ownAuthorization(req))) this.schemes.set(req, scheme);
    return this.checkToken(req, token, scheme, policy);
  }

  private checkToken(req: DpopSource, token: string, scheme: AuthScheme, policy: DpopPolicy): BearerResult | Promise<BearerResult> {
    const { keys, dpop } = this.options;
    if (scheme === 'Bearer' && policy === 'required') {
      throw new InvalidTokenError('This resource requires a DPoP-bound access token', { reason: 'dpop.required', detail: 'Bearer where DPoP is required' });
    }
    // RFC 9449 §7.1: the DPoP scheme comes with a proof.
    const proof = scheme === 'DPoP' ? dpop.header(req, 'resource') : undefined;
    if (scheme === 'DPoP' && proof === undefined) {
      throw new InvalidDpopProofError('resource', 'A DPoP proof is required with the DPoP scheme', { detail: 'DPoP scheme without a DPoP header' });
    }

    // A token seen before skips the parsing: its header is remembered (see VerifiedTokens).
    const known = this.verifiedTokens.recall(token);
    let jws: CompactJws | undefined;
    const parse = () => (jws ??= parseAccessToken(token));
    const found = keys.keyFor(known?.header ?? parse().header);
    const admit = (key: JwtKey | undefined) => this.admit(req, acceptClaims(this.verifiedTokens.payload(token, key, known, parse), this.options.rules), token, scheme, proof);
    // A local key set answers synchronously: no promise hop for it.
    return found instanceof Promise ? found.then(admit) : admit(found);
  }

  private admit(req: DpopSource, verified: VerifiedAccessToken, token: string, scheme: AuthScheme, proof: string | undefined) {
    const { session, dpop } = this.options;
    const { cnf } = verified.claims;
    if (proof === undefined) {
      // RFC 9449 §7.2: a bound token is never a bearer token, whatever the policy: the binding stands.
      if (cnf !== undefined) {
        throw new InvalidTokenError('The access token is DPoP-bound: send it with the DPoP scheme and a proof', { reason: 'token.dpop_bound', detail: 'bound token sent as Bearer' });
      }
      return this.finish(session(verified.claims), verified, scheme);
    }
    const proven = dpop.verify(req, proof, 'resource', token);
    // RFC 9449 §4.3 (12), §7.1: the proof's key is the one the token is bound to.
    if (cnf?.jkt !== proven.jkt) {
      throw new InvalidTokenError('The access token is not bound to the DPoP proof key', {
        reason: 'dpop.key_mismatch',
        detail: cnf?.jkt === undefined ? 'token not DPoP-bound' : 'proof key is not cnf.jkt',
      });
    }
    return dpop.claim(proven, 'resource').then(() => this.finish(session(verified.claims), verified, scheme));
  }

  private finish(user: Express.User | Promise<Express.User>, auth: VerifiedAccessToken, scheme: AuthScheme): BearerResult | Promise<BearerResult> {
    return user instanceof Promise ? user.then((found) => ({ user: found, auth: heldScopes(auth, found), scheme })) : { user, auth: heldScopes(auth, user), scheme };
  }

  /**
   * Adds the `WWW-Authenticate` challenge of a refusal of `req` under
   * `policy`: Bearer, DPoP with its `algs`, or both (RFC 9449 §7.1), the error
   * on the scheme the request used, and RFC 9728 §5.1 `resource_metadata` when configured.
   */
  challenge(err: AuthError, req: DpopSource, policy: DpopPolicy = this.policy): AuthError {
    return err.withChallenge(this.realm, {
      bearer: policy !== 'required',
      dpop: policy === 'off' ? undefined : this.options.dpop.algorithms,
      errorScheme: this.schemes.get(req) ?? schemeOf(ownAuthorization(req)),
      resourceMetadata: this.resourceMetadata,
    });
  }

  /** The nonce to send in `DPoP-Nonce` with a DPoP answer, or undefined when nonces are off. */
  dpopNonce(): string | undefined {
    return this.options.dpop.nonce();
  }
}

/**
 * A token grants at most what its account holds now: a scope taken from the
 * account stops counting at once, on tokens issued before too, as a disable
 * does (the claims still show what was issued). A user without `scopes` (a
 * verify-only service's `{ id: sub }`) leaves the token's as they are.
 */
function heldScopes(auth: VerifiedAccessToken, user: Express.User): VerifiedAccessToken {
  const held = (user as { scopes?: unknown }).scopes;
  if (!Array.isArray(held) || auth.scopes.every((scope) => held.includes(scope))) return auth;
  return { claims: auth.claims, scopes: auth.scopes.filter((scope) => held.includes(scope)) };
}

/** The request's own Authorization header (Node's headers object inherits from Object.prototype). */
function ownAuthorization(req: DpopSource): string | undefined {
  return Object.hasOwn(req.headers, 'authorization') ? req.headers.authorization : undefined;
}

/** The scheme an Authorization header names, for a header too malformed to extract. */
function schemeOf(authorization: string | undefined): AuthScheme {
  return authorization !== undefined && /^DPoP(?: |$)/i.test(authorization) ? 'DPoP' : 'Bearer';
}

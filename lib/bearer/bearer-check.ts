import type { DpopPolicy, AuthScheme } from '../core/dpop-policy';
import { CredentialsRequiredError, InvalidDpopProofError, InvalidTokenError, type AuthError } from '../core/errors';
import type { AccessTokenClaims, RequestAuth } from '../core/user';
import { parseAccessToken, verifyWithKey, type ClaimRules, type KeyResolver } from '../tokens/access-tokens';
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
  // Asymmetric signatures already verified: a token presented again is not verified again.
  private readonly verifiedTokens = new VerifiedTokens();

  constructor(options: BearerCheckOptions) {
    this.options = options;
    this.realm = options.realm;
    this.policy = options.dpop.policy;
    this.resourceMetadata = options.resourceMetadata;
  }

  async authenticate(req: DpopSource, policy: DpopPolicy = this.policy): Promise<BearerResult> {
    const { keys, rules, session, allowQueryToken, allowBodyToken, dpop } = this.options;
    const credentials = extractCredentials(req, { allowQuery: allowQueryToken, allowBody: allowBodyToken, dpop: policy !== 'off' });
    // RFC 6750 §3: no credentials, no error code.
    if (credentials === undefined) throw new CredentialsRequiredError();
    const { token, scheme } = credentials;
    this.schemes.set(req, scheme);
    if (scheme === 'Bearer' && policy === 'required') {
      throw new InvalidTokenError('This resource requires a DPoP-bound access token', { reason: 'dpop.required', detail: 'Bearer where DPoP is required' });
    }
    // RFC 9449 §7.1: the DPoP scheme comes with a proof.
    const proof = scheme === 'DPoP' ? dpop.header(req, 'resource') : undefined;
    if (scheme === 'DPoP' && proof === undefined) {
      throw new InvalidDpopProofError('resource', 'A DPoP proof is required with the DPoP scheme', { detail: 'DPoP scheme without a DPoP header' });
    }

    const jws = parseAccessToken(token);
    const found = keys.keyFor(jws.header);
    // A local key set answers synchronously: no promise hop for it.
    const key = found instanceof Promise ? await found : found;
    const now = rules.now();
    const known = this.verifiedTokens.verified(token, key, now);
    const verified = verifyWithKey(jws, key, rules, known);
    if (!known && key !== undefined) this.verifiedTokens.remember(token, key, (verified.claims.exp + rules.clockTolerance) * 1000, now);

    const { cnf } = verified.claims;
    if (proof === undefined) {
      // RFC 9449 §7.2: a bound token is never a bearer token, whatever the policy: the binding stands.
      if (cnf !== undefined) {
        throw new InvalidTokenError('The access token is DPoP-bound: send it with the DPoP scheme and a proof', { reason: 'token.dpop_bound', detail: 'bound token sent as Bearer' });
      }
    } else {
      const proven = dpop.verify(req, proof, 'resource', token);
      // RFC 9449 §4.3 (12), §7.1: the proof's key is the one the token is bound to.
      if (cnf?.jkt !== proven.jkt) {
        throw new InvalidTokenError('The access token is not bound to the DPoP proof key', {
          reason: 'dpop.key_mismatch',
          detail: cnf?.jkt === undefined ? 'token not DPoP-bound' : 'proof key is not cnf.jkt',
        });
      }
      await dpop.claim(proven, 'resource');
    }

    const user = session(verified.claims);
    return { user: user instanceof Promise ? await user : user, auth: verified, scheme };
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
      errorScheme: this.schemes.get(req) ?? schemeOf(req.headers.authorization),
      resourceMetadata: this.resourceMetadata,
    });
  }

  /** The nonce to send in `DPoP-Nonce` with a DPoP answer, or undefined when nonces are off. */
  dpopNonce(): string | undefined {
    return this.options.dpop.nonce();
  }
}

/** The scheme an Authorization header names, for a header too malformed to extract. */
function schemeOf(authorization: string | undefined): AuthScheme {
  return authorization !== undefined && /^DPoP(?: |$)/i.test(authorization) ? 'DPoP' : 'Bearer';
}

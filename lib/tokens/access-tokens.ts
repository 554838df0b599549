import { randomUUID } from 'node:crypto';
import { InvalidTokenError, type FailureReason } from '../core/errors';
import { formatScope, splitScope } from '../core/scopes';
import type { AccessTokenClaims } from '../core/user';
import { decodeJson, describe, isPlainObject, parseCompact, type CompactJws } from '../jose/compact';
import type { KeySet } from '../jose/key-set';
import type { JwtKey } from '../jose/keys';
import { signCompact, verifySignature } from '../jose/signature';

/** RFC 9068 §2.1: the media type of a JWT access token, sent as `typ`. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** What a token's claims must meet: ours, and within their lifetime. */
export interface ClaimRules {
  readonly issuer: string;
  readonly audience: string;
  /** Leeway for `exp`, `nbf` and `iat`, seconds. */
  readonly clockTolerance: number;
  /** Clock in milliseconds. */
  readonly now: () => number;
}

/**
 * Where the key that verifies a token comes from: the issuer's own KeySet, or
 * a verify-only service's copy of the issuer's JWKS. The one seam between the
 * two: everything else about verification is shared.
 */
export interface KeyResolver {
  /**
   * The one key that may verify a token with this header, or undefined when
   * none has its `kid`. May throw (or reject with) InvalidTokenError to refuse
   * outright, or another error when the keys cannot be had (a 500).
   */
  keyFor(header: Readonly<Record<string, unknown>>): JwtKey | undefined | Promise<JwtKey | undefined>;
}

export interface AccessTokenOptions extends ClaimRules {
  /** Its active key signs; its keys verify; it can rotate at run time. */
  readonly keys: KeySet;
  /** `client_id` claim of issued tokens (RFC 9068 §2.2). */
  readonly clientId: string;
  /** Lifetime of issued tokens, seconds. */
  readonly ttl: number;
}

export interface IssuedAccessToken {
  token: string;
  claims: AccessTokenClaims;
  /** Seconds until expiry (the `expires_in` of RFC 6749 §5.1). */
  expiresIn: number;
}

export interface VerifiedAccessToken {
  claims: AccessTokenClaims;
  scopes: string[];
}

/**
 * Issues RFC 9068 JWT access tokens with the active key of a KeySet, and
 * verifies them with its keys, through the same `verifyAccessToken` a
 * verify-only service uses.
 *
 * @example
 * const tokens = new AccessTokens({ keys: new KeySet({ active: hmacKey(secret) }), issuer, audience, clientId, ttl: 900, clockTolerance: 30, now: Date.now });
 * const { token } = tokens.issue(user.id, ['read']);
 * const { claims } = tokens.verify(token); // throws InvalidTokenError
 */
export class AccessTokens {
  readonly keys: KeySet;
  private readonly options: AccessTokenOptions;

  constructor(options: AccessTokenOptions) {
    this.options = options;
    this.keys = options.keys;
  }

  issue(subject: string, scopes: readonly string[], extra: Record<string, unknown> = {}): IssuedAccessToken {
    const { issuer, audience, clientId, ttl, now } = this.options;
    const key = this.keys.active;
    const iat = Math.floor(now() / 1000);
    const claims: AccessTokenClaims = {
      ...extra,
      iss: issuer,
      aud: audience,
      sub: String(subject),
      client_id: clientId,
      iat,
      exp: iat + ttl,
      jti: randomUUID(),
      scope: formatScope(scopes),
    };
    const header = key.kid === undefined ? { alg: key.alg, typ: ACCESS_TOKEN_TYPE } : { alg: key.alg, typ: ACCESS_TOKEN_TYPE, kid: key.kid };
    return { token: signCompact(header, claims, key), claims, expiresIn: ttl };
  }

  /** Verifies one of our tokens with our keys; throws InvalidTokenError (no realm). */
  verify(token: string): VerifiedAccessToken {
    const jws = parseAccessToken(token);
    return verifyWithKey(jws, this.keys.keyFor(jws.header), this.options);
  }

  /** The last moment (ms) a token with these claims is still accepted: `exp` plus the clock tolerance. */
  acceptedUntil(claims: Pick<AccessTokenClaims, 'exp'>): number {
    return (claims.exp + this.options.clockTolerance) * 1000;
  }

  /** Seconds a token issued now stays acceptable: its lifetime plus the clock tolerance. */
  get acceptedFor(): number {
    return this.options.ttl + this.options.clockTolerance;
  }
}

/**
 * Takes a token apart without trusting it, and makes the header checks that
 * need no key, before any key is looked up (or fetched): a compact JWS with a
 * JSON object header, `typ` at+jwt (RFC 9068 §4), no `crit` (RFC 7515
 * §4.1.11: we implement no extensions, so any is one we do not understand).
 * Throws InvalidTokenError.
 */
export function parseAccessToken(token: string): CompactJws {
  const jws = parseCompact(token);
  if (jws === undefined) throw invalid('token.malformed', 'not a compact JWS with a JSON object header');
  if (!isAccessTokenType(jws.header.typ)) throw invalid('token.typ', 'typ is not at+jwt');
  if (jws.header.crit !== undefined) throw invalid('token.crit', 'crit header present');
  return jws;
}

/**
 * Verifies a token `parseAccessToken` took apart with the one key its header
 * selected: `verifySigned`, then `acceptClaims`. Keys come only from the
 * configuration: `jku`, `x5u`, `jwk` and `x5c` headers are never read.
 * Throws InvalidTokenError.
 */
export function verifyWithKey(jws: CompactJws, key: JwtKey | undefined, rules: ClaimRules): VerifiedAccessToken {
  return acceptClaims(verifySigned(jws, key), rules);
}

/**
 * What a token's bytes prove with `key`, in order: a key for its `kid`;
 * `alg` equal to that key's algorithm (RFC 8725 §3.1: `none` and
 * cross-family algorithms never match); the signature; then the payload, a
 * JSON object (prototype-less). Nothing here depends on the time, so the
 * outcome for one token and one key object never changes (see
 * VerifiedTokens). Throws InvalidTokenError.
 */
export function verifySigned(jws: CompactJws, key: JwtKey | undefined): Record<string, unknown> {
  const outcome = checkSigned(jws, key);
  if (outcome instanceof SignedRefusal) throw invalid(outcome.reason, outcome.detail);
  return outcome;
}

/** Why `checkSigned` refused a token: the InvalidTokenError's reason and detail, not yet thrown. */
export class SignedRefusal {
  constructor(
    readonly reason: FailureReason,
    readonly detail: string,
  ) {}
}

/** `verifySigned` that returns its refusal instead of throwing it, for callers that remember it (VerifiedTokens). */
export function checkSigned(jws: CompactJws, key: JwtKey | undefined): Record<string, unknown> | SignedRefusal {
  const { header } = jws;
  if (key === undefined) return new SignedRefusal('token.kid_unknown', `no key for kid ${describe(header.kid)}`);
  if (header.alg !== key.alg) return new SignedRefusal('token.alg', `alg ${describe(header.alg)} does not match the key`);
  // Our tokens are issued low-S only: the high-S twin of one (s → n − s) is refused, so a token has one spelling.
  if (!verifySignature(jws.signingInput, jws.signature, key, { lowS: true })) return new SignedRefusal('token.signature', 'invalid signature');
  return decodeJson(jws.payload) ?? new SignedRefusal('token.malformed', 'payload is not a JSON object');
}

/**
 * The claims of a verified payload, checked: a JSON object with string
 * `iss`, `aud`, `sub`, `jti` and finite `exp`, `iat`; `iss` and `aud` ours;
 * now < `exp`, now ≥ `nbf`, `iat` not in the future, within
 * `clockTolerance`. Returns `payload` itself as the claims. Throws InvalidTokenError.
 */
export function acceptClaims(payload: Record<string, unknown>, rules: ClaimRules): VerifiedAccessToken {
  const claims = checkClaims(payload, rules);
  return { claims, scopes: splitScope(claims.scope) };
}

/** RFC 7519 §4.1 and RFC 9068 §4 claim checks, the cheap time checks first. */
function checkClaims(payload: Record<string, unknown>, { issuer, audience, clockTolerance, now }: ClaimRules): AccessTokenClaims {
  const seconds = Math.floor(now() / 1000);
  const { nbf, exp, iat, aud, iss, sub, jti, scope } = payload;
  // RFC 7519 §4.1.4: not on or after exp, with leeway.
  if (!isNumericDate(exp)) throw invalid('token.claim_missing', 'exp missing or not a number');
  if (seconds >= exp + clockTolerance) throw new InvalidTokenError('The access token expired', { reason: 'token.expired', detail: 'jwt expired' });
  if (nbf !== undefined) {
    if (!isNumericDate(nbf)) throw invalid('token.claim_missing', 'nbf is not a number');
    // RFC 7519 §4.1.5: not before nbf, with leeway.
    if (nbf > seconds + clockTolerance) throw invalid('token.not_yet_valid', 'jwt not active');
  }
  if (!isNumericDate(iat)) throw invalid('token.claim_missing', 'iat missing or not a number');
  if (iat > seconds + clockTolerance) throw invalid('token.iat_future', 'iat in the future');
  // RFC 8725 §3.8: the issuer must be the one we trust.
  if (typeof iss !== 'string') throw invalid('token.claim_missing', 'iss missing');
  if (iss !== issuer) throw invalid('token.issuer', 'iss is not the issuer');
  // RFC 7519 §4.1.3 / RFC 8725 §3.9: one of the audiences must be us.
  if (typeof aud === 'string' ? aud !== audience : !Array.isArray(aud) ? true : !aud.includes(audience)) {
    throw invalid(aud === undefined ? 'token.claim_missing' : 'token.audience', aud === undefined ? 'aud missing' : 'aud does not name this audience');
  }
  // RFC 7519 §4.1.2: sub is a string; a number is not our token.
  if (typeof sub !== 'string' || sub === '') throw invalid('token.claim_missing', 'sub missing or not a string');
  if (typeof jti !== 'string' || jti === '') throw invalid('token.claim_missing', 'jti missing');
  if (scope !== undefined && typeof scope !== 'string') throw invalid('token.claim_missing', 'scope is not a string');
  // RFC 7800 §3.1, RFC 9449 §6.1: a confirmation is an object; its jkt, when there, a thumbprint.
  const { cnf } = payload;
  if (cnf !== undefined && (!isPlainObject(cnf) || (cnf.jkt !== undefined && (typeof cnf.jkt !== 'string' || cnf.jkt === '')))) {
    throw invalid('token.claim_missing', 'cnf is not an object with a string jkt');
  }
  return payload as AccessTokenClaims;
}

/** RFC 7519 §2 NumericDate: a finite number of seconds (JSON's 1e400 parses as Infinity). */
function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isAccessTokenType(typ: unknown): boolean {
  // RFC 9068 §4 / RFC 7515 §4.1.9: media type names are case-insensitive; "application/" may be omitted.
  if (typeof typ !== 'string') return false;
  const lower = typ.toLowerCase();
  return lower === ACCESS_TOKEN_TYPE || lower === `application/${ACCESS_TOKEN_TYPE}`;
}

function invalid(reason: FailureReason, detail: string): InvalidTokenError {
  return new InvalidTokenError(undefined, { reason, detail });
}


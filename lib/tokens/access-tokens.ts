import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { signEdDsa, verifyEdDsa } from '../jose/signature';
import { InvalidTokenError, reason } from '../core/errors';
import { KeySet } from '../jose/key-set';
import type { JwtKey } from '../jose/keys';
import { formatScope } from '../core/scopes';
import type { AccessTokenClaims } from '../core/user';

/** RFC 9068 §2.1: the media type of a JWT access token, sent as `typ`. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** What a token's claims must meet: ours, and within their lifetime. */
export interface ClaimRules {
  issuer: string;
  audience: string;
  /** Leeway for `exp`, `nbf` and `iat`, seconds. */
  clockTolerance: number;
  /** Clock in milliseconds. */
  now: () => number;
}

export interface AccessTokenOptions extends ClaimRules {
  /** Signs new tokens and verifies tokens whose `kid` names it (or that have none, when it has none). Give this or `keys`. */
  key?: JwtKey;
  /** Further keys that still verify (rotation); none by default. Only with `key`. */
  verifyKeys?: readonly JwtKey[];
  /** A key set: its active key signs, its keys verify, and it can rotate at run time. Give this or `key`. */
  keys?: KeySet;
  /** `client_id` claim of issued tokens (RFC 9068 §2.2). */
  clientId: string;
  /** Lifetime of issued tokens, seconds. */
  ttl: number;
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

// Three base64url segments (RFC 7515 §7.1); checked before any decoding or crypto.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 8192;

/**
 * Issues and verifies RFC 9068 JWT access tokens with pinned keys.
 *
 * Verification accepts a token only when all hold: compact form; header a JSON
 * object with `typ` at+jwt, no `crit` (RFC 7515 §4.1.11), and an `alg` equal to
 * the algorithm of the key its `kid` selects (RFC 8725 §3.1); a valid
 * signature; a JSON object payload with string `iss`, `aud`, `sub`, `jti` and
 * numeric `exp`, `iat` (RFC 9068 §4); `iss` and `aud` ours; now < `exp`,
 * now ≥ `nbf`, `iat` not in the future, within `clockTolerance`.
 * Keys come only from the configuration: `jku`, `x5u`, `jwk` and `x5c` headers
 * are ignored and `kid` is only ever a key into an in-memory map.
 *
 * @example
 * const tokens = new AccessTokens({ key: hmacKey(secret), issuer, audience, clientId, ttl: 900, clockTolerance: 30, now: Date.now });
 * const { token } = tokens.issue(user.id, ['read']);
 * const { claims } = tokens.verify(token); // throws InvalidTokenError
 */
export class AccessTokens {
  private readonly options: AccessTokenOptions;
  /** The signing key and every key that verifies. */
  readonly keys: KeySet;

  constructor(options: AccessTokenOptions) {
    this.options = options;
    if ((options.key === undefined) === (options.keys === undefined)) throw new TypeError('keys: give either key (with verifyKeys) or keys');
    if (options.keys !== undefined) {
      if (!(options.keys instanceof KeySet)) throw new TypeError('keys must be a KeySet');
      if (options.verifyKeys !== undefined) throw new TypeError('verifyKeys goes with key; add them to the KeySet instead');
      this.keys = options.keys;
    } else {
      this.keys = new KeySet({ active: options.key!, verify: options.verifyKeys ?? [] }, { now: options.now });
    }
  }

  /** Seconds since the epoch (RFC 7519 §2 NumericDate). */
  private seconds(): number {
    return Math.floor(this.options.now() / 1000);
  }

  issue(subject: string, scopes: readonly string[], extra: Record<string, unknown> = {}): IssuedAccessToken {
    const { issuer, audience, clientId, ttl } = this.options;
    const key = this.keys.active;
    const iat = this.seconds();
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
    return { token: signToken(header, claims, key), claims, expiresIn: ttl };
  }

  /** Verifies `token`; throws InvalidTokenError (no realm) with the reason as `cause`. */
  verify(token: string): VerifiedAccessToken {
    const header = decodeHeader(token);
    const key = this.keys.find(header.kid);
    if (!key) throw invalid('unknown kid');
    return verifyWithKey(token, header, key, this.options);
  }

  /** The last moment (ms) a token with these claims is still accepted: `exp` plus the clock tolerance. */
  acceptedUntil(claims: Pick<AccessTokenClaims, 'exp'>): number {
    return (claims.exp + this.options.clockTolerance) * 1000;
  }

  /**
   * Makes `next` the signing key. The old key keeps verifying until every
   * token it signed has expired (the token lifetime plus the clock
   * tolerance), then is dropped.
   *
   * @example
   * auth.options.tokens.rotate(generateKey('ES256'));
   */
  rotate(next: JwtKey): void {
    this.keys.rotate(next, this.options.ttl + this.options.clockTolerance);
  }
}

/**
 * The header of a compact JWS, decoded: throws InvalidTokenError for an
 * over-long or malformed token or a header that is not a JSON object.
 */
export function decodeHeader(token: string): Record<string, unknown> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) throw invalid('not a compact JWS');
  const header = decodeJson(token.slice(0, token.indexOf('.')));
  if (header === undefined) throw invalid('header is not a JSON object');
  return header;
}

/** The checks of the header that need no key: `typ` at+jwt and no `crit`. */
export function checkHeader(header: Record<string, unknown>): void {
  if (header.typ === undefined || !isAccessTokenType(header.typ)) throw invalid('typ is not at+jwt');
  // RFC 7515 §4.1.11: we implement no extensions, so any crit is one we do not understand.
  if (header.crit !== undefined) throw invalid('crit header present');
}

/**
 * Verifies `token` with the one key its `kid` selected: `alg` must be that
 * key's algorithm, then the header, the signature and the claims are checked
 * the same way for every algorithm. Throws InvalidTokenError.
 */
export function verifyWithKey(token: string, header: Record<string, unknown>, key: JwtKey, rules: ClaimRules): VerifiedAccessToken {
  // RFC 8725 §3.1: the key fixes the algorithm; `none` and cross-family algs never match.
  if (header.alg !== key.alg) throw invalid(`alg ${describe(header.alg)} does not match the key`);
  checkHeader(header);
  const payload = checkSignature(token, key);
  const claims = checkClaims(payload, rules);
  const scopes = claims.scope ? claims.scope.split(' ').filter(Boolean) : [];
  return { claims, scopes };
}

function signToken(header: Record<string, unknown>, claims: AccessTokenClaims, key: JwtKey): string {
  if (key.alg === 'EdDSA') return signEdDsa(header, claims, key.key);
  return jwt.sign(claims, key.key, { algorithm: key.alg, header: header as unknown as jwt.JwtHeader });
}

/** Checks the signature only; returns the payload (not yet checked). */
function checkSignature(token: string, key: JwtKey): unknown {
  // Base64 decoders ignore the spare low bits of the last character, so one signature has several
  // spellings; only the canonical one is accepted, so a token string cannot be altered and still verify.
  const signature = token.slice(token.lastIndexOf('.') + 1);
  if (Buffer.from(signature, 'base64url').toString('base64url') !== signature) throw invalid('signature is not canonical base64url');
  const signed = token.slice(0, token.lastIndexOf('.'));
  const payload = () => decodeJson(signed.slice(signed.indexOf('.') + 1));
  if (key.alg === 'EdDSA') {
    if (!verifyEdDsa(token, key.verifyKey)) throw invalid('invalid signature');
    return payload();
  }
  const hash = HMAC_HASHES[key.alg as keyof typeof HMAC_HASHES];
  if (hash !== undefined) {
    // HMAC directly rather than through jwt.verify, which decodes the whole token twice more and builds
    // error objects on the way: the largest part of a request's cost (bench/RESULTS.md, "Hot path").
    // The same computation as jws/jwa, compared in constant time.
    const expected = createHmac(hash, key.verifyKey).update(signed).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid('invalid signature');
    return payload();
  }
  try {
    // Time claims are left to checkClaims, so both paths apply the same rules.
    return jwt.verify(token, key.verifyKey, { algorithms: [key.alg], ignoreExpiration: true, ignoreNotBefore: true });
  } catch (err) {
    throw invalid((err as Error).message, err);
  }
}

const HMAC_HASHES = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;

/** The claim checks jsonwebtoken makes (in its order, with its messages), then those of RFC 9068 §4. */
function checkClaims(payload: unknown, { issuer, audience, clockTolerance, now }: ClaimRules): AccessTokenClaims {
  if (!isPlainObject(payload)) throw invalid('payload is not a JSON object');
  const seconds = Math.floor(now() / 1000);
  const { nbf, exp, aud, iss } = payload;
  if (nbf !== undefined) {
    if (!isNumericDate(nbf)) throw invalid('invalid nbf value');
    // RFC 7519 §4.1.5: not before nbf, with leeway.
    if (nbf > seconds + clockTolerance) throw invalid('jwt not active');
  }
  if (exp !== undefined) {
    if (!isNumericDate(exp)) throw invalid('invalid exp value');
    // RFC 7519 §4.1.4: not on or after exp, with leeway.
    if (seconds >= exp + clockTolerance) {
      throw new InvalidTokenError('The access token expired', { cause: reason('jwt expired') });
    }
  }
  // RFC 7519 §4.1.3 / RFC 8725 §3.9: one of the audiences must be us.
  if (!(Array.isArray(aud) ? aud : [aud]).includes(audience)) throw invalid(`jwt audience invalid. expected: ${audience}`);
  // RFC 8725 §3.8: the issuer must be the one we trust.
  if (iss !== issuer) throw invalid(`jwt issuer invalid. expected: ${issuer}`);
  return requireClaims(payload, seconds + clockTolerance);
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

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireClaims(payload: Record<string, unknown>, latestIat: number): AccessTokenClaims {
  const { iss, aud, sub, jti, exp, iat, scope } = payload;
  if (!isNumericDate(exp)) throw invalid('exp missing');
  if (!isNumericDate(iat)) throw invalid('iat missing');
  if (iat > latestIat) throw invalid('iat in the future');
  if (typeof iss !== 'string') throw invalid('iss missing');
  if (typeof aud !== 'string' && !Array.isArray(aud)) throw invalid('aud missing');
  // RFC 7519 §4.1.2: sub is a string; a number is not our token.
  if (typeof sub !== 'string' || sub === '') throw invalid('sub is not a string');
  if (typeof jti !== 'string' || jti === '') throw invalid('jti missing');
  if (scope !== undefined && typeof scope !== 'string') throw invalid('scope is not a string');
  return payload as AccessTokenClaims;
}

function invalid(why: string, cause?: unknown): InvalidTokenError {
  return new InvalidTokenError(undefined, { cause: cause ?? reason(why) });
}

/**
 * A header value for a log line: attacker-made JSON, so no String(), which throws on
 * `{"toString":0}`; strings are cut short.
 */
export function describe(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `${value.slice(0, 40)}…` : value;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

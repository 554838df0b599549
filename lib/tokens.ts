import { randomUUID } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { InvalidTokenError } from './errors';
import type { JwtKey } from './keys';
import { formatScope } from './scopes';
import type { AccessTokenClaims } from './user';

/** RFC 9068 §2.1: the media type of a JWT access token, sent as `typ`. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface AccessTokenOptions {
  /** Signs new tokens and verifies tokens whose `kid` names it (or that have none, when it has none). */
  key: JwtKey;
  /** Further keys that still verify (rotation); none by default. */
  verifyKeys?: readonly JwtKey[];
  issuer: string;
  audience: string;
  /** `client_id` claim of issued tokens (RFC 9068 §2.2). */
  clientId: string;
  /** Lifetime of issued tokens, seconds. */
  ttl: number;
  /** Leeway for `exp`, `nbf` and `iat`, seconds. */
  clockTolerance: number;
  /** Clock in milliseconds. */
  now: () => number;
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
  private readonly byKid = new Map<string, JwtKey>();
  private readonly unnamed: JwtKey | undefined;

  constructor(options: AccessTokenOptions) {
    this.options = options;
    let unnamed: JwtKey | undefined;
    for (const key of [options.key, ...(options.verifyKeys ?? [])]) {
      if (key.kid === undefined) {
        if (unnamed && unnamed !== key) throw new TypeError('keys: only one key may lack a kid');
        unnamed = key;
      } else {
        if (this.byKid.has(key.kid)) throw new TypeError(`keys: kid "${key.kid}" is used twice`);
        this.byKid.set(key.kid, key);
      }
    }
    this.unnamed = unnamed;
  }

  /** Seconds since the epoch (RFC 7519 §2 NumericDate). */
  private seconds(): number {
    return Math.floor(this.options.now() / 1000);
  }

  issue(subject: string, scopes: readonly string[], extra: Record<string, unknown> = {}): IssuedAccessToken {
    const { key, issuer, audience, clientId, ttl } = this.options;
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
    const token = jwt.sign(claims, key.key, { algorithm: key.alg, header });
    return { token, claims, expiresIn: ttl };
  }

  /** Verifies `token`; throws InvalidTokenError (no realm) with the reason as `cause`. */
  verify(token: string): VerifiedAccessToken {
    if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) throw invalid('not a compact JWS');
    const header = decodeJson(token.slice(0, token.indexOf('.')));
    if (header === undefined) throw invalid('header is not a JSON object');
    const key = this.keyFor(header);
    if (header.typ === undefined || !isAccessTokenType(header.typ)) throw invalid('typ is not at+jwt');
    // RFC 7515 §4.1.11: we implement no extensions, so any crit is one we do not understand.
    if (header.crit !== undefined) throw invalid('crit header present');

    const { issuer, audience, clockTolerance } = this.options;
    const now = this.seconds();
    let payload: unknown;
    try {
      payload = jwt.verify(token, key.key, {
        algorithms: [key.alg],
        issuer,
        audience,
        clockTolerance,
        clockTimestamp: now,
      });
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) {
        throw new InvalidTokenError('The access token expired', { cause: err });
      }
      throw invalid((err as Error).message, err);
    }
    const claims = requireClaims(payload, now + clockTolerance);
    const scopes = claims.scope ? claims.scope.split(' ').filter(Boolean) : [];
    return { claims, scopes };
  }

  private keyFor(header: Record<string, unknown>): JwtKey {
    const { kid, alg } = header;
    let key: JwtKey | undefined;
    if (kid === undefined) key = this.unnamed;
    else if (typeof kid === 'string') key = this.byKid.get(kid);
    if (!key) throw invalid('unknown kid');
    // RFC 8725 §3.1: the key fixes the algorithm; `none` and cross-family algs never match.
    if (alg !== key.alg) throw invalid(`alg ${String(alg)} does not match the key`);
    return key;
  }
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

function requireClaims(payload: unknown, latestIat: number): AccessTokenClaims {
  if (!isPlainObject(payload)) throw invalid('payload is not a JSON object');
  const { iss, aud, sub, jti, exp, iat, scope } = payload;
  if (typeof exp !== 'number') throw invalid('exp missing');
  if (typeof iat !== 'number') throw invalid('iat missing');
  if (iat > latestIat) throw invalid('iat in the future');
  if (typeof iss !== 'string') throw invalid('iss missing');
  if (typeof aud !== 'string' && !Array.isArray(aud)) throw invalid('aud missing');
  // RFC 7519 §4.1.2: sub is a string; a number is not our token.
  if (typeof sub !== 'string' || sub === '') throw invalid('sub is not a string');
  if (typeof jti !== 'string' || jti === '') throw invalid('jti missing');
  if (scope !== undefined && typeof scope !== 'string') throw invalid('scope is not a string');
  return payload as AccessTokenClaims;
}

function invalid(reason: string, cause?: unknown): InvalidTokenError {
  return new InvalidTokenError(undefined, { cause: cause ?? new Error(reason) });
}

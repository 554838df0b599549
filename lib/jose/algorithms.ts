/** The HMAC algorithms of RFC 7518 §3.2. */
export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512';

/**
 * The asymmetric algorithms: RSASSA-PKCS1-v1_5 and RSASSA-PSS with SHA-256
 * (RFC 7518 §3.3, §3.5), ECDSA P-256 (§3.4) and Ed25519 (RFC 8037 §3.1).
 */
export type AsymmetricAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

/** Every algorithm a key can be bound to. `none` is not one of them (RFC 8725 §3.1). */
export type JwsAlgorithm = HmacAlgorithm | AsymmetricAlgorithm;

/** RFC 7518 §3.2: an HMAC key is at least as long as the hash output. */
export const HMAC_KEY_BYTES: Readonly<Record<HmacAlgorithm, number>> = Object.freeze({ HS256: 32, HS384: 48, HS512: 64 });
const ASYMMETRIC: Readonly<Record<AsymmetricAlgorithm, true>> = Object.freeze({ RS256: true, PS256: true, ES256: true, EdDSA: true });

/** The asymmetric algorithms, in the order the docs list them. */
export const ASYMMETRIC_ALGORITHMS: readonly AsymmetricAlgorithm[] = Object.freeze(Object.keys(ASYMMETRIC) as AsymmetricAlgorithm[]);
/** Every supported algorithm. */
export const JWS_ALGORITHMS: readonly JwsAlgorithm[] = Object.freeze([...(Object.keys(HMAC_KEY_BYTES) as HmacAlgorithm[]), ...ASYMMETRIC_ALGORITHMS]);

export function isHmacAlgorithm(value: unknown): value is HmacAlgorithm {
  return typeof value === 'string' && Object.hasOwn(HMAC_KEY_BYTES, value);
}

export function isAsymmetricAlgorithm(value: unknown): value is AsymmetricAlgorithm {
  return typeof value === 'string' && Object.hasOwn(ASYMMETRIC, value);
}

export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return isHmacAlgorithm(value) || isAsymmetricAlgorithm(value);
}

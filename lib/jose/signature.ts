import { constants, createHmac, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import type { JwsAlgorithm } from './algorithms';
import { encodeJson } from './compact';
import type { JwtKey } from './keys';

/**
 * JWS signatures (RFC 7515 §5, RFC 7518 §3, RFC 8037 §3.1) with node:crypto
 * only: one code path for every algorithm, with the key fixing the algorithm
 * (the caller has already checked that the token's `alg` is the key's).
 */

const HMAC_HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;
// RFC 7518 §3.5: RSASSA-PSS with MGF1 and a salt as long as the hash.
const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } as const;
// RFC 7518 §3.4: an ES256 signature is R || S, 32 bytes each, not DER.
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P256_HALF_ORDER = P256_ORDER >> 1n;

/** Signs `header` and `payload` with `key` as a compact JWS. */
export function signCompact(header: Record<string, unknown>, payload: Record<string, unknown>, key: JwtKey): string {
  const input = `${encodeJson(header)}.${encodeJson(payload)}`;
  return `${input}.${signBytes(key.alg, Buffer.from(input, 'latin1'), key.key).toString('base64url')}`;
}

function signBytes(alg: JwsAlgorithm, data: Buffer, key: KeyObject): Buffer {
  switch (alg) {
    case 'HS256':
    case 'HS384':
    case 'HS512':
      return createHmac(HMAC_HASH[alg], key).update(data).digest();
    case 'RS256':
      return sign('sha256', data, key);
    case 'PS256':
      return sign('sha256', data, { key, ...PSS });
    case 'ES256':
      return lowS(sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }));
    case 'EdDSA':
      // RFC 8037 §3.1: Ed25519 over the signing input, no pre-hash (hence `null`).
      return sign(null, data, key);
  }
}

/**
 * ECDSA signatures are malleable: (r, n−s) verifies wherever (r, s) does. We
 * issue only the low-S form, so every token we sign has one spelling. Nothing
 * keys on the token string anyway (revocation keys on `jti`), so a high-S
 * variant made by someone else is the same token, not a new one.
 */
function lowS(signature: Buffer): Buffer {
  const s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
  if (s <= P256_HALF_ORDER) return signature;
  const flipped = Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex');
  return Buffer.concat([signature.subarray(0, 32), flipped]);
}

/** How strict `verifySignature` is about a signature's spelling. */
export interface SignatureRules {
  /**
   * Accept an ES256 signature only in its low-S form (s ≤ n/2), the one this
   * library issues, so a token of ours has exactly one valid spelling. For
   * tokens we signed; not for signatures made by clients (DPoP proofs),
   * whose libraries need not normalise. Default false.
   */
  readonly lowS?: boolean;
}

/**
 * True when `signature` (base64url, as in the token) is `key`'s valid
 * signature of `signingInput`. The signature must be its canonical spelling:
 * base64 decoders ignore the spare low bits of the last character, so one
 * signature has several spellings, and only one is accepted.
 */
export function verifySignature(signingInput: string, signature: string, key: JwtKey, rules: SignatureRules = {}): boolean {
  const given = Buffer.from(signature, 'base64url');
  if (given.toString('base64url') !== signature) return false;
  const alg = key.alg;
  const pub = key.verifyKey;
  switch (alg) {
    case 'HS256':
    case 'HS384':
    case 'HS512': {
      // Constant time, as jws/jwa compare.
      const expected = createHmac(HMAC_HASH[alg], pub).update(signingInput, 'latin1').digest();
      return given.length === expected.length && timingSafeEqual(given, expected);
    }
    case 'RS256':
      return given.length === rsaBytes(pub) && verify('sha256', Buffer.from(signingInput, 'latin1'), pub, given);
    case 'PS256':
      return given.length === rsaBytes(pub) && verify('sha256', Buffer.from(signingInput, 'latin1'), { key: pub, ...PSS }, given);
    case 'ES256':
      // RFC 7518 §3.4: exactly 64 bytes; r and s in [1, n−1] (the "psychic signature" r = s = 0 never verifies).
      return given.length === 64 && inScalarRange(given.subarray(0, 32)) && inScalarRange(given.subarray(32))
        && (!rules.lowS || BigInt(`0x${given.subarray(32).toString('hex')}`) <= P256_HALF_ORDER)
        && verify('sha256', Buffer.from(signingInput, 'latin1'), { key: pub, dsaEncoding: 'ieee-p1363' }, given);
    case 'EdDSA':
      // RFC 8032 §5.1.7: a signature is 64 bytes.
      return given.length === 64 && verify(null, Buffer.from(signingInput, 'latin1'), pub, given);
  }
}

function rsaBytes(key: KeyObject): number {
  return Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
}

function inScalarRange(bytes: Buffer): boolean {
  const value = BigInt(`0x${bytes.toString('hex')}`);
  return value > 0n && value < P256_ORDER;
}

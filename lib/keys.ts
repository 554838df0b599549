import { createSecretKey, KeyObject } from 'node:crypto';

/** The HMAC algorithms of RFC 7518 §3.2. */
export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512';

const HMAC_KEY_BYTES: Record<HmacAlgorithm, number> = { HS256: 32, HS384: 48, HS512: 64 };

/**
 * A key bound to exactly one algorithm (RFC 8725 §3.1): a token is checked
 * with this key only when its `alg` is this `alg`.
 */
export interface JwtKey {
  /** Key id, sent in the `kid` header; undefined for a single unnamed key. */
  readonly kid: string | undefined;
  readonly alg: HmacAlgorithm;
  /** Built once: jsonwebtoken verifies many times faster with a KeyObject than with a string. */
  readonly key: KeyObject;
}

export function isHmacAlgorithm(value: unknown): value is HmacAlgorithm {
  return typeof value === 'string' && Object.hasOwn(HMAC_KEY_BYTES, value);
}

/**
 * Makes an HMAC key from a secret, refusing one shorter than the hash output
 * (RFC 7518 §3.2: at least 256 bits for HS256).
 *
 * @example
 * const key = hmacKey(process.env.JWT_SECRET, 'HS256');
 */
export function hmacKey(
  secret: string | Buffer | KeyObject,
  alg: HmacAlgorithm = 'HS256',
  kid?: string,
  option = 'secret',
): JwtKey {
  if (!isHmacAlgorithm(alg)) {
    throw new TypeError(`algorithm must be one of ${Object.keys(HMAC_KEY_BYTES).join(', ')}`);
  }
  const key = toSecretKey(secret, option);
  const min = HMAC_KEY_BYTES[alg];
  if ((key.symmetricKeySize ?? 0) < min) {
    throw new TypeError(`${option} must be at least ${min} bytes (${min * 8} bits) for ${alg} (RFC 7518 §3.2)`);
  }
  return Object.freeze({ kid, alg, key });
}

function toSecretKey(secret: unknown, option: string): KeyObject {
  if (secret instanceof KeyObject) {
    if (secret.type !== 'secret') throw new TypeError(`${option} must be a secret (symmetric) key`);
    return secret;
  }
  if (typeof secret === 'string') return createSecretKey(Buffer.from(secret, 'utf8'));
  if (Buffer.isBuffer(secret)) return createSecretKey(Buffer.from(secret));
  throw new TypeError(`${option} is required: a string, Buffer or secret KeyObject`);
}

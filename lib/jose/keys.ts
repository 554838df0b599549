import { createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import { jwkThumbprint } from './jwk';

/** The HMAC algorithms of RFC 7518 §3.2. */
export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512';

/**
 * The asymmetric algorithms: RSASSA-PKCS1-v1_5 and RSASSA-PSS with SHA-256
 * (RFC 7518 §3.3, §3.5), ECDSA P-256 (§3.4) and Ed25519 (RFC 8037 §3.1).
 */
export type AsymmetricAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

/** Every algorithm a key can be bound to. `none` is not one of them (RFC 8725 §3.1). */
export type JwsAlgorithm = HmacAlgorithm | AsymmetricAlgorithm;

const HMAC_KEY_BYTES: Record<HmacAlgorithm, number> = { HS256: 32, HS384: 48, HS512: 64 };
const ASYMMETRIC: Record<AsymmetricAlgorithm, true> = { RS256: true, PS256: true, ES256: true, EdDSA: true };

/** The asymmetric algorithms, in the order the docs list them. */
export const ASYMMETRIC_ALGORITHMS: readonly AsymmetricAlgorithm[] = Object.freeze(Object.keys(ASYMMETRIC) as AsymmetricAlgorithm[]);
/** Every supported algorithm. */
export const JWS_ALGORITHMS: readonly JwsAlgorithm[] = Object.freeze([...(Object.keys(HMAC_KEY_BYTES) as HmacAlgorithm[]), ...ASYMMETRIC_ALGORITHMS]);

/** RFC 7518 §3.3 and §3.5: RSA keys of 2048 bits or more. */
export const MIN_RSA_BITS = 2048;

/**
 * A key bound to exactly one algorithm (RFC 8725 §3.1): a token is checked
 * with this key only when its `alg` is this `alg`.
 */
export interface JwtKey {
  /** Key id, sent in the `kid` header; undefined only for a single unnamed HMAC key. */
  readonly kid: string | undefined;
  readonly alg: JwsAlgorithm;
  /**
   * The key as given, which signs: the secret or the private key. A
   * verification-only key holds its public key here.
   * Built once: jsonwebtoken verifies many times faster with a KeyObject than with a string.
   */
  readonly key: KeyObject;
  /** The key that verifies: the secret, or the public key. */
  readonly verifyKey: KeyObject;
}

export function isHmacAlgorithm(value: unknown): value is HmacAlgorithm {
  return typeof value === 'string' && Object.hasOwn(HMAC_KEY_BYTES, value);
}

export function isAsymmetricAlgorithm(value: unknown): value is AsymmetricAlgorithm {
  return typeof value === 'string' && Object.hasOwn(ASYMMETRIC, value);
}

export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return isHmacAlgorithm(value) || isAsymmetricAlgorithm(value);
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
  const problem = keyProblem(key, alg);
  if (problem) throw new TypeError(`${option} ${problem}`);
  return Object.freeze({ kid: checkKid(kid), alg, key, verifyKey: key });
}

/**
 * Makes a key for RS256, PS256, ES256 or EdDSA from a private key (it signs
 * and verifies) or a public key (it only verifies): a KeyObject or a PEM.
 * The key must fit the algorithm: RSA of at least 2048 bits for RS256 and
 * PS256, P-256 for ES256, Ed25519 for EdDSA. The `kid` defaults to the key's
 * RFC 7638 thumbprint, so the same key always has the same id.
 *
 * @example
 * const key = asymmetricKey(fs.readFileSync('keys/signing.pem'), 'ES256');
 * createAuth({ keys: { active: key }, issuer, audience, users });
 */
export function asymmetricKey(key: KeyObject | string | Buffer, alg: AsymmetricAlgorithm, kid?: string, option = 'key'): JwtKey {
  if (!isAsymmetricAlgorithm(alg)) throw new TypeError(`${option}: algorithm must be one of ${ASYMMETRIC_ALGORITHMS.join(', ')}`);
  const keyObject = toAsymmetricKey(key, option);
  const problem = keyProblem(keyObject, alg);
  if (problem) throw new TypeError(`${option} ${problem}`);
  const verifyKey = keyObject.type === 'private' ? createPublicKey(keyObject) : keyObject;
  return Object.freeze({ kid: checkKid(kid) ?? jwkThumbprint(verifyKey), alg, key: keyObject, verifyKey });
}

/**
 * Generates a fresh key for `alg`: 256 random bits and up for HMAC, a 2048-bit
 * RSA, P-256 or Ed25519 key pair otherwise. For tests, the example's key
 * CLI, and development servers.
 *
 * @example
 * const key = generateKey('EdDSA'); // key.kid is its thumbprint
 */
export function generateKey(alg: JwsAlgorithm = 'ES256', kid?: string): JwtKey {
  if (isHmacAlgorithm(alg)) return hmacKey(randomBytes(HMAC_KEY_BYTES[alg]), alg, kid);
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return asymmetricKey(generateKeyPairSync('rsa', { modulusLength: MIN_RSA_BITS }).privateKey, alg, kid);
    case 'ES256':
      return asymmetricKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, alg, kid);
    case 'EdDSA':
      return asymmetricKey(generateKeyPairSync('ed25519').privateKey, alg, kid);
    default:
      throw new TypeError(`algorithm must be one of ${JWS_ALGORITHMS.join(', ')}`);
  }
}

/** The same key without its private half, for a key that should only verify from now on (rotation). */
export function verificationOnly(key: JwtKey): JwtKey {
  return key.key.type === 'private' ? Object.freeze({ ...key, key: key.verifyKey }) : key;
}

/** True when `key` can sign: a secret or a private key. */
export function canSign(key: JwtKey): boolean {
  return key.key.type !== 'public';
}

/**
 * Why `key` cannot be used with `alg`, or undefined when it can. Every key a
 * KeySet admits passes here, so a key of one family can never check a token
 * of another (the HS256-with-the-RSA-public-key forgery, RFC 8725 §2.1).
 */
export function keyProblem(key: KeyObject, alg: JwsAlgorithm): string | undefined {
  if (isHmacAlgorithm(alg)) {
    if (key.type !== 'secret') return `must be a secret (symmetric) key for ${alg}`;
    const min = HMAC_KEY_BYTES[alg];
    if ((key.symmetricKeySize ?? 0) < min) return `must be at least ${min} bytes (${min * 8} bits) for ${alg} (RFC 7518 §3.2)`;
    return undefined;
  }
  if (key.type === 'secret') return `must be a private or public key for ${alg}, not a secret`;
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  switch (alg) {
    case 'RS256':
    case 'PS256':
      if (type !== 'rsa') return `must be an RSA key for ${alg}, not ${String(type)}`;
      if ((details.modulusLength ?? 0) < MIN_RSA_BITS) return `must be an RSA key of at least ${MIN_RSA_BITS} bits for ${alg} (RFC 7518 §3.3)`;
      return undefined;
    case 'ES256':
      return type === 'ec' && details.namedCurve === 'prime256v1' ? undefined : 'must be a P-256 EC key for ES256 (RFC 7518 §3.4)';
    case 'EdDSA':
      return type === 'ed25519' ? undefined : 'must be an Ed25519 key for EdDSA (RFC 8037 §3.1)';
    default:
      return `has an unsupported algorithm ${String(alg)}`;
  }
}

function checkKid(kid: unknown): string | undefined {
  if (kid === undefined) return undefined;
  if (typeof kid !== 'string' || kid === '') throw new TypeError('kid must be a non-empty string');
  return kid;
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

const PRIVATE_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

function toAsymmetricKey(key: unknown, option: string): KeyObject {
  if (key instanceof KeyObject) return key;
  if (typeof key !== 'string' && !Buffer.isBuffer(key)) throw new TypeError(`${option} is required: a KeyObject or a PEM`);
  try {
    return PRIVATE_PEM.test(key.toString()) ? createPrivateKey(key) : createPublicKey(key);
  } catch (err) {
    throw new TypeError(`${option} is not a readable PEM key`, { cause: err });
  }
}

import { createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import { HMAC_KEY_BYTES, isAsymmetricAlgorithm, isHmacAlgorithm, ASYMMETRIC_ALGORITHMS, JWS_ALGORITHMS, type AsymmetricAlgorithm, type HmacAlgorithm, type JwsAlgorithm } from './algorithms';
import { jwkThumbprint } from './jwk';

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

/**
 * Makes an HMAC key from a secret, refusing one shorter than the hash output
 * (RFC 7518 §3.2: at least 256 bits for HS256), and refusing a PEM key: a
 * public key used as an HMAC secret lets anyone who has the public key sign
 * tokens (RFC 8725 §2.1). Keys for RS256, PS256, ES256 and EdDSA go through
 * {@link asymmetricKey}.
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
      if (type !== 'ed25519') return 'must be an Ed25519 key for EdDSA (RFC 8037 §3.1)';
      return hasSmallOrder(key) ? 'must not be a small-order Ed25519 point: it verifies forged signatures (RFC 8032 §5.1.7)' : undefined;
    default:
      return `has an unsupported algorithm ${String(alg)}`;
  }
}

function checkKid(kid: unknown): string | undefined {
  if (kid === undefined) return undefined;
  if (typeof kid !== 'string' || kid === '') throw new TypeError('kid must be a non-empty string');
  return kid;
}

/** A PEM armour line (RFC 7468 §2), anywhere in the text: a public or private key, or a certificate. */
const PEM_BOUNDARY = /-----BEGIN [A-Z0-9 ]+-----/;

function toSecretKey(secret: unknown, option: string): KeyObject {
  if (secret instanceof KeyObject) {
    if (secret.type !== 'secret') throw new TypeError(`${option} must be a secret (symmetric) key`);
    return secret;
  }
  if ((typeof secret === 'string' || Buffer.isBuffer(secret)) && PEM_BOUNDARY.test(secret.toString('latin1'))) {
    // RFC 8725 §2.1: a configuration that hands an RSA public key to HMAC makes the public key a signing secret.
    throw new TypeError(
      `${option} is a PEM key, not an HMAC secret: an HMAC secret must be random bytes, and a public key used as one lets anyone sign tokens (RFC 8725 §2.1). Give the key pair as keys, built with asymmetricKey(pem, 'RS256' | 'PS256' | 'ES256' | 'EdDSA')`,
    );
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

/**
 * The encodings (y, with the sign bit of x masked) of the Ed25519 points of
 * order 1, 2, 4 and 8, canonical and not: with such a public key, R = identity
 * and S = 0 "verify" for any message. The list libsodium refuses.
 */
const SMALL_ORDER_Y = [
  '0000000000000000000000000000000000000000000000000000000000000000', // 0: order 4
  '0100000000000000000000000000000000000000000000000000000000000000', // 1: the identity
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p − 1: order 2
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p ≡ 0, not canonical
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p + 1 ≡ 1, not canonical
];

function hasSmallOrder(key: KeyObject): boolean {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  const bytes = Buffer.from(String(jwk.x), 'base64url');
  if (bytes.length !== 32) return true;
  bytes[31] &= 0x7f;
  return SMALL_ORDER_Y.includes(bytes.toString('hex'));
}

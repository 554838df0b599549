import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JwtKey } from './keys';

/** The key types we publish and read (RFC 7518 §6.1, RFC 8037 §2). */
export type JwkKeyType = 'RSA' | 'EC' | 'OKP';

/**
 * A public JSON Web Key as a JWKS lists it (RFC 7517 §4): the key type, its
 * public members, and the `kid`, `alg` and `use` that bind it to one use.
 */
export interface PublicJwk {
  kty: JwkKeyType;
  kid: string;
  alg: string;
  use: 'sig';
  /** RSA modulus and public exponent (RFC 7518 §6.3.1). */
  n?: string;
  e?: string;
  /** Curve and coordinates of an EC (RFC 7518 §6.2.1) or OKP (RFC 8037 §2) key. */
  crv?: string;
  x?: string;
  y?: string;
}

/** A JWK Set (RFC 7517 §5). */
export interface JwkSet {
  keys: PublicJwk[];
}

// The public members of each key type, in RFC 7638 §3.2 (lexicographic) order
// together with `kty`. Anything else in a JWK (d, p, q, dp, dq, qi, oth, k…)
// is private or symmetric material and never leaves or enters through here.
const PUBLIC_MEMBERS: Record<JwkKeyType, readonly string[]> = {
  RSA: ['e', 'n'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
};

const BASE64URL = /^[A-Za-z0-9_-]+$/;

// Members that carry private or symmetric key material: RSA (RFC 7518 §6.3.2),
// EC (§6.2.2), oct (§6.4.1), OKP (RFC 8037 §2).
const PRIVATE_MEMBERS: readonly string[] = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function isKeyType(value: unknown): value is JwkKeyType {
  return typeof value === 'string' && Object.hasOwn(PUBLIC_MEMBERS, value);
}

/**
 * The public members of an asymmetric key (private or public KeyObject):
 * `kty` and, by type, `n`/`e`, `crv`/`x`/`y` or `crv`/`x`. A secret key
 * throws: symmetric material has no public half to publish.
 *
 * @example
 * publicMembers(publicKey); // { kty: 'EC', crv: 'P-256', x: '…', y: '…' }
 */
export function publicMembers(key: KeyObject): { kty: JwkKeyType } & Record<string, string> {
  if (key.type === 'secret') throw new TypeError('a secret key has no public JWK');
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  if (!isKeyType(jwk.kty)) throw new TypeError(`key type ${String(jwk.kty)} cannot be published as a JWK`);
  const members: { kty: JwkKeyType } & Record<string, string> = { kty: jwk.kty };
  for (const name of PUBLIC_MEMBERS[jwk.kty]) members[name] = String(jwk[name as keyof JsonWebKey]);
  return members;
}

/**
 * The RFC 7638 JWK thumbprint of an asymmetric key: base64url SHA-256 of its
 * required public members, sorted, without whitespace. Stable across
 * formats, so it serves as a default `kid`.
 *
 * @example
 * const kid = jwkThumbprint(publicKey); // "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
 */
export function jwkThumbprint(key: KeyObject): string {
  const members = publicMembers(key);
  // RFC 7638 §3.3: members in lexicographic order; JSON.stringify keeps insertion order.
  const sorted = Object.fromEntries(Object.entries(members).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('base64url');
}

/**
 * The JWK a JWKS publishes for `key`: its public members plus `kid`, `alg` and
 * `use: "sig"` (RFC 7517 §4.2–4.5). HMAC keys throw: a shared secret is never
 * published.
 *
 * @example
 * toPublicJwk(es256Key(privateKey)); // { kty: 'EC', kid, alg: 'ES256', use: 'sig', crv: 'P-256', x, y }
 */
export function toPublicJwk(key: JwtKey): PublicJwk {
  if (key.verifyKey.type !== 'public') throw new TypeError(`a ${key.alg} key is symmetric and is never published`);
  if (key.kid === undefined) throw new TypeError('a published key needs a kid');
  const { kty, ...members } = publicMembers(key.verifyKey);
  return { kty, kid: key.kid, alg: key.alg, use: 'sig', ...members };
}

/**
 * True when a JWK carries private or symmetric key material (`d`, `p`, `q`,
 * `dp`, `dq`, `qi`, `oth` or `k`): not a public key, whatever else it holds.
 * RFC 9449 §4.3 refuses such a `jwk` in a DPoP proof.
 *
 * @example
 * hasPrivateMembers(privateKey.export({ format: 'jwk' })); // true
 */
export function hasPrivateMembers(jwk: Readonly<Record<string, unknown>>): boolean {
  return PRIVATE_MEMBERS.some((name) => Object.hasOwn(jwk, name));
}

/**
 * Reads the public key of a JWK taken from a JWKS, using only the public
 * members of its `kty`: private members, if a careless issuer sent any, are
 * ignored rather than imported. Throws a TypeError for anything that is not
 * an RSA, EC or OKP public key.
 *
 * @example
 * const publicKey = publicKeyFromJwk({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' });
 */
export function publicKeyFromJwk(jwk: unknown): KeyObject {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new TypeError('a JWK must be a JSON object');
  const { kty } = jwk as Record<string, unknown>;
  if (!isKeyType(kty)) throw new TypeError(`JWK kty ${JSON.stringify(kty)} is not RSA, EC or OKP`);
  const members: Record<string, string> = { kty };
  for (const name of PUBLIC_MEMBERS[kty]) {
    const value = (jwk as Record<string, unknown>)[name];
    if (typeof value !== 'string' || (name !== 'crv' && !BASE64URL.test(value))) {
      throw new TypeError(`JWK member ${name} is missing or not base64url`);
    }
    members[name] = value;
  }
  try {
    return createPublicKey({ key: members as JsonWebKey, format: 'jwk' });
  } catch (err) {
    throw new TypeError(`JWK is not a valid ${kty} public key`, { cause: err });
  }
}

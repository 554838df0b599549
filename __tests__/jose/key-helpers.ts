import { constants, createHash, createHmac, createPublicKey, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JwsAlgorithm } from '../../lib/jose/algorithms';
import { b64 } from '../helpers';

/**
 * Signs any header and payload with any algorithm and key, the way an
 * attacker holding some key would: no library checks in the way.
 * `key` may be a KeyObject or raw bytes (HMAC with, say, a public key's PEM).
 */
export function forge(header: Record<string, unknown>, payload: unknown, alg: JwsAlgorithm, key: KeyObject | Buffer | string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const data = Buffer.from(input);
  let signature: Buffer;
  switch (alg) {
    case 'HS256':
    case 'HS384':
    case 'HS512':
      signature = createHmac(`sha${alg.slice(2)}`, key as Buffer).update(data).digest();
      break;
    case 'RS256':
      signature = sign('sha256', data, key as KeyObject);
      break;
    case 'PS256':
      signature = sign('sha256', data, { key: key as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
      break;
    case 'ES256':
      // RFC 7518 §3.4: JWS carries the raw r || s, not DER.
      signature = sign('sha256', data, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
      break;
    case 'EdDSA':
      signature = sign(null, data, key as KeyObject);
      break;
  }
  const token = `${input}.${signature.toString('base64url')}`;
  // A careful signer issues ES256 in low-S form, the only spelling the library accepts for its own tokens;
  // a test that wants the other spelling asks for it with highSTwin().
  return alg === 'ES256' && isHighS(token) ? highSTwin(token) : token;
}

/** A JWKS server on 127.0.0.1 that counts its requests; the test sets what it answers. */
export interface JwksServer {
  /** The JWKS URL. */
  readonly url: string;
  /** Requests served so far. */
  readonly fetches: number;
  /** The body of the next responses (JSON-encoded unless a string). */
  body: unknown;
  /** Status of the next responses. Default 200. */
  status: number;
  /** Leave requests unanswered (a hung issuer). */
  hang: boolean;
  /** Answer with a redirect to this URL. */
  redirectTo: string | undefined;
  close(): Promise<void>;
}

export async function startJwksServer(body: unknown = { keys: [] }): Promise<JwksServer> {
  const hung: http.ServerResponse[] = [];
  const state = {
    url: '',
    fetches: 0,
    body,
    status: 200,
    hang: false,
    redirectTo: undefined as string | undefined,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((_req, res) => {
    state.fetches += 1;
    if (state.hang) {
      hung.push(res);
      return;
    }
    if (state.redirectTo) {
      res.writeHead(302, { Location: state.redirectTo }).end();
      return;
    }
    const text = typeof state.body === 'string' ? state.body : JSON.stringify(state.body);
    res.writeHead(state.status, { 'Content-Type': 'application/jwk-set+json' }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  return state;
}

// RFC 7518 §3.4 / SEC 1: an ECDSA signature (r, s) also verifies as (r, n − s).
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const sOf = (token: string) => BigInt(`0x${Buffer.from(token.split('.')[2], 'base64url').subarray(32).toString('hex')}`);
export const isHighS = (token: string) => sOf(token) > P256_ORDER / 2n;
/** The same ES256 token with s replaced by n − s: a second valid spelling, as an attacker could make it. */
export function highSTwin(token: string): string {
  const [h, p, sig] = token.split('.');
  const bytes = Buffer.from(sig, 'base64url');
  const flipped = Buffer.from((P256_ORDER - sOf(token)).toString(16).padStart(64, '0'), 'hex');
  return `${h}.${p}.${Buffer.concat([bytes.subarray(0, 32), flipped]).toString('base64url')}`;
}

/**
 * Ed25519 public keys of small order, as their 32 encoded bytes (hex): with
 * any of them, the signature R = identity, S = 0 verifies every message m
 * whose h = SHA-512(R || A || m) mod L is a multiple of the point's order
 * (RFC 8032 §5.1.7 checks [S]B = R + [h]A, which is then identity = identity).
 * The list libsodium refuses: canonical and non-canonical encodings.
 */
export const SMALL_ORDER_ED25519: ReadonlyArray<{ name: string; hex: string; order: bigint }> = [
  { name: 'the identity (y = 1)', hex: '0100000000000000000000000000000000000000000000000000000000000000', order: 1n },
  { name: 'the point of order 2 (y = p − 1)', hex: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', order: 2n },
  { name: 'all-zero x (y = 0, order 4)', hex: '0000000000000000000000000000000000000000000000000000000000000000', order: 4n },
  { name: 'a point of order 8 (26e8…)', hex: '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', order: 8n },
  { name: 'the other point of order 8 (c717…)', hex: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', order: 8n },
  { name: 'y = p, a non-canonical 0 (order 4)', hex: 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', order: 4n },
  { name: 'y = p + 1, a non-canonical identity', hex: 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', order: 1n },
];

/** The encoded point with the sign bit of x (bit 255) set or clear. */
export function ed25519Bytes(hex: string, signBit: boolean): Buffer {
  const bytes = Buffer.from(hex, 'hex');
  bytes[31] = signBit ? bytes[31]! | 0x80 : bytes[31]! & 0x7f;
  return bytes;
}

/** An Ed25519 public key from its 32 raw bytes, as a JWK, a KeyObject and an SPKI PEM, with no check at all. */
export function rawEd25519PublicKey(bytes: Buffer): { jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string }; key: KeyObject; pem: string } {
  const jwk = { kty: 'OKP' as const, crv: 'Ed25519' as const, x: bytes.toString('base64url') };
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  // RFC 8410 §4: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING key }.
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), bytes]);
  const pem = `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----\n`;
  return { jwk, key, pem };
}

const ED25519_L = (1n << 252n) + 27742317777372353535851937790883648493n;

/**
 * A token "signed" for the small-order public key `publicKey` (raw bytes) with
 * R = identity and S = 0 (the signature bytes 01 00…00 followed by 32 zero
 * bytes), its `jti` chosen so that this forgery does verify under RFC 8032's
 * equation: h mod L is a multiple of the key's order. A verifier that admits
 * the key admits the token.
 */
export function forgeForSmallOrderKey(header: Record<string, unknown>, payload: Record<string, unknown>, publicKey: Buffer, order: bigint): string {
  const R = Buffer.alloc(32);
  R[0] = 1;
  const signature = Buffer.concat([R, Buffer.alloc(32)]).toString('base64url');
  for (let i = 0; ; i++) {
    const input = `${b64(header)}.${b64({ ...payload, jti: `forged-${i}` })}`;
    const digest = createHash('sha512').update(Buffer.concat([R, publicKey, Buffer.from(input)])).digest();
    let h = 0n;
    for (let j = 63; j >= 0; j--) h = (h << 8n) | BigInt(digest[j]!);
    if ((h % ED25519_L) % order === 0n) return `${input}.${signature}`;
  }
}

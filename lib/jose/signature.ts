import { sign, verify, type KeyObject } from 'node:crypto';

/**
 * Compact JWS with EdDSA over Ed25519 (RFC 8037 §3.1), which jsonwebtoken 9
 * does not implement. Only the signature lives here: AccessTokens runs the
 * same header and claim checks for every algorithm.
 */

// RFC 8032 §5.1.6: an Ed25519 signature is 64 bytes.
const SIGNATURE_BYTES = 64;

/**
 * Signs `header` and `payload` as a compact JWS with an Ed25519 private key.
 *
 * @example
 * const token = signEdDsa({ alg: 'EdDSA', typ: 'at+jwt', kid }, claims, privateKey);
 */
export function signEdDsa(header: Record<string, unknown>, payload: Record<string, unknown>, privateKey: KeyObject): string {
  const input = `${base64url(header)}.${base64url(payload)}`;
  // RFC 8037 §3.1: the signature is Ed25519 over the JWS signing input, no pre-hash (hence `null`).
  return `${input}.${sign(null, Buffer.from(input, 'ascii'), privateKey).toString('base64url')}`;
}

/**
 * True when the third segment of `token` is a valid Ed25519 signature of the
 * first two under `publicKey`. The signature must be canonical base64url, so
 * one signature has exactly one encoding.
 */
export function verifyEdDsa(token: string, publicKey: KeyObject): boolean {
  const dot = token.lastIndexOf('.');
  const encoded = token.slice(dot + 1);
  const signature = Buffer.from(encoded, 'base64url');
  if (signature.length !== SIGNATURE_BYTES || signature.toString('base64url') !== encoded) return false;
  return verify(null, Buffer.from(token.slice(0, dot), 'ascii'), publicKey, signature);
}

function base64url(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

import { createHash, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { AsymmetricAlgorithm } from '../lib/jose/algorithms';
import { forge } from './jose/key-helpers';

/**
 * A DPoP client's key pair and the proofs it makes (RFC 9449 §4.2), built
 * with node:crypto alone (forge), not with the library's own signing code, so
 * a test cannot pass because both sides share one mistake.
 */
export interface ClientKey {
  alg: AsymmetricAlgorithm;
  privateKey: KeyObject;
  /** The public JWK the proofs carry: the required members only. */
  jwk: Record<string, string>;
  /** RFC 7638 thumbprint of `jwk`, computed here by the RFC's recipe. */
  jkt: string;
}

const REQUIRED: Record<string, string[]> = { EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'], RSA: ['e', 'kty', 'n'] };

export function clientKey(alg: AsymmetricAlgorithm = 'ES256'): ClientKey {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const full = publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const jwk: Record<string, string> = {};
  // RFC 7638 §3.2–3.3: the required members, in lexicographic order, no whitespace.
  for (const name of REQUIRED[full.kty]) jwk[name] = full[name];
  const jkt = createHash('sha256').update(JSON.stringify(jwk)).digest('base64url');
  return { alg, privateKey, jwk, jkt };
}

/** RFC 9449 §4.2 `ath`: base64url SHA-256 of the ASCII access token. */
export function ath(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

export interface ProofClaims {
  htm: string;
  htu: string;
  /** Seconds. */
  iat: number;
  jti?: string;
  ath?: string;
  nonce?: string;
  [claim: string]: unknown;
}

export interface ProofOptions {
  /** Header members to add or replace (`typ`, `alg`, `jwk`…); `undefined` removes one. */
  header?: Record<string, unknown>;
  /** Sign with this key instead of the client's own (the jwk still says the client's). */
  signWith?: KeyObject | Buffer;
  /** Sign with this algorithm (default the key's). */
  signAlg?: Parameters<typeof forge>[2];
}

/** A DPoP proof by `key` with `claims` (a fresh `jti` unless given). */
export function makeProof(key: ClientKey, claims: ProofClaims, options: ProofOptions = {}): string {
  const header: Record<string, unknown> = { typ: 'dpop+jwt', alg: key.alg, jwk: key.jwk, ...options.header };
  for (const name of Object.keys(header)) if (header[name] === undefined) delete header[name];
  const payload: Record<string, unknown> = { jti: randomUUID(), ...claims };
  for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
  return forge(header, payload, options.signAlg ?? key.alg, options.signWith ?? key.privateKey);
}

/** The JSON payload of a compact JWS, unverified (for reading `cnf` in tests). */
export function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

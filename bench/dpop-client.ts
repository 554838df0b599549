import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';

/** The proof algorithms the bench measures: the ones DPoP clients use (RFC 9449 §4.2), both elliptic. */
export type ProofAlgorithm = 'ES256' | 'EdDSA';

/**
 * A DPoP client as the bench needs one: a key pair and a fresh proof for each
 * request (RFC 9449 §4.2), made with node:crypto in the runner's process, as a
 * real client would make it on its own machine.
 */
export interface DpopClient {
  alg: ProofAlgorithm;
  /** A new proof for `htm` and `htu`, with `ath` when an access token is given. */
  proof(htm: string, htu: string, accessToken?: string): string;
}

export function dpopClient(alg: ProofAlgorithm): DpopClient {
  const { privateKey, publicKey } = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const header = b64(JSON.stringify({ typ: 'dpop+jwt', alg, jwk: alg === 'ES256' ? { kty, crv, x, y } : { kty, crv, x } }));
  return {
    alg,
    proof(htm, htu, accessToken) {
      const claims = { jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000), ...(accessToken !== undefined && { ath: sha256(accessToken) }) };
      const input = `${header}.${b64(JSON.stringify(claims))}`;
      return `${input}.${signature(alg, privateKey, input)}`;
    },
  };
}

function signature(alg: ProofAlgorithm, key: KeyObject, input: string): string {
  // JWS ES256 signatures are R || S (RFC 7518 §3.4), not DER.
  const options = alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
  return sign(alg === 'ES256' ? 'sha256' : null, Buffer.from(input), options).toString('base64url');
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'ascii').digest('base64url');
}

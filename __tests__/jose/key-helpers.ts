import { constants, createHmac, sign, type KeyObject } from 'node:crypto';
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
  return `${input}.${signature.toString('base64url')}`;
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


import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { jwkThumbprint, publicKeyFromJwk, toPublicJwk } from '../../lib/jose/jwk';
import { asymmetricKey, generateKey, hmacKey } from '../../lib/jose/keys';
import { ASYMMETRIC_ALGORITHMS } from '../../lib/jose/algorithms';
import { SECRET } from '../helpers';

/** Every member a private or symmetric JWK may carry (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe('toPublicJwk', () => {
  it.each([
    ['RS256', ['kty', 'kid', 'alg', 'use', 'n', 'e']],
    ['PS256', ['kty', 'kid', 'alg', 'use', 'n', 'e']],
    ['ES256', ['kty', 'kid', 'alg', 'use', 'crv', 'x', 'y']],
    ['EdDSA', ['kty', 'kid', 'alg', 'use', 'crv', 'x']],
  ] as const)('publishes a %s key with its public members, kid, alg and use "sig" only', (alg, members) => {
    const key = generateKey(alg);
    const jwk = toPublicJwk(key);
    expect(Object.keys(jwk).sort()).toEqual([...members].sort());
    expect(jwk).toMatchObject({ kid: key.kid, alg, use: 'sig' });
    for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
    // The private key's own JWK has a `d`; its value must appear nowhere in what we publish.
    const privateJwk = key.key.export({ format: 'jwk' });
    expect(JSON.stringify(jwk)).not.toContain(privateJwk.d);
  });

  it('refuses to publish an HMAC key', () => {
    expect(() => toPublicJwk(hmacKey(SECRET, 'HS256', 'k1'))).toThrow(/symmetric and is never published/);
  });

  it('round-trips: the published JWK verifies what the private key signed', () => {
    for (const alg of ASYMMETRIC_ALGORITHMS) {
      const key = generateKey(alg);
      expect(publicKeyFromJwk(toPublicJwk(key)).equals(key.verifyKey)).toBe(true);
    }
  });
});

describe('jwkThumbprint', () => {
  it('matches the RFC 7638 §3.1 example', () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    const key = createPublicKey({ key: { kty: 'RSA', n, e: 'AQAB' }, format: 'jwk' });
    expect(jwkThumbprint(key)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('is the same for the private and the public half', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(jwkThumbprint(privateKey)).toBe(jwkThumbprint(publicKey));
  });
});

describe('publicKeyFromJwk', () => {
  it('imports only the public members of a JWK that carries private ones', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const careless = privateKey.export({ format: 'jwk' }); // has `d`
    expect(careless.d).toBeDefined();
    const imported = publicKeyFromJwk({ ...careless, kid: 'x', alg: 'EdDSA' });
    expect(imported.type).toBe('public');
  });

  it.each([
    ['a symmetric key', { kty: 'oct', k: 'c2VjcmV0' }],
    ['a key without its members', { kty: 'EC', crv: 'P-256' }],
    ['a member that is not base64url', { kty: 'OKP', crv: 'Ed25519', x: 'a+b/' }],
    ['not an object', 'RSA'],
    ['garbage key material', { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' }],
  ])('refuses %s', (_name, jwk) => {
    expect(() => publicKeyFromJwk(jwk)).toThrow(TypeError);
  });

  it('gives a key that asymmetricKey accepts only for the right algorithm', () => {
    const publicKey = publicKeyFromJwk(toPublicJwk(generateKey('ES256')));
    expect(asymmetricKey(publicKey, 'ES256').alg).toBe('ES256');
    expect(() => asymmetricKey(publicKey, 'RS256')).toThrow(TypeError);
  });
});

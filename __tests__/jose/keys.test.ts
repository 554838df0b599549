import { createSecretKey, generateKeyPairSync, verify } from 'node:crypto';
import { jwkThumbprint } from '../../lib/jose/jwk';
import { asymmetricKey, canSign, generateKey, hmacKey, verificationOnly, type JwtKey } from '../../lib/jose/keys';
import { KeySet } from '../../lib/jose/key-set';
import { ASYMMETRIC_ALGORITHMS } from '../../lib/jose/algorithms';
import { resolveAuthOptions } from '../../lib/config/auth-options';
import { MemoryUserStore } from '../../lib/stores/memory/users';
import { SECRET } from '../helpers';
import { ed25519Bytes, forgeForSmallOrderKey, rawEd25519PublicKey, SMALL_ORDER_ED25519 } from './key-helpers';

describe('hmacKey', () => {
  it('refuses a secret shorter than 32 bytes for HS256, naming the option (RFC 7518 §3.2)', () => {
    expect(() => hmacKey('x'.repeat(31))).toThrow(new TypeError('secret must be at least 32 bytes (256 bits) for HS256 (RFC 7518 §3.2)'));
    expect(hmacKey('x'.repeat(32)).key.symmetricKeySize).toBe(32);
  });

  it('counts bytes, not characters', () => {
    expect(() => hmacKey('é'.repeat(15))).toThrow(TypeError); // 30 bytes
    expect(hmacKey('é'.repeat(16)).alg).toBe('HS256'); // 32 bytes
  });

  it('wants longer keys for HS384 and HS512', () => {
    expect(() => hmacKey('x'.repeat(47), 'HS384')).toThrow(/48 bytes/);
    expect(() => hmacKey('x'.repeat(63), 'HS512')).toThrow(/64 bytes/);
  });

  it('accepts a secret KeyObject and refuses an asymmetric one', () => {
    expect(hmacKey(createSecretKey(Buffer.alloc(32, 1))).alg).toBe('HS256');
    const { publicKey } = generateKeyPairSync('ed25519');
    expect(() => hmacKey(publicKey)).toThrow(/symmetric/);
  });

  it('refuses a PEM key as a secret, naming the option and pointing at asymmetricKey (RFC 8725 §2.1)', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const message = /^secret is a PEM key, not an HMAC secret: .*asymmetricKey/;
    for (const pem of [publicPem, privatePem, `\n  ${publicPem}`, Buffer.from(publicPem), publicPem.replace(/\n/g, '\r\n')]) {
      expect(() => hmacKey(pem)).toThrow(TypeError);
      expect(() => hmacKey(pem)).toThrow(message);
    }
    expect(() => hmacKey(publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(), 'HS512', undefined, 'verifier.secret')).toThrow(
      /^verifier\.secret is a PEM key/,
    );
    // The same through createAuth's `secret` option.
    expect(() => resolveAuthOptions({ secret: publicPem, issuer: 'https://issuer.test', audience: 'api', users: new MemoryUserStore() })).toThrow(message);
  });

  it('refuses an algorithm outside HS256/384/512, including none', () => {
    expect(() => hmacKey(SECRET, 'none' as never)).toThrow(/algorithm must be one of/);
    expect(() => hmacKey(SECRET, 'RS256' as never)).toThrow(TypeError);
  });
});

describe('asymmetricKey', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed25519 = generateKeyPairSync('ed25519');

  it.each([
    ['RS256', rsa],
    ['PS256', rsa],
    ['ES256', p256],
    ['EdDSA', ed25519],
  ] as const)('binds a %s private key to its algorithm, verifying with the derived public key', (alg, pair) => {
    const key = asymmetricKey(pair.privateKey, alg);
    expect(key.alg).toBe(alg);
    expect(key.key).toBe(pair.privateKey);
    expect(key.verifyKey.type).toBe('public');
    expect(key.verifyKey.equals(pair.publicKey)).toBe(true);
    expect(canSign(key)).toBe(true);
  });

  it('names a key by its RFC 7638 thumbprint unless given a kid', () => {
    expect(asymmetricKey(p256.privateKey, 'ES256').kid).toBe(jwkThumbprint(p256.publicKey));
    // The public half has the same thumbprint: issuer and verifier agree on the kid.
    expect(asymmetricKey(p256.publicKey, 'ES256').kid).toBe(jwkThumbprint(p256.publicKey));
    expect(asymmetricKey(p256.privateKey, 'ES256', 'k-2026').kid).toBe('k-2026');
  });

  it('reads PEM keys, a public one as verify-only', () => {
    const pem = p256.privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect(asymmetricKey(pem, 'ES256').key.type).toBe('private');
    const publicOnly = asymmetricKey(p256.publicKey.export({ type: 'spki', format: 'pem' }), 'ES256');
    expect(canSign(publicOnly)).toBe(false);
    expect(() => asymmetricKey('-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----', 'ES256')).toThrow(/^key is not a readable PEM key$/);
  });

  it('refuses an RSA key under 2048 bits, naming the option (RFC 7518 §3.3)', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(() => asymmetricKey(small, 'RS256', undefined, 'keys.active')).toThrow(
      new TypeError('keys.active must be an RSA key of at least 2048 bits for RS256 (RFC 7518 §3.3)'),
    );
    expect(() => asymmetricKey(small, 'PS256')).toThrow(/at least 2048 bits for PS256/);
  });

  it.each([
    ['a P-384 key for ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey, 'ES256', /P-256/],
    ['an Ed448 key for EdDSA', () => generateKeyPairSync('ed448').privateKey, 'EdDSA', /Ed25519/],
    ['an EC key for RS256', () => p256.privateKey, 'RS256', /RSA key for RS256, not ec/],
    ['an RSA key for ES256', () => rsa.privateKey, 'ES256', /P-256/],
    ['an Ed25519 key for ES256', () => ed25519.privateKey, 'ES256', /P-256/],
    ['a secret for RS256', () => createSecretKey(Buffer.alloc(64, 1)), 'RS256', /not a secret/],
  ] as const)('refuses %s', (_name, make, alg, message) => {
    expect(() => asymmetricKey(make(), alg)).toThrow(TypeError);
    expect(() => asymmetricKey(make(), alg)).toThrow(message);
  });

  it('refuses an HMAC algorithm or none for a key pair', () => {
    expect(() => asymmetricKey(rsa.publicKey, 'HS256' as never)).toThrow(/algorithm must be one of RS256, PS256, ES256, EdDSA/);
    expect(() => asymmetricKey(rsa.publicKey, 'none' as never)).toThrow(TypeError);
  });

  it('refuses an RSA public key as an HMAC secret (the classic key-confusion key)', () => {
    expect(() => hmacKey(rsa.publicKey)).toThrow(/symmetric/);
  });
});

describe('Ed25519 public keys of small order (RFC 8032 §5.1.7)', () => {
  const SMALL_ORDER = 'must not be a small-order Ed25519 point: it verifies forged signatures (RFC 8032 §5.1.7)';
  const cases = SMALL_ORDER_ED25519.flatMap(({ name, hex, order }) =>
    [false, true].map((signBit) => ({ label: `${name}, sign bit ${signBit ? 'set' : 'clear'}`, bytes: ed25519Bytes(hex, signBit), order })),
  );

  // Node.js 20 and 22 (both supported, see `engines`) verify this forgery; Node.js 24 refuses small-order
  // points itself (seen on 24.22.3, with the same OpenSSL 3.5.9 as 22.23.5). So on 20 and 22 the refusals
  // below are all that stands between a small-order key and a forged token.
  const runtimeAcceptsForgery = Number(process.versions.node.split('.')[0]) < 24;

  it.each(cases)(`the forgery R = identity, S = 0 ${runtimeAcceptsForgery ? 'really verifies' : 'is refused by node:crypto itself'} under $label`, ({ bytes, order }) => {
    const token = forgeForSmallOrderKey({ alg: 'EdDSA', typ: 'at+jwt', kid: 'weak' }, { sub: 'mallory' }, bytes, order);
    const [header, payload, signature] = token.split('.');
    expect(verify(null, Buffer.from(`${header}.${payload}`), rawEd25519PublicKey(bytes).key, Buffer.from(signature!, 'base64url'))).toBe(runtimeAcceptsForgery);
  });

  it.each(cases)('asymmetricKey refuses $label as a KeyObject, a JWK import and a PEM', ({ bytes }) => {
    const { key, pem } = rawEd25519PublicKey(bytes);
    expect(() => asymmetricKey(key, 'EdDSA', 'weak', 'keys.verify[0]')).toThrow(new TypeError(`keys.verify[0] ${SMALL_ORDER}`));
    expect(() => asymmetricKey(pem, 'EdDSA')).toThrow(new TypeError(`key ${SMALL_ORDER}`));
  });

  it.each(cases)('a KeySet refuses $label made by hand, bypassing asymmetricKey', ({ bytes }) => {
    const { key } = rawEd25519PublicKey(bytes);
    const handMade: JwtKey = { kid: 'weak', alg: 'EdDSA', key, verifyKey: key };
    const keys = new KeySet({ active: generateKey('EdDSA') });
    expect(() => keys.add(handMade)).toThrow(new TypeError(`key.key ${SMALL_ORDER}`));
    expect(() => new KeySet({ active: generateKey('EdDSA'), verify: [handMade] })).toThrow(TypeError);
    expect(keys.find('weak')).toBeUndefined();
  });

  it('still accepts ordinary Ed25519 keys, private and public', () => {
    const pair = generateKeyPairSync('ed25519');
    expect(asymmetricKey(pair.privateKey, 'EdDSA').alg).toBe('EdDSA');
    expect(asymmetricKey(pair.publicKey.export({ type: 'spki', format: 'pem' }), 'EdDSA').key.type).toBe('public');
  });
});

describe('generateKey', () => {
  it.each(ASYMMETRIC_ALGORITHMS)('makes a %s key that fits its algorithm', (alg) => {
    const key = generateKey(alg);
    expect(key.alg).toBe(alg);
    expect(key.kid).toBe(jwkThumbprint(key.verifyKey));
    expect(key.key.type).toBe('private');
  });

  it('makes HMAC keys of the full hash size', () => {
    expect(generateKey('HS512').key.symmetricKeySize).toBe(64);
  });
});

describe('verificationOnly', () => {
  it('drops the private half and keeps kid and alg', () => {
    const key = generateKey('EdDSA');
    const publicOnly = verificationOnly(key);
    expect(publicOnly).toMatchObject({ kid: key.kid, alg: 'EdDSA' });
    expect(publicOnly.key.type).toBe('public');
    expect(canSign(publicOnly)).toBe(false);
  });
});

import { generateKeyPairSync } from 'node:crypto';
import { DpopProofs, accessTokenHash, normalizeHtu } from '../../lib/tokens/dpop-proof';
import { InvalidDpopProofError, UseDpopNonceError } from '../../lib/core/errors';
import { ath, clientKey, makeProof, type ClientKey } from '../dpop-helpers';
import { testClock } from '../helpers';

describe('normalizeHtu (RFC 9449 §4.3, RFC 3986 §6.2.2–6.2.3)', () => {
  it.each([
    ['HTTPS://Api.Example.COM/a', 'https://api.example.com/a'],
    ['https://api.example.com:443/a', 'https://api.example.com/a'],
    ['http://api.example.com:80/a', 'http://api.example.com/a'],
    ['https://api.example.com', 'https://api.example.com/'],
    ['https://api.example.com/a/./b/../c', 'https://api.example.com/a/c'],
    ['https://api.example.com/a/%2E%2E/c', 'https://api.example.com/c'],
    ['https://api.example.com/%7euser/%2fx', 'https://api.example.com/~user/%2Fx'],
    ['https://api.example.com/a?q=1#frag', 'https://api.example.com/a'],
    ['https://api.example.com:8443/a', 'https://api.example.com:8443/a'],
    ['http://[::1]:3000/a', 'http://[::1]:3000/a'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeHtu(input)).toBe(expected);
  });

  it.each([
    ['a relative URL', '/token'],
    ['another scheme', 'ftp://api.example.com/a'],
    ['userinfo', 'https://user:pw@api.example.com/a'],
    ['not a string', 42],
    ['garbage', 'http://'],
  ])('refuses %s', (_name, input) => {
    expect(normalizeHtu(input)).toBeUndefined();
  });
});

describe('DpopProofs', () => {
  const clock = testClock();
  const proofs = new DpopProofs({ algorithms: ['ES256', 'EdDSA'], maxAge: 60, clockTolerance: 5, now: clock.now });
  const context = { site: 'resource' as const, method: 'GET', url: 'https://api.example.com/orders', accessToken: 'the.access.token' };
  let key: ClientKey;
  beforeAll(() => {
    key = clientKey('ES256');
  });
  const claims = (extra: Record<string, unknown> = {}) => ({ htm: 'GET', htu: 'https://api.example.com/orders', iat: clock.seconds(), ath: ath('the.access.token'), ...extra });

  it('returns the RFC 7638 thumbprint, the jti and how long to remember it', () => {
    const verified = proofs.verify(makeProof(key, claims({ jti: 'j-1' })), context);
    expect(verified).toEqual({ jkt: key.jkt, jti: 'j-1', iat: clock.seconds(), replayUntil: (clock.seconds() + 61) * 1000 });
  });

  it('computes ath as base64url SHA-256 of the token (RFC 9449 §4.2)', () => {
    expect(accessTokenHash('the.access.token')).toBe(ath('the.access.token'));
  });

  it('has no ath to check at the token endpoint', () => {
    const verified = proofs.verify(makeProof(key, claims({ ath: undefined })), { site: 'token', method: 'GET', url: context.url });
    expect(verified.jkt).toBe(key.jkt);
  });

  it('throws InvalidDpopProofError with the status of its site: 400 at the token endpoint, 401 at a resource', () => {
    const stale = makeProof(key, claims({ iat: clock.seconds() - 61 }));
    const at = (site: 'token' | 'resource') => {
      try {
        proofs.verify(stale, { ...context, site });
      } catch (err) {
        return err as InvalidDpopProofError;
      }
      throw new Error('accepted');
    };
    expect(at('token')).toBeInstanceOf(InvalidDpopProofError);
    expect(at('token').status).toBe(400);
    expect(at('resource').status).toBe(401);
    expect(at('resource').reason).toBe('dpop.invalid_proof');
    expect(at('resource').detail).toMatch(/^iat \d+, now \d+$/);
  });

  it('asks for a nonce with UseDpopNonceError carrying the current one', () => {
    const withNonces = new DpopProofs({ ...proofs.rules, nonces: { isValid: (n) => n === 'n-1', current: () => 'n-1' } });
    expect(() => withNonces.verify(makeProof(key, claims()), context)).toThrow(UseDpopNonceError);
    try {
      withNonces.verify(makeProof(key, claims({ nonce: 'old' })), context);
    } catch (err) {
      expect((err as UseDpopNonceError).headers['DPoP-Nonce']).toBe('n-1');
      expect((err as UseDpopNonceError).status).toBe(401);
    }
    expect(withNonces.verify(makeProof(key, claims({ nonce: 'n-1' })), context).jkt).toBe(key.jkt);
  });

  it('refuses an RSA key under 2048 bits and a P-384 key under ES256: keys that do not fit alg', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const rsaProofs = new DpopProofs({ ...proofs.rules, algorithms: ['RS256'] });
    const jwk = small.publicKey.export({ format: 'jwk' });
    expect(() => rsaProofs.verify(makeProof({ ...key, alg: 'RS256', privateKey: small.privateKey, jwk: { kty: 'RSA', n: jwk.n!, e: jwk.e! } }, claims()), context)).toThrow(
      'The DPoP proof jwk does not fit its alg',
    );
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const ecJwk = p384.publicKey.export({ format: 'jwk' });
    expect(() => proofs.verify(makeProof({ ...key, privateKey: p384.privateKey, jwk: { kty: 'EC', crv: 'P-384', x: ecJwk.x!, y: ecJwk.y! } }, claims(), { signAlg: 'ES256' }), context)).toThrow(
      'The DPoP proof jwk does not fit its alg',
    );
  });

  it('refuses RSA keys that would make verification slow: over 4096 bits, or an exponent other than 65537', () => {
    const rsaProofs = new DpopProofs({ ...proofs.rules, algorithms: ['RS256'] });
    const big = generateKeyPairSync('rsa', { modulusLength: 4160 });
    const odd = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10003 });
    for (const pair of [big, odd]) {
      const jwk = pair.publicKey.export({ format: 'jwk' });
      const proof = makeProof({ ...key, alg: 'RS256', privateKey: pair.privateKey, jwk: { e: jwk.e!, kty: 'RSA', n: jwk.n! } }, claims());
      expect(() => rsaProofs.verify(proof, context)).toThrow('The DPoP proof jwk must be an RSA key of at most 4096 bits with e = 65537');
    }
    const ok = generateKeyPairSync('rsa', { modulusLength: 4096 });
    const jwk = ok.publicKey.export({ format: 'jwk' });
    expect(rsaProofs.verify(makeProof({ ...key, alg: 'RS256', privateKey: ok.privateKey, jwk: { e: jwk.e!, kty: 'RSA', n: jwk.n! } }, claims()), context).jti).toEqual(expect.any(String));
  });

  it('refuses a payload that is not a JSON object, and claims of the wrong type', () => {
    const [header] = makeProof(key, claims()).split('.');
    expect(() => proofs.verify(`${header}.${Buffer.from('[1]').toString('base64url')}.c2ln`, context)).toThrow('The DPoP proof is not a well-formed JWT');
    expect(() => proofs.verify(makeProof(key, claims({ iat: '1700000000' })), context)).toThrow('The DPoP proof has a malformed iat claim');
    expect(() => proofs.verify(makeProof(key, claims({ jti: 7 })), context)).toThrow('The DPoP proof has a malformed jti claim');
  });

  it('checks the signature even when the key came from its cache', () => {
    const good = makeProof(key, claims());
    expect(proofs.verify(good, context).jkt).toBe(key.jkt);
    const [h, p] = good.split('.');
    const other = makeProof(key, claims({ jti: 'x' })).split('.')[2];
    expect(() => proofs.verify(`${h}.${p}.${other}`, context)).toThrow('The DPoP proof signature does not verify with its jwk');
  });
});

import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { KeySet } from '../../lib/jose/key-set';
import { asymmetricKey, generateKey, hmacKey, type JwtKey } from '../../lib/jose/keys';
import { AccessTokens } from '../../lib/tokens/access-tokens';
import { AUDIENCE, ISSUER, SECRET, testClock, refusalReason } from '../helpers';

describe('KeySet', () => {
  const TTL = 900;
  const TOLERANCE = 30;
  let clock: ReturnType<typeof testClock>;
  beforeEach(() => {
    clock = testClock();
  });

  const tokensFor = (keys: KeySet) =>
    new AccessTokens({ keys, issuer: ISSUER, audience: AUDIENCE, clientId: 'web', ttl: TTL, clockTolerance: TOLERANCE, now: clock.now });


  const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());

  it('keeps old tokens valid after a rotation while new tokens carry the new kid', () => {
    const first = generateKey('ES256');
    const second = generateKey('ES256');
    const keys = new KeySet({ active: first }, { now: clock.now });
    const tokens = tokensFor(keys);
    const before = tokens.issue('u', []).token;

    keys.rotate(second, tokens.acceptedFor);
    const after = tokens.issue('u', []).token;
    expect(headerOf(before).kid).toBe(first.kid);
    expect(headerOf(after).kid).toBe(second.kid);
    expect(tokens.verify(before).claims.sub).toBe('u');
    expect(tokens.verify(after).claims.sub).toBe('u');
  });

  it('drops a rotated-out key once every token it signed has expired, and its tokens fail as unknown kid', () => {
    const keys = new KeySet({ active: generateKey('EdDSA') }, { now: clock.now });
    const tokens = tokensFor(keys);
    const old = tokens.issue('u', []).token;
    const oldKid = keys.active.kid!;
    keys.rotate(generateKey('EdDSA'), tokens.acceptedFor);
    expect(keys.retiredUntil(oldKid)).toBe(clock.now() + (TTL + TOLERANCE) * 1000);

    clock.advance(TTL + TOLERANCE - 1);
    expect(keys.find(oldKid)).toBeDefined();
    clock.advance(1);
    expect(keys.find(oldKid)).toBeUndefined();
    expect(refusalReason(() => tokens.verify(old))).toBe('token.kid_unknown');
    expect(keys.publicJwks().keys.map((k) => k.kid)).toEqual([keys.active.kid]);
  });

  it('keeps no private half of a rotated-out key', () => {
    const first = generateKey('RS256');
    const keys = new KeySet({ active: first }, { now: clock.now });
    keys.rotate(generateKey('RS256'), 60);
    expect(keys.find(first.kid)!.key.type).toBe('public');
  });

  it('lists a rotated-out key in the JWKS until it is dropped, active key first', () => {
    const first = generateKey('ES256');
    const second = generateKey('PS256');
    const keys = new KeySet({ active: first }, { now: clock.now });
    keys.rotate(second, 60);
    expect(keys.publicJwks().keys.map((k) => [k.kid, k.alg])).toEqual([
      [second.kid, 'PS256'],
      [first.kid, 'ES256'],
    ]);
    clock.advance(60);
    expect(keys.publicJwks().keys.map((k) => k.kid)).toEqual([second.kid]);
  });

  it('promotes a key published ahead for verification when it becomes active', () => {
    const next = generateKey('ES256');
    const keys = new KeySet({ active: generateKey('ES256'), verify: [next] }, { now: clock.now });
    expect(keys.find(next.kid)!.key.type).toBe('public');
    keys.rotate(next, 60);
    expect(keys.active).toBe(next);
  });

  it('finds an unnamed HMAC key only for a token without kid, and a named key only by its kid', () => {
    const unnamed = hmacKey(SECRET);
    const named = generateKey('ES256');
    const keys = new KeySet({ active: unnamed, verify: [named] }, { now: clock.now });
    expect(keys.find(undefined)).toBe(unnamed);
    expect(keys.find(named.kid)!.kid).toBe(named.kid);
    for (const kid of [null, 42, ['a'], { toString: () => named.kid }, '../' + named.kid, '']) expect(keys.find(kid)).toBeUndefined();
  });

  it('drops a key on demand and retires one at a set time, never the active key', () => {
    const extra = generateKey('ES256', 'extra');
    const keys = new KeySet({ active: generateKey('ES256', 'main'), verify: [extra] }, { now: clock.now });
    keys.retire('extra', clock.now() + 1000);
    clock.advance(1);
    expect(keys.find('extra')).toBeUndefined();
    keys.add(extra);
    keys.drop('extra');
    expect(keys.find('extra')).toBeUndefined();
    expect(() => keys.retire('main', clock.now())).toThrow(/active key/);
    expect(() => keys.drop('main')).toThrow(/active key/);
  });

  it.each([
    ['two keys with one kid', () => new KeySet({ active: generateKey('ES256', 'k'), verify: [generateKey('EdDSA', 'k')] }), /kid "k" is used twice/],
    ['two unnamed keys', () => new KeySet({ active: hmacKey(SECRET), verify: [hmacKey('x'.repeat(32))] }), /only one key may lack a kid/],
    ['a public key as the active key', () => new KeySet({ active: asymmetricKey(generateKeyPairSync('ed25519').publicKey, 'EdDSA') }), /keys.active must be able to sign/],
    ['a hand-made RS256 key holding an EC key', () => new KeySet({ active: fake('RS256', generateKeyPairSync('ec', { namedCurve: 'P-256' })) }), /RSA key for RS256/],
    [
      'a hand-made HS256 key holding an RSA public key',
      () => new KeySet({ active: hmacKey(SECRET, 'HS256', 'a'), verify: [fake('HS256', generateKeyPairSync('rsa', { modulusLength: 2048 }))] }),
      /secret \(symmetric\) key for HS256/,
    ],
    ['a hand-made key with alg none', () => new KeySet({ active: { ...hmacKey(SECRET), alg: 'none' } as unknown as JwtKey }), /keys.active must be a key made by/],
    ['an asymmetric key without kid', () => new KeySet({ active: { ...generateKey('ES256'), kid: undefined } }), /needs a kid/],
  ])('refuses %s with a TypeError', (_name, make, message) => {
    expect(make).toThrow(TypeError);
    expect(make).toThrow(message);
  });

  it('never publishes HMAC keys', () => {
    const keys = new KeySet({ active: hmacKey(createSecretKey(Buffer.alloc(32, 7)), 'HS256', 'h1'), verify: [generateKey('EdDSA', 'e1')] });
    expect(keys.publicJwks().keys.map((k) => k.kid)).toEqual(['e1']);
  });
});

/** A key literal that skips the constructors: what KeySet must still refuse. */
function fake(alg: 'RS256' | 'HS256', pair: { privateKey: import('node:crypto').KeyObject; publicKey: import('node:crypto').KeyObject }): JwtKey {
  return { kid: 'fake', alg, key: pair.privateKey, verifyKey: pair.publicKey };
}

import { KeySet } from '../../lib/jose/key-set';
import { asymmetricKey, generateKey } from '../../lib/jose/keys';
import { resolveOptions, type AuthOptions } from '../../lib/config/auth-options';
import { MemoryUserStore } from '../../lib/stores/memory/users';
import { AUDIENCE, ISSUER, SECRET } from '../helpers';

describe('resolveOptions', () => {
  const base = (): AuthOptions => ({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE, users: new MemoryUserStore() });

  it.each([
    ['secret', { secret: undefined }],
    ['secret', { secret: 'short' }],
    ['issuer', { issuer: '' }],
    ['audience', { audience: undefined }],
    ['users', { users: {} }],
    ['accessTokenTtl', { accessTokenTtl: '15 minutes' }],
    ['clockTolerance', { clockTolerance: -1 }],
    ['realm', { realm: 'naïve' }],
    ['allowQueryToken', { allowQueryToken: 'yes' }],
    ['argon2.memoryCost', { argon2: { memoryCost: 1 } }],
    ['maxPasswordLength', { maxPasswordLength: 0 }],
    ['onFailure', { onFailure: 'log' }],
    ['bodyLimit', { bodyLimit: 'lots' }],
  ])('throws a TypeError naming %s', (option, override) => {
    expect(() => resolveOptions({ ...base(), ...(override as object) })).toThrow(TypeError);
    expect(() => resolveOptions({ ...base(), ...(override as object) })).toThrow(option);
  });

  it('applies the documented defaults', () => {
    const resolved = resolveOptions(base());
    expect(resolved.realm).toBe('api');
    expect(resolved.allowQueryToken).toBe(false);
    expect(resolved.passwords.params).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(resolved.passwords.maxLength).toBe(1024);
    expect(resolved.tokens.issue('u1', []).expiresIn).toBe(900);
  });
});

describe('resolveOptions: keys instead of secret', () => {
  const base = (): AuthOptions => ({ issuer: ISSUER, audience: AUDIENCE, users: new MemoryUserStore() });

  it('signs with the active key of a { active, verify } pair and verifies with both', () => {
    const old = generateKey('ES256');
    const active = generateKey('EdDSA');
    const before = resolveOptions({ ...base(), keys: { active: old } }).tokens.issue('u1', []).token;
    const resolved = resolveOptions({ ...base(), keys: { active, verify: [old] } });
    expect(resolved.tokens.keys.active).toBe(active);
    expect(resolved.tokens.verify(before).claims.sub).toBe('u1');
  });

  it('uses a KeySet as given', () => {
    const keys = new KeySet({ active: generateKey('PS256') });
    expect(resolveOptions({ ...base(), keys }).tokens.keys).toBe(keys);
  });

  it.each([
    ['secret or keys', {}],
    ['secret and keys', { secret: SECRET, keys: { active: generateKey('ES256') } }],
    ['algorithm goes with secret', { keys: { active: generateKey('ES256') }, algorithm: 'HS256' }],
    ['kid goes with secret', { keys: { active: generateKey('ES256') }, kid: 'k1' }],
    ['keys.active', { keys: { active: undefined } }],
    ['keys.active must be able to sign', { keys: { active: asymmetricKey(generateKey('ES256').verifyKey, 'ES256') } }],
  ])('throws a TypeError naming %s', (message, override) => {
    expect(() => resolveOptions({ ...base(), ...(override as object) })).toThrow(TypeError);
    expect(() => resolveOptions({ ...base(), ...(override as object) })).toThrow(message);
  });
});

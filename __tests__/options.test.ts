import { resolveOptions, type AuthOptions } from '../lib/options';
import { MemoryUserStore } from '../lib/stores/memory';
import { AUDIENCE, ISSUER, SECRET } from './helpers';

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

import { KeySet } from '../../lib/jose/key-set';
import { asymmetricKey, generateKey } from '../../lib/jose/keys';
import { resolveAuthOptions, type AuthOptions } from '../../lib/config/auth-options';
import { MemoryUserStore } from '../../lib/stores/memory/users';
import { AUDIENCE, ISSUER, SECRET } from '../helpers';

describe('resolveAuthOptions', () => {
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
    expect(() => resolveAuthOptions({ ...base(), ...(override as object) })).toThrow(TypeError);
    expect(() => resolveAuthOptions({ ...base(), ...(override as object) })).toThrow(option);
  });

  it('reads nested options only from their own properties, never from a polluted Object.prototype', () => {
    const polluted = Object.prototype as { jsonClients?: boolean };
    polluted.jsonClients = true;
    try {
      expect(resolveAuthOptions({ ...base(), cookies: {} }).cookies?.jsonClients).toBe(false);
    } finally {
      delete polluted.jsonClients;
    }
  });

  it.each([
    ['accessTokenTTL', 'accessTokenTtl'],
    ['Issuer', 'issuer'],
    ['refreshTokenIdleTTL', 'refreshTokenIdleTtl'],
    ['denyList', 'denylist'],
  ])('refuses the unknown option %s at start-up, suggesting %s', (typo, meant) => {
    expect(() => resolveAuthOptions({ ...base(), [typo]: '5m' } as AuthOptions)).toThrow(new TypeError(`${typo} is not an option (did you mean ${meant}?)`));
  });

  it('refuses an unknown option with nothing close to suggest', () => {
    expect(() => resolveAuthOptions({ ...base(), flavour: 'vanilla' } as AuthOptions)).toThrow(new TypeError('flavour is not an option'));
  });

  it.each([
    ['rateLimits.maxFailure', { rateLimits: { maxFailure: 3 } }, 'rateLimits.maxFailures'],
    ['argon2.memory', { argon2: { memory: 65536 } }, 'argon2.memoryCost'],
    ['hashing.queueSize', { hashing: { queueSize: 3 } }, 'hashing.queue'],
  ])('refuses the unknown nested option %s', (typo, override, meant) => {
    expect(() => resolveAuthOptions({ ...base(), ...(override as object) })).toThrow(new TypeError(`${typo} is not an option (did you mean ${meant}?)`));
  });

  it.each([
    ['deviceCookie.name', { deviceCookie: { name: '__Host-device' } }],
    ['deviceCookie.name', { deviceCookie: { name: 'my device' } }],
    ['deviceCookie.path', { deviceCookie: { path: 'auth' } }],
    ['deviceCookie.path', { deviceCookie: { path: '/auth;Domain=evil.example' } }],
    ['deviceCookie.maxAge', { deviceCookie: { maxAge: '401d' } }],
    ['deviceCookie.maxAge', { deviceCookie: { maxAge: 'forever' } }],
    ['deviceCookie.secret', { deviceCookie: { secret: 'too short' } }],
    ['deviceCookie.secret', { deviceCookie: { secret: 12345 } }],
    ['deviceCookie must be an object', { deviceCookie: 'on' }],
    ['deviceCookie.nam is not an option (did you mean deviceCookie.name?)', { deviceCookie: { nam: 'x' } }],
    ['deviceCookie needs rateLimits', { rateLimits: false, deviceCookie: {} }],
    ['rateLimits.blockSeconds must not exceed rateLimits.maxBlockSeconds', { rateLimits: { blockSeconds: 1000 } }],
  ])('throws a TypeError naming %s', (option, override) => {
    expect(() => resolveAuthOptions({ ...base(), ...(override as object) })).toThrow(TypeError);
    expect(() => resolveAuthOptions({ ...base(), ...(override as object) })).toThrow(option);
  });

  it('switches device cookies off with deviceCookie: false, and with rateLimits: false', () => {
    expect(resolveAuthOptions({ ...base(), deviceCookie: false }).deviceCookies).toBeUndefined();
    expect(resolveAuthOptions({ ...base(), rateLimits: false }).deviceCookies).toBeUndefined();
    expect(resolveAuthOptions({ ...base(), rateLimits: false, deviceCookie: false }).deviceCookies).toBeUndefined();
  });

  it('applies the documented defaults', () => {
    const resolved = resolveAuthOptions(base());
    expect(resolved.bearer.realm).toBe('api');
    expect(resolved.passwords.params).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(resolved.passwords.maxLength).toBe(1024);
    expect(resolved.tokens.issue('u1', []).expiresIn).toBe(900);
    expect(resolved.deviceCookies?.setCookie({ id: 'u1', username: 'alice', tokenEpoch: 0, createdAt: new Date(0) }, true)).toMatch(/^__Host-ejwt-device=[^;]+; Path=\/; Max-Age=7776000; HttpOnly; SameSite=Strict; Secure$/);
  });
});

describe('resolveAuthOptions: keys instead of secret', () => {
  const base = (): AuthOptions => ({ issuer: ISSUER, audience: AUDIENCE, users: new MemoryUserStore() });

  it('signs with the active key of a { active, verify } pair and verifies with both', () => {
    const old = generateKey('ES256');
    const active = generateKey('EdDSA');
    const before = resolveAuthOptions({ ...base(), keys: { active: old } }).tokens.issue('u1', []).token;
    const resolved = resolveAuthOptions({ ...base(), keys: { active, verify: [old] } });
    expect(resolved.tokens.keys.active).toBe(active);
    expect(resolved.tokens.verify(before).claims.sub).toBe('u1');
  });

  it('uses a KeySet as given', () => {
    const keys = new KeySet({ active: generateKey('PS256') });
    expect(resolveAuthOptions({ ...base(), keys }).tokens.keys).toBe(keys);
  });

  it.each([
    ['secret or keys', {}],
    ['secret and keys', { secret: SECRET, keys: { active: generateKey('ES256') } }],
    ['algorithm goes with secret', { keys: { active: generateKey('ES256') }, algorithm: 'HS256' }],
    ['kid goes with secret', { keys: { active: generateKey('ES256') }, kid: 'k1' }],
    ['keys.active', { keys: { active: undefined } }],
    ['keys.active must be able to sign', { keys: { active: asymmetricKey(generateKey('ES256').verifyKey, 'ES256') } }],
  ])('throws a TypeError naming %s', (message, override) => {
    expect(() => resolveAuthOptions({ ...base(), ...(override as object) })).toThrow(TypeError);
    expect(() => resolveAuthOptions({ ...base(), ...(override as object) })).toThrow(message);
  });
});

describe('resolveAuthOptions: DPoP (RFC 9449)', () => {
  const base = (): AuthOptions => ({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE, users: new MemoryUserStore() });

  it.each([
    ['dpop must be "off", "allowed" or "required"', { dpop: 'on' }],
    ['dpop must be "off", "allowed" or "required"', { dpop: true }],
    ['dpopAlgorithms must list some of RS256, PS256, ES256, EdDSA', { dpopAlgorithms: ['HS256'] }],
    ['dpopAlgorithms must list some of RS256, PS256, ES256, EdDSA', { dpopAlgorithms: ['none'] }],
    ['dpopAlgorithms must list some of RS256, PS256, ES256, EdDSA', { dpopAlgorithms: [] }],
    ['dpopAlgorithms must list some of RS256, PS256, ES256, EdDSA', { dpopAlgorithms: 'ES256' }],
    ['dpopMaxAge must be a whole number of seconds from 1 to 600', { dpopMaxAge: 0 }],
    ['dpopMaxAge must be a whole number of seconds from 1 to 600', { dpopMaxAge: 3600 }],
    ['dpopReplayStore must implement claim', { dpopReplayStore: {} }],
    ['dpopNonce must be an object', { dpopNonce: true }],
    ['dpopNonce.secret must be at least 32 bytes: a string, Buffer or secret KeyObject', { dpopNonce: { secret: 'short' } }],
    ['dpopNonce.secret must be at least 32 bytes: a string, Buffer or secret KeyObject', { dpopNonce: { secret: 42 } }],
    ['dpopNonce.lifetime must be a whole number of seconds from 10 to 3600', { dpopNonce: { lifetime: 5 } }],
    ['dpopNonce.lifetim is not an option (did you mean dpopNonce.lifetime?)', { dpopNonce: { lifetim: 60 } }],
    ['dPoP is not an option (did you mean dpop?)', { dPoP: 'allowed' }],
  ])('throws a TypeError: %s', (message, override) => {
    expect(() => resolveAuthOptions({ ...base(), ...(override as object) })).toThrow(new TypeError(message));
  });

  it('applies the documented defaults: off, every asymmetric algorithm, no nonces', () => {
    const { dpop, bearer } = resolveAuthOptions(base());
    expect(dpop.policy).toBe('off');
    expect(bearer.policy).toBe('off');
    expect(dpop.algorithms).toEqual(['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519']);
    expect(dpop.nonce()).toBeUndefined();
  });

  it('hands out nonces with dpopNonce, from a random secret when none is given', () => {
    const a = resolveAuthOptions({ ...base(), dpop: 'allowed', dpopNonce: {} });
    const b = resolveAuthOptions({ ...base(), dpop: 'allowed', dpopNonce: {} });
    expect(a.dpop.nonce()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.dpop.nonce()).not.toBe(b.dpop.nonce());
  });
});

import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { hmacKey } from '../lib/keys';
import { SECRET } from './helpers';

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

  it('refuses an algorithm outside HS256/384/512, including none', () => {
    expect(() => hmacKey(SECRET, 'none' as never)).toThrow(/algorithm must be one of/);
    expect(() => hmacKey(SECRET, 'RS256' as never)).toThrow(TypeError);
  });
});

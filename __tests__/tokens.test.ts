import * as jwt from 'jsonwebtoken';
import { InvalidTokenError } from '../lib/errors';
import { hmacKey } from '../lib/keys';
import { AccessTokens, type AccessTokenOptions } from '../lib/tokens';
import { AUDIENCE, ISSUER, testClock } from './helpers';

describe('AccessTokens', () => {
  const clock = testClock();
  const oldKey = hmacKey('o'.repeat(32), 'HS256', 'k1');
  const newKey = hmacKey('n'.repeat(64), 'HS512', 'k2');
  const options = (over: Partial<AccessTokenOptions> = {}): AccessTokenOptions => ({
    key: newKey,
    issuer: ISSUER,
    audience: AUDIENCE,
    clientId: 'web',
    ttl: 60,
    clockTolerance: 0,
    now: clock.now,
    ...over,
  });

  function reasonOf(fn: () => unknown): string {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidTokenError);
      return ((err as InvalidTokenError).cause as Error).message;
    }
    throw new Error('expected a rejection');
  }

  it('signs with the active key and names it in kid', () => {
    const { token } = new AccessTokens(options()).issue('42', ['read']);
    expect(jwt.decode(token, { complete: true })?.header).toEqual({ alg: 'HS512', typ: 'at+jwt', kid: 'k2' });
  });

  it('always issues sub as a string (RFC 7519 §4.1.2)', () => {
    const { claims } = new AccessTokens(options()).issue(42 as unknown as string, []);
    expect(claims.sub).toBe('42');
  });

  it('keeps verifying tokens of a key that has been rotated out of signing', () => {
    const before = new AccessTokens(options({ key: oldKey })).issue('u', []).token;
    const after = new AccessTokens(options({ key: newKey, verifyKeys: [oldKey] }));
    expect(after.verify(before).claims.sub).toBe('u');
    expect(reasonOf(() => new AccessTokens(options()).verify(before))).toBe('unknown kid');
  });

  it('binds each kid to its own algorithm', () => {
    const verifier = new AccessTokens(options({ verifyKeys: [oldKey] }));
    // A token naming k1 (HS256) but claiming HS512 fails before any signature check.
    const forged = jwt.sign({ sub: 'u' }, 'o'.repeat(32), { algorithm: 'HS512', header: { alg: 'HS512', typ: 'at+jwt', kid: 'k1' } });
    expect(reasonOf(() => verifier.verify(forged))).toBe('alg HS512 does not match the key');
  });

  it('refuses two keys with one kid', () => {
    expect(() => new AccessTokens(options({ verifyKeys: [hmacKey('z'.repeat(64), 'HS512', 'k2')] }))).toThrow(/kid "k2" is used twice/);
  });

  it('expires tokens at exp on the injected clock', () => {
    const tokens = new AccessTokens(options());
    const { token } = tokens.issue('u', []);
    clock.advance(59);
    expect(tokens.verify(token).claims.sub).toBe('u');
    clock.advance(1);
    expect(reasonOf(() => tokens.verify(token))).toBe('jwt expired');
  });

  it('refuses an over-long token before decoding it', () => {
    expect(reasonOf(() => new AccessTokens(options()).verify('a'.repeat(9000)))).toBe('not a compact JWS');
  });
});

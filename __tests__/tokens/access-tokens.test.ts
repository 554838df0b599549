import * as jwt from 'jsonwebtoken';
import { KeySet } from '../../lib/jose/key-set';
import { generateKey, hmacKey, type JwtKey } from '../../lib/jose/keys';
import { JWS_ALGORITHMS, type JwsAlgorithm } from '../../lib/jose/algorithms';
import { AccessTokens, type AccessTokenOptions } from '../../lib/tokens/access-tokens';
import { AUDIENCE, ISSUER, claims as validClaims, testClock, refusalReason } from '../helpers';
import { forge, highSTwin, isHighS } from '../jose/key-helpers';

describe('AccessTokens', () => {
  const clock = testClock();
  const oldKey = hmacKey('o'.repeat(32), 'HS256', 'k1');
  const newKey = hmacKey('n'.repeat(64), 'HS512', 'k2');
  const keySet = (active: JwtKey, verify: JwtKey[] = []) => new KeySet({ active, verify }, { now: clock.now });
  const options = (over: Partial<AccessTokenOptions> = {}): AccessTokenOptions => ({
    keys: keySet(newKey),
    issuer: ISSUER,
    audience: AUDIENCE,
    clientId: 'web',
    ttl: 60,
    clockTolerance: 0,
    now: clock.now,
    ...over,
  });


  it('signs with the active key and names it in kid', () => {
    const { token } = new AccessTokens(options()).issue('42', ['read']);
    expect(jwt.decode(token, { complete: true })?.header).toEqual({ alg: 'HS512', typ: 'at+jwt', kid: 'k2' });
  });

  it('always issues sub as a string (RFC 7519 §4.1.2)', () => {
    const { claims } = new AccessTokens(options()).issue(42 as unknown as string, []);
    expect(claims.sub).toBe('42');
  });

  it('keeps verifying tokens of a key that has been rotated out of signing', () => {
    const before = new AccessTokens(options({ keys: keySet(oldKey) })).issue('u', []).token;
    const after = new AccessTokens(options({ keys: keySet(newKey, [oldKey]) }));
    expect(after.verify(before).claims.sub).toBe('u');
    expect(refusalReason(() => new AccessTokens(options()).verify(before))).toBe('token.kid_unknown');
  });

  it('binds each kid to its own algorithm', () => {
    const verifier = new AccessTokens(options({ keys: keySet(newKey, [oldKey]) }));
    // A token naming k1 (HS256) but claiming HS512 fails before any signature check.
    const forged = jwt.sign({ sub: 'u' }, 'o'.repeat(32), { algorithm: 'HS512', header: { alg: 'HS512', typ: 'at+jwt', kid: 'k1' } });
    expect(refusalReason(() => verifier.verify(forged))).toBe('token.alg');
  });

  it('refuses two keys with one kid', () => {
    expect(() => new AccessTokens(options({ keys: keySet(newKey, [hmacKey('z'.repeat(64), 'HS512', 'k2')]) }))).toThrow(/kid "k2" is used twice/);
  });

  it('expires tokens at exp on the injected clock', () => {
    const tokens = new AccessTokens(options());
    const { token } = tokens.issue('u', []);
    clock.advance(59);
    expect(tokens.verify(token).claims.sub).toBe('u');
    clock.advance(1);
    expect(refusalReason(() => tokens.verify(token))).toBe('token.expired');
  });

  it('refuses an over-long token before decoding it', () => {
    expect(refusalReason(() => new AccessTokens(options()).verify('a'.repeat(9000)))).toBe('token.malformed');
  });

  describe('with every algorithm', () => {
    const keys = Object.fromEntries(JWS_ALGORITHMS.map((alg) => [alg, generateKey(alg, `kid-${alg}`)])) as Record<JwsAlgorithm, ReturnType<typeof generateKey>>;
    const forAlg = (alg: JwsAlgorithm, over: Partial<AccessTokenOptions> = {}) => new AccessTokens(options({ keys: keySet(keys[alg]), ...over }));

    it.each(JWS_ALGORITHMS)('signs with %s, names the alg and kid in the header, and verifies', (alg) => {
      const tokens = forAlg(alg);
      const { token } = tokens.issue('u', ['read']);
      expect(jwt.decode(token, { complete: true })?.header).toEqual({ alg, typ: 'at+jwt', kid: `kid-${alg}` });
      expect(tokens.verify(token)).toMatchObject({ claims: { sub: 'u', iss: ISSUER, aud: AUDIENCE }, scopes: ['read'] });
    });

    it.each(JWS_ALGORITHMS)('refuses a %s token whose payload was altered after signing', (alg) => {
      const tokens = forAlg(alg);
      const [h, , s] = tokens.issue('u', ['read']).token.split('.');
      const altered = Buffer.from(JSON.stringify({ ...validClaims('u', clock.seconds()), scope: 'admin' })).toString('base64url');
      expect(refusalReason(() => tokens.verify(`${h}.${altered}.${s}`))).toBe('token.signature');
    });

    it('writes ES256 signatures as the 64-byte r || s of RFC 7518 §3.4, not DER', () => {
      const { token } = forAlg('ES256').issue('u', []);
      expect(Buffer.from(token.split('.')[2], 'base64url')).toHaveLength(64);
    });

    it('issues ES256 signatures only in low-S form, so each token it signs has one spelling', () => {
      const tokens = forAlg('ES256');
      // A random signature is high-S half the time: forty in a row low-S is chance only once in 2^40.
      const high = Array.from({ length: 40 }, () => tokens.issue('u', []).token).filter((token) => isHighS(token));
      expect(high).toEqual([]);
    });

    it('refuses the high-S twin of an ES256 token: a token of ours has one valid spelling', () => {
      const tokens = forAlg('ES256');
      const { token, claims } = tokens.issue('u', []);
      const twin = highSTwin(token);
      expect(twin).not.toBe(token);
      expect(tokens.verify(token).claims).toEqual(claims);
      expect(refusalReason(() => tokens.verify(twin))).toBe('token.signature');
    });

    it('accepts an ES256 token signed elsewhere in the JWS encoding, in its low-S form', () => {
      const signed = forge({ alg: 'ES256', typ: 'at+jwt', kid: 'kid-ES256' }, validClaims('u', clock.seconds()), 'ES256', keys.ES256.key);
      // Another signer's s is high half the time; the low-S spelling of the same signature is the one accepted.
      const token = isHighS(signed) ? highSTwin(signed) : signed;
      expect(forAlg('ES256').verify(token).claims.sub).toBe('u');
    });

    // One verification path for every algorithm: the same claim rules hold for HMAC and EdDSA alike.
    describe.each(['HS256', 'EdDSA'] as const)('applies the same claim checks to %s', (alg) => {
      const now = () => clock.seconds();
      const signingKey = () => (alg === 'EdDSA' ? keys.EdDSA.key : keys.HS256.key.export());
      const tokenWith = (payload: unknown) => forge({ alg, typ: 'at+jwt', kid: `kid-${alg}` }, payload, alg, signingKey());
      const reason = (payload: unknown, over: Partial<AccessTokenOptions> = {}) => refusalReason(() => forAlg(alg, over).verify(tokenWith(payload)));

      it('expires at exp plus the tolerance, saying so', () => {
        const token = tokenWith(validClaims('u', now(), { exp: now() - 4 }));
        expect(forAlg(alg, { clockTolerance: 5 }).verify(token).claims.sub).toBe('u');
        expect(() => forAlg(alg, { clockTolerance: 4 }).verify(token)).toThrow(/^The access token expired$/);
        expect(reason(validClaims('u', now(), { exp: now() }))).toBe('token.expired');
      });

      it.each([
        ['nbf in the future', { nbf: 10_000_000_000 }, 'token.not_yet_valid'],
        ['a non-numeric exp', { exp: 'soon' }, 'token.claim_missing'],
        ['another audience', { aud: 'other-api' }, 'token.audience'],
        ['another issuer', { iss: 'https://evil.test' }, 'token.issuer'],
        ['iat in the future', { iat: 10_000_000_000, exp: 10_000_000_600 }, 'token.iat_future'],
        ['no jti', { jti: undefined }, 'token.claim_missing'],
        // Only the claim is missing (the rest is right), so these reach the missing-claim branches
        // rather than the issuer and audience comparisons.
        ['no iss', { iss: undefined }, 'token.claim_missing'],
        ['no aud', { aud: undefined }, 'token.claim_missing'],
        ['a non-string iss', { iss: 42 }, 'token.claim_missing'],
      ])('refuses %s', (_name, extra, expected) => {
        expect(reason(validClaims('u', now(), extra))).toBe(expected);
      });

      it('accepts an audience list that names us', () => {
        expect(forAlg(alg).verify(tokenWith(validClaims('u', now(), { aud: ['other', AUDIENCE] }))).claims.sub).toBe('u');
      });

      it('refuses a payload that is not a JSON object', () => {
        expect(reason(['not', 'an', 'object'])).toBe('token.malformed');
      });
    });
  });
});

import request from 'supertest';
import * as signature from '../../lib/jose/signature';
import { generateKey } from '../../lib/jose/keys';
import { VerifiedTokens, VERIFIED_TOKENS_CAP } from '../../lib/bearer/verified-tokens';
import { expectBearerError, setup, type Fixture } from '../helpers';

const me = (f: Fixture, token: string) => request(f.app).get('/users/me').set('Authorization', `Bearer ${token}`);

describe('verified-token cache: an asymmetric signature is verified once per token', () => {
  afterEach(() => jest.restoreAllMocks());

  for (const alg of ['ES256', 'EdDSA'] as const) {
    it(`verifies an ${alg} token's signature on its first use only, and checks its claims and session every time`, async () => {
      const f = await setup({ secret: undefined, keys: { active: generateKey(alg) } });
      const verify = jest.spyOn(signature, 'verifySignature');
      const token = f.tokenFor();
      for (let i = 0; i < 5; i++) expect((await me(f, token)).status).toBe(200);
      expect(verify).toHaveBeenCalledTimes(1);

      // The session is still checked: a revoked remembered token is refused.
      expect((await request(f.app).post('/revoke').type('form').send({ token })).status).toBe(200);
      expectBearerError(await me(f, token), 401, 'invalid_token');
      expect(f.failures.at(-1)?.reason).toBe('token.revoked');
    });
  }

  it('still refuses a remembered token once it expired', async () => {
    const f = await setup({ secret: undefined, keys: { active: generateKey('ES256') } });
    const token = f.tokenFor();
    expect((await me(f, token)).status).toBe(200);
    f.clock.advance(15 * 60 + 30);
    expectBearerError(await me(f, token), 401, 'invalid_token');
    expect(f.failures.at(-1)?.reason).toBe('token.expired');
  });

  it('verifies a token again when another key object would verify it (rotated, dropped or refetched)', async () => {
    const cache = new VerifiedTokens();
    const key = generateKey('ES256');
    const now = Date.now();
    cache.remember('token', key, now + 60_000, now);
    expect(cache.verified('token', key, now)).toBe(true);
    expect(cache.verified('token', { ...key }, now)).toBe(false);
    // And the entry went with the mismatch.
    expect(cache.verified('token', key, now)).toBe(false);
  });

  it('refuses a token that differs from a remembered one in a byte of its signature', async () => {
    const f = await setup({ secret: undefined, keys: { active: generateKey('ES256') } });
    const token = f.tokenFor();
    expect((await me(f, token)).status).toBe(200);
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const forged = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    expectBearerError(await me(f, forged), 401, 'invalid_token');
    expect(f.failures.at(-1)?.reason).toBe('token.signature');
  });

  it('does not remember HMAC tokens (verifying one costs about what a lookup does)', async () => {
    const f = await setup();
    const verify = jest.spyOn(signature, 'verifySignature');
    const token = f.tokenFor();
    for (let i = 0; i < 3; i++) expect((await me(f, token)).status).toBe(200);
    expect(verify).toHaveBeenCalledTimes(3);
  });

  it('remembers at most its cap, and forgets a token at its expiry', () => {
    const cache = new VerifiedTokens();
    const key = generateKey('ES256');
    const now = Date.now();
    for (let i = 0; i < VERIFIED_TOKENS_CAP + 500; i++) cache.remember(`t${i}`, key, now + 60_000, now);
    expect(cache.size).toBe(VERIFIED_TOKENS_CAP);
    expect(cache.verified('t0', key, now)).toBe(false);
    expect(cache.verified(`t${VERIFIED_TOKENS_CAP + 499}`, key, now + 60_000)).toBe(false);
  });
});

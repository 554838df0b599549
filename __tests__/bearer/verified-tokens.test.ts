import express from 'express';
import request from 'supertest';
import * as signature from '../../lib/jose/signature';
import { generateKey } from '../../lib/jose/keys';
import { parseAccessToken } from '../../lib/tokens/access-tokens';
import { REFUSED_TOKENS_CAP, REMEMBERED_TOKEN_LENGTH, VerifiedTokens, VERIFIED_TOKENS_CAP } from '../../lib/bearer/verified-tokens';
import { expectBearerError, setup, type Fixture } from '../helpers';

const me = (f: Fixture, token: string) => request(f.app).get('/users/me').set('Authorization', `Bearer ${token}`);
/** `token` with one character of its signature changed: a forgery. */
const forge = (token: string) => `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`;

describe('verified-token cache: a token is verified and decoded once', () => {
  afterEach(() => jest.restoreAllMocks());

  for (const alg of ['HS256', 'ES256', 'EdDSA'] as const) {
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
    const f = await setup();
    const token = f.tokenFor();
    expect((await me(f, token)).status).toBe(200);
    f.clock.advance(15 * 60 + 30);
    expectBearerError(await me(f, token), 401, 'invalid_token');
    expect(f.failures.at(-1)?.reason).toBe('token.expired');
    // And again, from memory: still expired, with the same answer.
    expectBearerError(await me(f, token), 401, 'invalid_token');
    expect(f.failures.at(-1)?.reason).toBe('token.expired');
  });

  it('refuses a token that differs from a remembered one in a byte of its signature', async () => {
    const f = await setup({ secret: undefined, keys: { active: generateKey('ES256') } });
    const token = f.tokenFor();
    expect((await me(f, token)).status).toBe(200);
    expectBearerError(await me(f, forge(token)), 401, 'invalid_token');
    expect(f.failures.at(-1)?.reason).toBe('token.signature');
  });

  it('refuses a forged token presented again without verifying it again, with the same challenge', async () => {
    const f = await setup();
    const forged = forge(f.tokenFor());
    const verify = jest.spyOn(signature, 'verifySignature');
    const first = await me(f, forged);
    expectBearerError(first, 401, 'invalid_token');
    for (let i = 0; i < 3; i++) {
      const again = await me(f, forged);
      expectBearerError(again, 401, 'invalid_token');
      expect(again.headers['www-authenticate']).toBe(first.headers['www-authenticate']);
      expect(f.failures.at(-1)?.reason).toBe('token.signature');
    }
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('keeps accepting a remembered token across a rotation, and refuses it once its key is dropped', async () => {
    const old = generateKey('HS256', 'old');
    const f = await setup({ secret: undefined, keys: { active: old } });
    const token = f.tokenFor();
    expect((await me(f, token)).status).toBe(200);
    f.auth.rotateKey(generateKey('HS256', 'new'));
    // The old key is kept for verification.
    expect((await me(f, token)).status).toBe(200);
    f.auth.keys.drop('old');
    expectBearerError(await me(f, token), 401, 'invalid_token');
    expect(f.failures.at(-1)?.reason).toBe('token.kid_unknown');
  });

  it('hands each request claims of its own: what an app changes in req.auth does not reach the next request', async () => {
    const f = await setup();
    const app = express();
    app.get('/me', f.auth.authenticate(), (req, res) => {
      const seen = { scope: req.auth!.claims.scope, scopes: [...req.auth!.scopes], aud: req.auth!.claims.aud };
      // An app that edits what it was handed.
      req.auth!.claims.scope = 'root';
      req.auth!.claims.aud = 'elsewhere';
      req.auth!.scopes.push('root');
      res.json(seen);
    });
    const token = f.tokenFor(f.alice, ['read']);
    const first = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    const second = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.body).toMatchObject({ scope: 'read', scopes: ['read'] });
  });

  it('verifies a token again when another key object would verify it (rotated, dropped or refetched)', () => {
    const cache = new VerifiedTokens();
    const key = generateKey('ES256');
    const token = signed(key);
    const verify = jest.spyOn(signature, 'verifySignature');
    present(cache, token, key);
    present(cache, token, key);
    expect(verify).toHaveBeenCalledTimes(1);
    // A copy of the same key is another object: verified afresh, and the copy is now the one remembered.
    present(cache, token, { ...key });
    expect(verify).toHaveBeenCalledTimes(2);
    present(cache, token, key);
    expect(verify).toHaveBeenCalledTimes(3);
  });

  it('remembers at most its caps, and a flood of forgeries does not push out a good token', () => {
    const cache = new VerifiedTokens();
    const key = generateKey('HS256');
    const good = signed(key);
    present(cache, good, key);
    const verify = jest.spyOn(signature, 'verifySignature');
    for (let i = 0; i < REFUSED_TOKENS_CAP + 500; i++) {
      const forged = `${good.slice(0, good.lastIndexOf('.'))}.${Buffer.from(`forged ${i}`).toString('base64url')}`;
      expect(() => present(cache, forged, key)).toThrow('invalid');
    }
    expect(cache.size).toBe(1 + REFUSED_TOKENS_CAP);
    verify.mockClear();
    present(cache, good, key);
    expect(verify).not.toHaveBeenCalled();
    expect(VERIFIED_TOKENS_CAP).toBeGreaterThan(REFUSED_TOKENS_CAP);
  });

  it('does not remember a token longer than REMEMBERED_TOKEN_LENGTH: a forger cannot fill memory with 8 KB entries', () => {
    const cache = new VerifiedTokens();
    const key = generateKey('HS256');
    const good = signed(key);
    const long = `${good.slice(0, good.lastIndexOf('.'))}.${'A'.repeat(REMEMBERED_TOKEN_LENGTH)}`;
    expect(() => present(cache, long, key)).toThrow('invalid');
    expect(cache.size).toBe(0);
    present(cache, good, key);
    expect(cache.size).toBe(1);
  });
});

/** `token` presented to `cache` with `key`, as the bearer check does: what it recalls, then the payload. */
function present(cache: VerifiedTokens, token: string, key: ReturnType<typeof generateKey>): Record<string, unknown> {
  return cache.payload(token, key, cache.recall(token), () => parseAccessToken(token));
}

/** A token of ours signed with `key`, made without an app. */
function signed(key: ReturnType<typeof generateKey>): string {
  const now = Math.floor(Date.now() / 1000);
  return signature.signCompact({ alg: key.alg, typ: 'at+jwt' }, { iss: 'i', aud: 'a', sub: '1', jti: 'j', iat: now, exp: now + 60 }, key);
}

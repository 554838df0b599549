import express from 'express';
import request from 'supertest';
import { KeySet } from '../../lib/jose/key-set';
import { generateKey, hmacKey } from '../../lib/jose/keys';
import { createJwksHandler } from '../../lib/express/jwks';
import { SECRET, setup, testClock } from '../helpers';

/** Every member a private or symmetric JWK may carry (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const PUBLIC_MEMBERS = ['kty', 'kid', 'alg', 'use', 'n', 'e', 'crv', 'x', 'y'];

describe('auth.jwks()', () => {
  function appFor(keys: KeySet, maxAge?: number) {
    const app = express();
    app.get('/.well-known/jwks.json', createJwksHandler(keys, maxAge === undefined ? undefined : { maxAge }));
    return app;
  }

  it('serves the public keys as a cacheable JWK Set with only public members', async () => {
    const signing = [generateKey('RS256'), generateKey('PS256'), generateKey('ES256'), generateKey('EdDSA')];
    const f = await setup({ secret: undefined, keys: { active: signing[0], verify: signing.slice(1) } });
    f.app.get('/jwks', f.auth.jwks());

    const res = await request(f.app).get('/jwks');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/jwk-set+json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.headers.etag).toBeDefined();
    const body = JSON.parse(res.text) as { keys: Record<string, unknown>[] };
    expect(body.keys.map((k) => [k.kid, k.alg, k.use])).toEqual(signing.map((k) => [k.kid, k.alg, 'sig']));
    for (const jwk of body.keys) {
      for (const member of Object.keys(jwk)) expect(PUBLIC_MEMBERS).toContain(member);
      for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
    }
    // No byte of any private key is in the response.
    for (const key of signing) {
      const { d, p, q } = key.key.export({ format: 'jwk' });
      for (const secret of [d, p, q].filter(Boolean)) expect(res.text).not.toContain(secret);
    }
  });

  it('answers a matching If-None-Match with 304', async () => {
    const app = appFor(new KeySet({ active: generateKey('ES256') }));
    const first = await request(app).get('/.well-known/jwks.json');
    const again = await request(app).get('/.well-known/jwks.json').set('If-None-Match', first.headers.etag);
    expect(again.status).toBe(304);
  });

  it('serves an empty set for an HMAC secret, and never the secret', async () => {
    const f = await setup();
    f.app.get('/jwks', f.auth.jwks());
    const res = await request(f.app).get('/jwks');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ keys: [] });
    const mixed = appFor(new KeySet({ active: hmacKey(SECRET, 'HS256', 'h'), verify: [generateKey('EdDSA', 'e')] }));
    const listed = await request(mixed).get('/.well-known/jwks.json');
    expect(JSON.parse(listed.text).keys.map((k: { kid: string }) => k.kid)).toEqual(['e']);
    expect(listed.text).not.toContain(Buffer.from(SECRET).toString('base64url'));
  });

  it('shows a rotation at once and drops a retired key when its time is up', async () => {
    const clock = testClock();
    const first = generateKey('ES256');
    const keys = new KeySet({ active: first }, { now: clock.now });
    const app = appFor(keys, 60);
    const next = generateKey('ES256');
    keys.rotate(next, 930);
    const during = await request(app).get('/.well-known/jwks.json');
    expect(during.headers['cache-control']).toBe('public, max-age=60');
    expect(JSON.parse(during.text).keys.map((k: { kid: string }) => k.kid)).toEqual([next.kid, first.kid]);
    clock.advance(930);
    const after = await request(app).get('/.well-known/jwks.json');
    expect(JSON.parse(after.text).keys.map((k: { kid: string }) => k.kid)).toEqual([next.kid]);
  });

  it.each([-1, 1.5, 86401, '300'])('refuses maxAge %p with a TypeError naming it', (maxAge) => {
    expect(() => createJwksHandler(new KeySet({ active: generateKey('ES256') }), { maxAge: maxAge as number })).toThrow(/maxAge must be/);
  });
});

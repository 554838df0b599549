import { generateKeyPairSync } from 'node:crypto';
import { toPublicJwk } from '../../lib/jose/jwk';
import { asymmetricKey, generateKey } from '../../lib/jose/keys';
import { RemoteJwks, type RemoteJwksOptions } from '../../lib/bearer/remote-jwks';
import { JwksUnavailableError } from '../../lib/core/errors';
import { testClock } from '../helpers';
import { startJwksServer, type JwksServer } from '../jose/key-helpers';

describe('RemoteJwks', () => {
  const es = generateKey('ES256');
  const ed = generateKey('EdDSA');
  let server: JwksServer;
  let clock: ReturnType<typeof testClock>;

  beforeEach(async () => {
    clock = testClock();
    server = await startJwksServer({ keys: [toPublicJwk(es), toPublicJwk(ed)] });
  });
  afterEach(async () => {
    await server.close();
  });

  const jwks = (over: Partial<RemoteJwksOptions> = {}) => new RemoteJwks({ jwksUri: server.url, now: clock.now, ...over });

  it('fetches once and answers later lookups from its cache', async () => {
    const remote = jwks();
    const key = await remote.find(es.kid!);
    expect(key).toMatchObject({ kid: es.kid, alg: 'ES256' });
    expect(key!.verifyKey.equals(es.verifyKey)).toBe(true);
    expect((await remote.find(ed.kid!))?.alg).toBe('EdDSA');
    expect(server.fetches).toBe(1);
  });

  it('shares one fetch among concurrent lookups', async () => {
    const remote = jwks();
    await Promise.all(Array.from({ length: 20 }, () => remote.find(es.kid!)));
    expect(server.fetches).toBe(1);
  });

  it('answers a flood of unknown kids with at most one fetch per cooldown', async () => {
    const remote = jwks({ cooldown: 30 });
    await remote.find(es.kid!);
    const flood = () => Promise.all(Array.from({ length: 50 }, (_, i) => remote.find(`made-up-${i}`)));
    // Fetched just now: no refetch at all.
    expect((await flood()).every((key) => key === undefined)).toBe(true);
    expect(server.fetches).toBe(1);
    clock.advance(29);
    await flood();
    expect(server.fetches).toBe(1);
    // Past the cooldown, fifty concurrent unknown kids share one refetch, and the next fifty wait again.
    clock.advance(1);
    expect((await flood()).every((key) => key === undefined)).toBe(true);
    await flood();
    expect(server.fetches).toBe(2);
  });

  it('refetches for an unknown kid after the cooldown and finds a key the issuer has added', async () => {
    const remote = jwks();
    await remote.find(es.kid!);
    const next = generateKey('ES256');
    server.body = { keys: [toPublicJwk(next), toPublicJwk(es)] };
    clock.advance(30);
    expect((await remote.find(next.kid!))?.kid).toBe(next.kid);
    expect(server.fetches).toBe(2);
  });

  it('refetches a stale set in the background, then forgets keys the issuer has dropped', async () => {
    const remote = jwks({ maxAge: 300 });
    await remote.find(es.kid!);
    server.body = { keys: [toPublicJwk(ed)] };
    clock.advance(299);
    expect(await remote.find(es.kid!)).toBeDefined();
    expect(server.fetches).toBe(1);
    clock.advance(1);
    // Stale: the cached key still answers at once, and the refetch starts behind it.
    expect(await remote.find(es.kid!)).toBeDefined();
    await remote.refresh();
    expect(await remote.find(es.kid!)).toBeUndefined();
    expect(server.fetches).toBe(2);
  });

  it('answers a request whose key is cached without waiting for a refetch that hangs', async () => {
    // A fetch that never settles: had find() waited for it, the test would time out.
    let fetches = 0;
    let hang = false;
    const fetchOrHang: typeof fetch = (...args) => {
      fetches++;
      return hang ? new Promise<Response>(() => undefined) : fetch(...args);
    };
    const remote = jwks({ maxAge: 60, fetch: fetchOrHang });
    await remote.find(es.kid!);
    hang = true;
    clock.advance(60);
    expect((await remote.find(es.kid!))?.kid).toBe(es.kid);
    expect((await remote.find(ed.kid!))?.kid).toBe(ed.kid);
    expect(fetches).toBe(2);
  });

  it('stops trusting cached keys once no fetch has succeeded for maxStale, and trusts them again after one does', async () => {
    const remote = jwks({ maxAge: 60, maxStale: 3600, cooldown: 30 });
    await remote.find(es.kid!);
    server.status = 503;
    clock.advance(3599);
    expect((await remote.find(es.kid!))?.kid).toBe(es.kid);
    clock.advance(1);
    const err = await remote.find(es.kid!).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(JwksUnavailableError);
    expect((err as JwksUnavailableError).status).toBe(500);
    expect((err as Error).message).toMatch(/no fetch of the issuer's JWKS .* has succeeded for 3600 s/);
    // Within the cooldown no new fetch is made, and the answer stays a refusal.
    await expect(remote.find(es.kid!)).rejects.toBeInstanceOf(JwksUnavailableError);
    server.status = 200;
    clock.advance(30);
    expect((await remote.find(es.kid!))?.kid).toBe(es.kid);
  });

  it('refuses a maxStale shorter than maxAge', () => {
    expect(() => jwks({ maxAge: 300, maxStale: 60 })).toThrow(new TypeError('maxStale must be at least maxAge'));
  });

  it('keeps using cached keys while the issuer is down, and reports it unreachable for a kid it lacks', async () => {
    const remote = jwks({ maxAge: 60 });
    await remote.find(es.kid!);
    server.status = 503;
    clock.advance(60);
    expect((await remote.find(es.kid!))?.kid).toBe(es.kid);
    await expect(remote.find('new-kid')).rejects.toBeInstanceOf(JwksUnavailableError);
    expect(server.fetches).toBe(2);
  });

  it('reports an issuer that never answered as unreachable, a 500', async () => {
    await server.close();
    const remote = jwks();
    const err = await remote.find(es.kid!).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JwksUnavailableError);
    expect(err).toMatchObject({ status: 500, message: expect.stringContaining(server.url) });
  });

  it('gives up on a hung issuer after the timeout', async () => {
    server.hang = true;
    await expect(jwks({ timeout: 200 }).find(es.kid!)).rejects.toMatchObject({
      name: 'JwksUnavailableError',
      cause: expect.objectContaining({ name: 'TimeoutError' }),
    });
  });

  it.each([
    ['not JSON', '<html>'],
    ['JSON that is not a JWK Set', { kids: [] }],
  ])('treats a body that is %s as a failed fetch', async (_name, body) => {
    server.body = body;
    await expect(jwks().find(es.kid!)).rejects.toBeInstanceOf(JwksUnavailableError);
  });

  it('does not follow a redirect', async () => {
    const elsewhere = await startJwksServer({ keys: [toPublicJwk(es)] });
    try {
      server.redirectTo = elsewhere.url;
      await expect(jwks().find(es.kid!)).rejects.toBeInstanceOf(JwksUnavailableError);
      expect(elsewhere.fetches).toBe(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('keeps only signature keys with an allowed alg and key material that fits it', async () => {
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    const rs = generateKey('RS256');
    const withPrivate = { ...toPublicJwk(ed), kid: 'with-d', d: ed.key.export({ format: 'jwk' }).d };
    server.body = {
      keys: [
        { ...toPublicJwk(es), kid: 'enc', use: 'enc' },
        { ...toPublicJwk(es), kid: 'no-alg', alg: undefined },
        { ...toPublicJwk(es), kid: 'alg-mismatch', alg: 'RS256' },
        { ...toPublicJwk(es), kid: 'ops', key_ops: ['encrypt'] },
        { kty: 'oct', kid: 'oct', alg: 'HS256', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA' },
        { kty: 'RSA', kid: 'small', alg: 'RS256', ...rsa1024.export({ format: 'jwk' }) },
        { kty: 'EC', kid: 'p384', alg: 'ES256', ...p384.export({ format: 'jwk' }) },
        { ...toPublicJwk(ed), kid: 'dup' },
        { ...toPublicJwk(es), kid: 'dup' },
        { ...toPublicJwk(rs), kid: 'rs' },
        withPrivate,
        'junk',
      ],
    };
    const remote = jwks({ algorithms: ['ES256', 'EdDSA'] });
    // A key published with its private member 'd' is compromised: anyone can sign with it.
    for (const kid of ['enc', 'no-alg', 'alg-mismatch', 'ops', 'oct', 'small', 'p384', 'dup', 'rs', 'with-d']) {
      expect([kid, await remote.find(kid)]).toEqual([kid, undefined]);
    }
  });

  it('binds a kid to the alg the JWKS gives it', async () => {
    const rsaPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const asPs = asymmetricKey(rsaPair.publicKey, 'PS256', 'rsa-ps');
    server.body = { keys: [toPublicJwk(asPs)] };
    expect((await jwks().find('rsa-ps'))?.alg).toBe('PS256');
  });

  it.each([
    ['no jwksUri', { jwksUri: undefined }, /jwksUri is required/],
    ['plain http to another host', { jwksUri: 'http://auth.example.com/jwks.json' }, /jwksUri must be an https URL/],
    ['credentials in the URL', { jwksUri: 'https://user:pw@auth.example.com/jwks.json' }, /jwksUri must not contain credentials/],
    ['an HMAC algorithm', { algorithms: ['HS256'] }, /algorithms must list some of/],
    ['a zero timeout', { timeout: 0 }, /timeout must be/],
  ])('refuses %s with a TypeError', (_name, over, message) => {
    expect(() => jwks(over as Partial<RemoteJwksOptions>)).toThrow(TypeError);
    expect(() => jwks(over as Partial<RemoteJwksOptions>)).toThrow(message);
  });
});

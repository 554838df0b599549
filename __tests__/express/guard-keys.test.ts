import request from 'supertest';
import { toPublicJwk } from '../../lib/jose/jwk';
import { KeySet } from '../../lib/jose/key-set';
import { generateKey, type JwtKey } from '../../lib/jose/keys';
import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from '../../lib/jose/algorithms';
import { claims, setup, testClock, type Fixture } from '../helpers';
import { forge, startJwksServer, type JwksServer } from '../jose/key-helpers';
import type { FailureReason } from '../../lib/core/errors';

const INVALID_TOKEN = 'Bearer realm="api", error="invalid_token", error_description="The access token is invalid"';

/** authenticate() on an app whose tokens are signed with key pairs: each kid fixes one algorithm. */
describe('authenticate() with asymmetric keys', () => {
  const keys = Object.fromEntries(ASYMMETRIC_ALGORITHMS.map((alg) => [alg, generateKey(alg)])) as Record<AsymmetricAlgorithm, JwtKey>;
  const attacker = generateKey('ES256');
  let f: Fixture;
  let attackerJwks: JwksServer;

  beforeAll(async () => {
    // Where a token's jku/x5u would send a naive verifier: it must never be asked.
    attackerJwks = await startJwksServer({ keys: [toPublicJwk(attacker)] });
  });
  afterAll(async () => {
    await attackerJwks.close();
  });

  async function withActive(alg: AsymmetricAlgorithm): Promise<Fixture> {
    const verify = ASYMMETRIC_ALGORITHMS.filter((other) => other !== alg).map((other) => keys[other]);
    return setup({ secret: undefined, keys: { active: keys[alg], verify } });
  }

  beforeEach(async () => {
    f = await withActive('ES256');
  });

  const me = (token: string) => request(f.app).get('/users/me').set('Authorization', `Bearer ${token}`);
  const good = () => claims(f.alice.id, f.clock.seconds());

  async function expectInvalidToken(res: request.Response, reason: FailureReason) {
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
    expect(res.body).toEqual({ error: 'invalid_token', error_description: 'The access token is invalid' });
    expect(f.failures.at(-1)?.reason).toBe(reason);
  }

  it.each(ASYMMETRIC_ALGORITHMS)('admits a token the app signed with its active %s key', async (alg) => {
    f = await withActive(alg);
    const res = await me(f.tokenFor());
    expect(res.status).toBe(200);
    expect(res.body.username).toBe('alice');
  });

  it('rejects an HS256 token whose HMAC key is the RSA public key (algorithm confusion)', async () => {
    const pem = keys.RS256.verifyKey.export({ type: 'spki', format: 'pem' });
    const token = forge({ alg: 'HS256', typ: 'at+jwt', kid: keys.RS256.kid }, good(), 'HS256', pem);
    await expectInvalidToken(await me(token), 'token.alg');
    // Without a kid there is no key at all: no unnamed HMAC key exists.
    const noKid = forge({ alg: 'HS256', typ: 'at+jwt' }, good(), 'HS256', pem);
    await expectInvalidToken(await me(noKid), 'token.kid_unknown');
  });

  it('rejects alg none naming a real kid', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const token = `${b64({ alg: 'none', typ: 'at+jwt', kid: keys.ES256.kid })}.${b64(good())}.AAAA`;
    await expectInvalidToken(await me(token), 'token.alg');
  });

  it('rejects an RS256 token that names the kid of the ES256 key', async () => {
    const token = forge({ alg: 'RS256', typ: 'at+jwt', kid: keys.ES256.kid }, good(), 'RS256', keys.RS256.key);
    await expectInvalidToken(await me(token), 'token.alg');
  });

  it('rejects an RS256 token signed with the PS256 key pair: one key, one algorithm', async () => {
    const token = forge({ alg: 'RS256', typ: 'at+jwt', kid: keys.PS256.kid }, good(), 'RS256', keys.PS256.key);
    await expectInvalidToken(await me(token), 'token.alg');
  });

  it('rejects an ES256 token signed by another key under our kid', async () => {
    const token = forge({ alg: 'ES256', typ: 'at+jwt', kid: keys.ES256.kid }, good(), 'ES256', attacker.key);
    await expectInvalidToken(await me(token), 'token.signature');
  });

  it('rejects an EdDSA token signed by another Ed25519 key under our kid', async () => {
    const token = forge({ alg: 'EdDSA', typ: 'at+jwt', kid: keys.EdDSA.kid }, good(), 'EdDSA', generateKey('EdDSA').key);
    await expectInvalidToken(await me(token), 'token.signature');
  });

  it('rejects a token of an unknown kid', async () => {
    const token = forge({ alg: 'ES256', typ: 'at+jwt', kid: attacker.kid }, good(), 'ES256', attacker.key);
    await expectInvalidToken(await me(token), 'token.kid_unknown');
  });

  it.each([
    ['jku', { jku: 'JWKS' }],
    ['x5u', { x5u: 'JWKS' }],
    ['jwk', { jwk: 'JWK' }],
    ['x5c', { x5c: ['MIIB'] }],
  ])('never takes a key from a %s header: the URL it names is not fetched', async (_name, extra) => {
    const header = Object.fromEntries(
      Object.entries(extra).map(([name, value]) => [name, value === 'JWKS' ? attackerJwks.url : value === 'JWK' ? toPublicJwk(attacker) : value]),
    );
    for (const kid of [attacker.kid, keys.ES256.kid]) {
      const token = forge({ alg: 'ES256', typ: 'at+jwt', kid, ...header }, good(), 'ES256', attacker.key);
      await expectInvalidToken(await me(token), kid === attacker.kid ? 'token.kid_unknown' : 'token.signature');
    }
    expect(attackerJwks.fetches).toBe(0);
  });

  it('keeps accepting tokens of the old key after a rotation at run time, until they have all expired', async () => {
    const clock = testClock();
    const set = new KeySet({ active: generateKey('ES256') }, { now: clock.now });
    f = await setup({ secret: undefined, keys: set, now: clock.now });
    const before = f.tokenFor();
    f.auth.rotateKey(generateKey('EdDSA'));
    const after = f.tokenFor();
    expect(JSON.parse(Buffer.from(after.split('.')[0], 'base64url').toString())).toMatchObject({ alg: 'EdDSA', kid: set.active.kid });
    expect((await me(before)).status).toBe(200);
    expect((await me(after)).status).toBe(200);
    clock.advance(15 * 60 + 30); // the default ttl plus the default tolerance
    await expectInvalidToken(await me(before), 'token.kid_unknown');
  });
});

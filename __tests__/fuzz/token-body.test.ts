import fc from 'fast-check';
import type { Server } from 'node:http';
import request from 'supertest';
import { PASSWORD, setup, type Fixture } from '../helpers';
import { DANGEROUS_KEYS, HTTP_RUNS, OAUTH_KEYS, fuzzParameters, hostileJson, prototypeIntact, prototypeSnapshot } from './arbitraries';

/** What POST /token may answer: success, the RFC 6749 §5.2 errors, too large, too many. Never a 5xx. */
const TOKEN_STATUSES = [200, 400, 401, 413, 415, 429];

/** Usernames and passwords: mostly noise, sometimes the real ones (so some logins succeed), sometimes not strings. */
const username = fc.oneof({ weight: 6, arbitrary: fc.string({ maxLength: 40 }) }, { weight: 1, arbitrary: fc.constantFrom('alice', 'ALICE', ' alice', 'alice\u0000') });
const password = fc.oneof({ weight: 6, arbitrary: fc.string({ maxLength: 40 }) }, { weight: 1, arbitrary: fc.constantFrom(PASSWORD, `${PASSWORD} `, 'x'.repeat(2000)) });
const grantType = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('password', 'refresh_token') }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) });

/** A JSON body: near a login, with hostile values and keys mixed in, or any JSON at all. */
const jsonBody = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.record({ grant_type: grantType, username, password, scope: fc.string({ maxLength: 12 }) }, { requiredKeys: ['grant_type', 'username', 'password'] }),
        fc.dictionary(fc.constantFrom(...DANGEROUS_KEYS, ...OAUTH_KEYS), hostileJson, { maxKeys: 2 }),
      )
      .map(([login, extra]) => JSON.stringify({ ...login, ...extra })),
  },
  { weight: 2, arbitrary: hostileJson.map((value) => JSON.stringify(value)) },
  // Literal __proto__ keys: JSON.parse makes them own properties, an object spread or merge would not.
  { weight: 1, arbitrary: fc.constantFrom('{"__proto__":{"polluted":"yes"},"grant_type":"password"}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '{"grant_type":"password","username":"alice","password":{"__proto__":{"isAdmin":true}}}') },
);

/** A form body: OAuth and hostile keys (bracketed ones included), repeated or not, values raw or encoded. */
const formKey = fc.oneof(
  fc.constantFrom(...OAUTH_KEYS, ...DANGEROUS_KEYS),
  fc.constantFrom('__proto__[polluted]', 'constructor[prototype][polluted]', 'username[]', 'password[0]', 'a[b][c]'),
  fc.string({ maxLength: 10 }),
);
const formPair = fc.tuple(formKey, fc.oneof(username, password, grantType), fc.boolean());
const loginPairs = fc.tuple(grantType, username, password).map(([g, u, p]): Array<[string, string, boolean]> => [
  ['grant_type', g, false],
  ['username', u, false],
  ['password', p, false],
]);
const formBody = fc
  .tuple(fc.oneof(loginPairs, fc.constant([])), fc.array(formPair, { maxLength: 6 }), fc.boolean())
  .map(([login, pairs, first]) => (first ? [...pairs, ...login] : [...login, ...pairs]))
  .map((pairs) => pairs.map(([key, value, raw]) => (raw ? `${key}=${value}` : `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)).join('&'));

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('application/json', 'application/x-www-form-urlencoded') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-16',
      'application/x-www-form-urlencoded; charset=latin1',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/',
    ),
  },
);

interface Body {
  type: string;
  text: string;
  /** The right login, which must get tokens whatever else the body holds. */
  succeeds?: boolean;
}
const sent = (type: fc.Arbitrary<string>, text: fc.Arbitrary<string>): fc.Arbitrary<Body> => fc.tuple(type, text).map(([t, x]) => ({ type: t, text: x }));

/** The right login, in either encoding, with hostile extra keys: these must succeed and still pollute nothing. */
const goodLogin = fc.dictionary(fc.constantFrom(...DANGEROUS_KEYS, 'client_id', 'extra'), fc.string({ maxLength: 10 }), { maxKeys: 3 }).chain((extra) => {
  const login = { ...extra, grant_type: 'password', username: 'alice', password: PASSWORD };
  return fc.constantFrom<Body>(
    { type: 'application/json', text: JSON.stringify(login), succeeds: true },
    { type: 'application/x-www-form-urlencoded', text: new URLSearchParams(login).toString(), succeeds: true },
  );
});

/** Any body for any content type, and now and then one far over the 16 kB limit. */
const body = fc.oneof(
  { weight: 3, arbitrary: sent(fc.constant('application/json'), jsonBody) },
  { weight: 3, arbitrary: sent(fc.constant('application/x-www-form-urlencoded'), formBody) },
  { weight: 2, arbitrary: sent(contentType, fc.oneof(jsonBody, formBody)) },
  { weight: 1, arbitrary: goodLogin },
  { weight: 1, arbitrary: sent(contentType, fc.string({ unit: 'binary', maxLength: 200 })) },
  { weight: 1, arbitrary: sent(contentType, fc.integer({ min: 16 * 1024, max: 40 * 1024 }).map((n) => `{"username":"${'a'.repeat(n)}"}`)) },
);

describe('fuzz: the POST /token body', () => {
  let f: Fixture;
  let server: Server;
  let prototype: string[];
  beforeAll(async () => {
    // Cheap argon2 for new hashes and the dummy (alice's stored hash is rehashed at her first login),
    // and no rate limits: this suite is about parsing, not about brute-force protection.
    f = await setup({ argon2: { memoryCost: 1024, timeCost: 1 }, rateLimits: false });
    server = f.app.listen(0, '127.0.0.1');
    prototype = prototypeSnapshot();
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('answers any body with a 2xx or 4xx OAuth response, logs in only with the right password, and leaves Object.prototype alone', async () => {
    await fc.assert(
      fc.asyncProperty(body, async ({ type, text, succeeds }) => {
        const res = await request(server).post('/token').set('Content-Type', type).send(text);
        expect(TOKEN_STATUSES).toContain(res.status);
        if (succeeds) expect(res.status).toBe(200);
        expect(res.headers['cache-control']).toBe('no-store');
        if (res.status === 200) {
          const params = type.includes('json') ? JSON.parse(text) : Object.fromEntries(new URLSearchParams(text));
          expect(params).toMatchObject({ grant_type: 'password', password: PASSWORD });
          expect(res.body.token_type).toBe('Bearer');
        } else {
          expect(typeof res.body.error).toBe('string');
        }
        expect(f.appErrors).toEqual([]);
        expect(prototypeIntact(prototype)).toBe(true);
      }),
      fuzzParameters<[Body]>(HTTP_RUNS * 2, [
        // JSON sent with curl's default form type; a body claiming UTF-16; prototype keys as own keys.
        [{ type: 'application/x-www-form-urlencoded', text: JSON.stringify({ grant_type: 'password', username: 'alice', password: PASSWORD }) }],
        [{ type: 'application/json; charset=utf-16', text: '{"grant_type":"password"}' }],
        [{ type: 'application/json', text: '{"__proto__":{"polluted":"yes"},"grant_type":"password","username":"alice","password":"x"}' }],
        [{ type: 'application/x-www-form-urlencoded', text: '__proto__[polluted]=yes&grant_type=password&username[]=alice' }],
      ]),
    );
  });
});

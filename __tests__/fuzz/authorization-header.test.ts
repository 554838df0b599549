import fc from 'fast-check';
import type { Server } from 'node:http';
import request from 'supertest';
import { InvalidRequestError } from '../../lib/core/errors';
import { extractToken } from '../../lib/bearer/extract-token';
import { setup, type Fixture } from '../helpers';
import { FUZZ_RUNS, HTTP_RUNS, fuzzParameters, headerValue, jwsLike, tokenish } from './arbitraries';

// RFC 6750 §2.1: the b64token syntax a returned token must have.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** `Bearer`, in any case, and schemes that are not it. */
const scheme = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('Bearer', 'bearer', 'BEARER', 'bEaReR') },
  { weight: 2, arbitrary: fc.constantFrom('Basic', 'Digest', 'Token', 'JWT', 'Bearer:', 'Bearerx', '') },
  { weight: 1, arbitrary: tokenish(10) },
);
const separator = fc.constantFrom('', ' ', '  ', '\t', ' \t ', ',');
const credentials = fc.oneof(jwsLike, tokenish(), headerValue);
const suffix = fc.oneof({ weight: 5, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(' junk', ',', ' ', '=', '==x', ', Basic x') });

/** Authorization values near the Bearer syntax, and anything else a header may hold. */
const authorization = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(scheme, separator, credentials, suffix).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: headerValue },
);

/** Sets one Authorization header per value (superagent sends an array as repeated header lines; its types allow only a string). */
function authorize(test: request.Test, values: readonly string[]): request.Test {
  return test.set('Authorization', (values.length === 1 ? values[0] : values) as string);
}

describe('fuzz: the Authorization header', () => {
  let f: Fixture;
  let server: Server;
  beforeAll(async () => {
    f = await setup();
    server = f.app.listen(0, '127.0.0.1');
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('extractToken returns a b64token, nothing, or throws invalid_request, for any header and any repetition', () => {
    fc.assert(
      fc.property(fc.array(authorization, { minLength: 0, maxLength: 3 }), fc.boolean(), (values, allowQuery) => {
        const rawHeaders = values.flatMap((value) => ['Authorization', value]);
        const headers = values.length > 0 ? { authorization: values[0] } : {};
        let token: string | undefined;
        try {
          token = extractToken({ headers, rawHeaders, method: 'GET', url: '/users/me' }, { allowQuery, allowBody: false });
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidRequestError);
          return;
        }
        if (token !== undefined) {
          expect(token).toMatch(B64TOKEN);
          // Two headers are never read as one token.
          expect(values).toHaveLength(1);
        }
      }),
      // Fixed first: the cases closest to the edge of the syntax (no token, a tab, a second credential, two headers).
      fuzzParameters<[string[], boolean]>(FUZZ_RUNS * 3, [
        [['Bearer'], false],
        [['Bearer\ta.b.c'], false],
        [['Bearer a.b.c, Basic eA=='], true],
        [['Bearer a.b.c', 'Bearer a.b.c'], false],
        [[''], false],
      ]),
    );
  });

  it('answers any Authorization header (one or two of them) with 400 or 401 and a Bearer challenge, never 200 or 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(authorization, { minLength: 1, maxLength: 2 }), async (values) => {
        const res = await authorize(request(server).get('/users/me'), values);
        expect([400, 401]).toContain(res.status);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="api"/);
        if (res.status === 400) expect(res.body.error).toBe('invalid_request');
        else expect([undefined, 'invalid_token']).toContain(res.body.error);
        expect(f.appErrors).toEqual([]);
      }),
      fuzzParameters<[string[]]>(HTTP_RUNS, [[['Bearer']], [['Bearer  ']], [['Bearer a.b.c', 'Bearer a.b.c']], [['Bearer a.b.c\u00ff']]]),
    );
  });

  it('never admits a valid token with anything around it, beside it or in another scheme', async () => {
    const valid = f.tokenFor();
    // Leaves out the one correct form: Bearer, spaces, the token (the server trims trailing whitespace), once.
    const wrapped = fc
      .tuple(scheme, separator, suffix, fc.boolean())
      .filter(([s, sep, suf, twice]) => !(/^bearer$/i.test(s) && /^ +$/.test(sep) && suf.trim() === '' && !twice))
      .map(([s, sep, suf, twice]) => ({ value: `${s}${sep}${valid}${suf}`, twice }));
    await fc.assert(
      fc.asyncProperty(wrapped, async ({ value, twice }) => {
        const res = await authorize(request(server).get('/users/me'), twice ? [value, `Bearer ${valid}`] : [value]);
        expect([400, 401]).toContain(res.status);
        expect(f.appErrors).toEqual([]);
      }),
      fuzzParameters<[{ value: string; twice: boolean }]>(HTTP_RUNS, [
        [{ value: `Bearer ${valid} junk`, twice: false }],
        [{ value: `Bearer\t${valid}`, twice: false }],
        [{ value: `Bearer ${valid},`, twice: false }],
        [{ value: `Bearer ${valid}`, twice: true }],
      ]),
    );
  });
});

import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { InvalidTokenError } from '../../lib/core/errors';
import { AUDIENCE, ISSUER, SECRET, b64, setup, signRaw, type Fixture } from '../helpers';
import { FUZZ_RUNS, HTTP_RUNS, base64urlBytes, fuzzParameters, hostileJson, jwsLike, prototypeIntact, prototypeSnapshot } from './arbitraries';
import { resolvedAuthOf } from '../../lib/config/handles';

const TOLERANCE = 30; // the default clockTolerance

/** Verifies with the fixture's AccessTokens: the claims, or the error it threw. */
function verify(f: Fixture, token: string): { claims?: Record<string, unknown>; error?: unknown } {
  try {
    return { claims: resolvedAuthOf(f.auth).tokens.verify(token).claims };
  } catch (error) {
    return { error };
  }
}

/** Every rule of RFC 9068 §4 and RFC 8725 our verifier promises (see AccessTokens), as a plain predicate. */
function meetsEveryRule(header: unknown, payload: unknown, now: number): boolean {
  if (!isObject(header) || !isObject(payload)) return false;
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : undefined;
  if (header.alg !== 'HS256' || (typ !== 'at+jwt' && typ !== 'application/at+jwt') || 'crit' in header || 'kid' in header) return false;
  const { iss, aud, sub, jti, exp, iat, nbf, scope } = payload;
  if (iss !== ISSUER) return false;
  if (!(aud === AUDIENCE || (Array.isArray(aud) && aud.includes(AUDIENCE)))) return false;
  if (typeof sub !== 'string' || sub === '' || typeof jti !== 'string' || jti === '') return false;
  if (typeof exp !== 'number' || now >= exp + TOLERANCE) return false;
  if (typeof iat !== 'number' || iat > now + TOLERANCE) return false;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + TOLERANCE)) return false;
  return scope === undefined || typeof scope === 'string';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A value for one claim or header field: mostly the good one (so that about a
 * quarter of the tokens are valid and the rest break few rules at once), else
 * none, a value near it (a boundary, a near-miss), or any JSON.
 */
function field(good: unknown, ...near: unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 24, arbitrary: fc.constant(good) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: near.length > 0 ? fc.constantFrom(...near) : fc.constant(good) },
    { weight: 1, arbitrary: hostileJson },
  );
}

/** Usually absent, sometimes one of `values`. */
function rarely(...values: unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...values) });
}

/** Drops undefined fields, so "absent" is absent rather than `undefined`. */
function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function headerArb() {
  return fc
    .record({
      alg: field('HS256', 'HS384', 'HS512', 'none', 'None', 'RS256', 'ES256', 'EdDSA', 'hs256', ''),
      typ: field('at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/At+Jwt', 'JWT', 'at+jwt ', 'jwt', ''),
      crit: rarely([], ['exp'], 'exp', {}),
      kid: rarely('', '0', 'other', '../../etc/passwd', '__proto__', 1),
      // Headers that must be ignored: keys come from the configuration only (RFC 8725 §3.10).
      jku: rarely('https://attacker.example/jwks.json'),
      jwk: rarely({ kty: 'oct', k: b64(SECRET) }),
    })
    .map(defined);
}

function payloadArb(sub: string, now: number) {
  const claims = fc
    .record({
      iss: field(ISSUER, `${ISSUER}/`, ISSUER.toUpperCase(), [ISSUER]),
      aud: field(AUDIENCE, [AUDIENCE], ['other', AUDIENCE], ['other'], `${AUDIENCE} `, []),
      sub: field(sub, '', `${sub} `, 0),
      jti: field('jti-1', '', 7),
      exp: field(now + 600, now - TOLERANCE, now - TOLERANCE + 1, now - TOLERANCE - 1, now, `${now + 600}`, now + 600.5),
      iat: field(now, now + TOLERANCE, now + TOLERANCE + 1, `${now}`),
      nbf: rarely(now, now + TOLERANCE, now + TOLERANCE + 1, 'soon', null),
      scope: field('read admin', '', ['read'], 1),
      epoch: field(0, 1, '0'),
    })
    .map(defined);
  // Mostly claim objects near the valid ones; sometimes any JSON at all (arrays, strings, numbers, null).
  return fc.oneof({ weight: 9, arbitrary: claims }, { weight: 1, arbitrary: hostileJson });
}

/** A compact JWS of `header` and `payload` (any JSON) signed with HMAC-SHA256 and `secret`. */
function signAny(header: unknown, payload: unknown, secret: string): string {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload) ?? '')}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/**
 * Found by these properties: a header value whose string conversion throws
 * (`{"toString":0}`) must be refused like any other bad `alg`, not end in a 500.
 * Kept as a fixed example so every run tries it.
 */
const UNPRINTABLE_ALG = { alg: { toString: 0 }, typ: 'at+jwt' };

describe('fuzz: JWT parsing and verification', () => {
  let f: Fixture;
  let server: Server;
  let prototype: string[];
  beforeAll(async () => {
    f = await setup();
    server = f.app.listen(0, '127.0.0.1');
    prototype = prototypeSnapshot();
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('rejects any string of segments and characters with InvalidTokenError, and nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(jwsLike, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 50 })), (token) => {
        const { error } = verify(f, token);
        expect(error).toBeInstanceOf(InvalidTokenError);
      }),
      fuzzParameters<[string]>(FUZZ_RUNS, [[''], ['..'], ['a.b.c'], ['\u0000.\u0000.\u0000']]),
    );
  });

  it('accepts a token signed with our key exactly when every header and claim rule holds', () => {
    const now = f.clock.seconds();
    fc.assert(
      fc.property(headerArb(), payloadArb(f.alice.id, now), (header, payload) => {
        const { claims, error } = verify(f, signAny(header, payload, SECRET));
        if (error !== undefined) expect(error).toBeInstanceOf(InvalidTokenError);
        expect(claims !== undefined).toBe(meetsEveryRule(header, payload, now));
        expect(prototypeIntact(prototype)).toBe(true);
      }),
      fuzzParameters<[unknown, unknown]>(FUZZ_RUNS * 2, [[UNPRINTABLE_ALG, { iss: ISSUER, aud: AUDIENCE, sub: f.alice.id, jti: 'j', iat: now, exp: now + 60 }]]),
    );
  });

  it('never accepts a forgery: another key, another HMAC, a borrowed or random signature, or alg none', () => {
    const now = f.clock.seconds();
    const valid = f.tokenFor();
    const forgery = fc.oneof(
      fc.tuple(headerArb(), payloadArb(f.alice.id, now), fc.string({ minLength: 1, maxLength: 64 })).map(([h, p, secret]) => signAny(h, p, secret === SECRET ? `${secret}!` : secret)),
      fc.tuple(headerArb(), payloadArb(f.alice.id, now)).map(([h, p]) => signRaw(h, p, SECRET, 'sha512')),
      fc.tuple(headerArb(), payloadArb(f.alice.id, now), base64urlBytes(64)).map(([h, p, sig]) => `${b64(JSON.stringify(h))}.${b64(JSON.stringify(p) ?? '')}.${sig}`),
      // Our header and signature with another payload, and ours with another header.
      payloadArb(f.alice.id, now).map((p) => `${valid.split('.')[0]}.${b64(JSON.stringify(p) ?? '')}.${valid.split('.')[2]}`),
      headerArb().map((h) => `${b64(JSON.stringify(h))}.${valid.split('.').slice(1).join('.')}`),
      fc.tuple(headerArb(), payloadArb(f.alice.id, now)).map(([h, p]) => `${b64(JSON.stringify({ ...h, alg: 'none' }))}.${b64(JSON.stringify(p) ?? '')}.`),
    );
    fc.assert(
      fc.property(forgery, (token) => {
        fc.pre(token !== valid);
        const { claims, error } = verify(f, token);
        expect(claims).toBeUndefined();
        expect(error).toBeInstanceOf(InvalidTokenError);
      }),
      fuzzParameters<[string]>(FUZZ_RUNS * 2, [[`${b64(JSON.stringify({ alg: 'none', typ: 'at+jwt' }))}.${valid.split('.')[1]}.`]]),
    );
  });

  it('rejects every edit of a valid token: a changed, added or removed character, padding, base64 instead of base64url', () => {
    const valid = f.tokenFor();
    const edit = fc.oneof(
      fc.tuple(fc.nat(valid.length - 1), fc.constantFrom(...'AaBbQqZz09-_.+/=~ ')).map(([at, c]) => valid.slice(0, at) + c + valid.slice(at + 1)),
      fc.tuple(fc.nat(valid.length), fc.constantFrom(...'Aa0-_.=')).map(([at, c]) => valid.slice(0, at) + c + valid.slice(at)),
      fc.nat(valid.length - 1).map((at) => valid.slice(0, at) + valid.slice(at + 1)),
      fc.constantFrom(`${valid}=`, `${valid}==`, valid.replace(/-/g, '+').replace(/_/g, '/'), `${valid}.`, `.${valid}`, valid.toUpperCase(), `${valid}.${valid.split('.')[2]}`),
    );
    fc.assert(
      fc.property(edit, (token) => {
        fc.pre(token !== valid);
        expect(verify(f, token).claims).toBeUndefined();
      }),
      fuzzParameters<[string]>(FUZZ_RUNS, [[`${valid}=`], [valid.replace(/-/g, '+').replace(/_/g, '/')]]),
    );
  });

  it('answers forged and mangled tokens over HTTP with 400 or 401, never 200 or 500', async () => {
    const now = f.clock.seconds();
    const token = fc.oneof(
      jwsLike.filter((t) => t !== ''),
      fc.tuple(headerArb(), payloadArb(f.alice.id, now)).map(([h, p]) => signAny(h, p, 'not-our-secret-but-long-enough-to-look-real')),
    );
    await fc.assert(
      fc.asyncProperty(token, async (t) => {
        const res = await request(server).get('/users/me').set('Authorization', `Bearer ${t}`);
        expect([400, 401]).toContain(res.status);
        expect(res.body.error).toBe(res.status === 400 ? 'invalid_request' : 'invalid_token');
        expect(f.appErrors).toEqual([]);
      }),
      fuzzParameters<[string]>(HTTP_RUNS, [[signAny(UNPRINTABLE_ALG, {}, 'not-our-secret')]]),
    );
  });
});

import fc from 'fast-check';
import { bearerChallenge, challenge } from '../../lib/core/challenge';
import { FUZZ_RUNS, fuzzParameters } from '../fuzz/arbitraries';
import { InsufficientScopeError, InvalidTokenError } from '../../lib/core/errors';

/**
 * The only shape a challenge may have (RFC 6750 §3, RFC 9110 §11.6.1): the
 * realm a quoted-string, the other values NQSCHARs (%x20-21 / %x23-5B /
 * %x5D-7E) in quotes, each parameter at most once, in this order. Anything
 * else (a quote that ends a value early, a backslash, a line break) would let
 * a value add parameters of its own or split the header.
 */
const CHALLENGE =
  /^Bearer realm="(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"(?:, error="[\x20\x21\x23-\x5b\x5d-\x7e]*"(?:, error_description="[\x20\x21\x23-\x5b\x5d-\x7e]*")?(?:, scope="[\x20\x21\x23-\x5b\x5d-\x7e]*")?)?$/;

/** Values meant to break out: quotes, backslashes, CR/LF, a forged parameter, a second header. */
const HOSTILE = ['admin" error="forged', 'a\\" scope="root', 'admin\r\nSet-Cookie: session=stolen', 'line\nbreak', 'tab\there', 'nul\u0000byte', 'caf\u00e9 \u2028 \u{1F511}', '"', '\\'];

describe('bearerChallenge', () => {
  it('sends only the realm when the request had no credentials (RFC 6750 §3)', () => {
    expect(bearerChallenge({ realm: 'api' })).toBe('Bearer realm="api"');
  });

  it('quotes the realm and drops characters a description may not hold', () => {
    expect(bearerChallenge({ realm: 'my "api"', error: 'invalid_token', description: 'bad\\ "token"\n' })).toBe(
      'Bearer realm="my \\"api\\"", error="invalid_token", error_description="bad token"',
    );
  });

  it('adds the scope for insufficient_scope', () => {
    expect(bearerChallenge({ realm: 'api', error: 'insufficient_scope', scope: 'a b' })).toBe('Bearer realm="api", error="insufficient_scope", scope="a b"');
  });

  it('adds resource_metadata (RFC 9728 §5.1) to the bare challenge and to error challenges', () => {
    const url = 'https://api.example.com/.well-known/oauth-protected-resource';
    expect(bearerChallenge({ realm: 'api', resourceMetadata: url })).toBe(`Bearer realm="api", resource_metadata="${url}"`);
    expect(bearerChallenge({ realm: 'api', error: 'insufficient_scope', scope: 'a', resourceMetadata: url })).toBe(
      `Bearer realm="api", error="insufficient_scope", scope="a", resource_metadata="${url}"`,
    );
  });

  it('drops quotes, backslashes and line breaks from a scope, so it cannot end its value or add a parameter', () => {
    expect(bearerChallenge({ realm: 'api', error: 'insufficient_scope', scope: 'admin" error="forged\r\nSet-Cookie: a=b\\' })).toBe(
      'Bearer realm="api", error="insufficient_scope", scope="admin error=forgedSet-Cookie: a=b"',
    );
  });

  it('drops line breaks and other controls from the realm, and still escapes its quotes and backslashes', () => {
    expect(bearerChallenge({ realm: 'api\r\nSet-Cookie: a=b', error: 'invalid_token' })).toBe('Bearer realm="apiSet-Cookie: a=b", error="invalid_token"');
    expect(bearerChallenge({ realm: 'a"b\\c\u0000\t\u00e9' })).toBe('Bearer realm="a\\"b\\\\c"');
  });

  it('drops quotes and line breaks from the error code too', () => {
    expect(bearerChallenge({ realm: 'api', error: 'invalid_token", scope="root\r\nX: y' })).toBe('Bearer realm="api", error="invalid_token, scope=rootX: y"');
  });

  it.each(HOSTILE)('keeps the challenge grammar for %j in every value', (value) => {
    for (const params of [
      { realm: value },
      { realm: 'api', error: value },
      { realm: 'api', error: 'invalid_token', description: value },
      { realm: 'api', error: 'insufficient_scope', scope: value },
      { realm: value, error: value, description: value, scope: value },
    ]) {
      expect(bearerChallenge(params)).toMatch(CHALLENGE);
    }
  });

  it('keeps the challenge grammar for any strings (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    fc.assert(
      fc.property(text, fc.option(text, { nil: undefined }), fc.option(text, { nil: undefined }), fc.option(text, { nil: undefined }), (realm, error, description, scope) => {
        expect(bearerChallenge({ realm, error, description, scope })).toMatch(CHALLENGE);
      }),
      fuzzParameters<[string, string | undefined, string | undefined, string | undefined]>(FUZZ_RUNS, HOSTILE.map((value): [string, string, string, string] => [value, value, value, value])),
    );
  });
});

describe('InsufficientScopeError and the other errors with a challenge', () => {
  it('filters a hostile scope out of its WWW-Authenticate value, and never sends the scope in the body', () => {
    const error = new InsufficientScopeError('admin" error="forged\r\nSet-Cookie: session=stolen', { realm: 'api' });
    const header = error.headers['WWW-Authenticate'];
    expect(header).toMatch(CHALLENGE);
    expect(header).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="The access token does not grant the required scope", scope="admin error=forgedSet-Cookie: session=stolen"',
    );
    expect(error.toJSON()).toEqual({ error: 'insufficient_scope', error_description: 'The access token does not grant the required scope' });
  });

  it.each(HOSTILE)('keeps the grammar with a hostile realm %j given to withChallenge', (realm) => {
    expect(new InsufficientScopeError('admin').withChallenge(realm).headers['WWW-Authenticate']).toMatch(CHALLENGE);
    expect(new InvalidTokenError(`expired ${realm}`).withChallenge(realm).headers['WWW-Authenticate']).toMatch(CHALLENGE);
  });
});

describe('challenge with DPoP (RFC 9449 §7.1)', () => {
  const both = { bearer: true, dpop: ['ES256', 'EdDSA'] };

  it('offers both schemes, Bearer first, without an error', () => {
    expect(challenge({ realm: 'api' }, both)).toBe('Bearer realm="api", DPoP realm="api", algs="ES256 EdDSA"');
  });

  it('puts the error on the scheme the request used, first, and leaves the other bare', () => {
    expect(challenge({ realm: 'api', error: 'invalid_token', description: 'Expired' }, { ...both, errorScheme: 'DPoP' })).toBe(
      'DPoP realm="api", error="invalid_token", error_description="Expired", algs="ES256 EdDSA", Bearer realm="api"',
    );
    expect(challenge({ realm: 'api', error: 'invalid_token', description: 'Expired' }, { ...both, errorScheme: 'Bearer' })).toBe(
      'Bearer realm="api", error="invalid_token", error_description="Expired", DPoP realm="api", algs="ES256 EdDSA"',
    );
  });

  it('always puts invalid_dpop_proof and use_dpop_nonce on the DPoP challenge', () => {
    expect(challenge({ realm: 'api', error: 'use_dpop_nonce' }, { ...both, errorScheme: 'Bearer' })).toBe(
      'DPoP realm="api", error="use_dpop_nonce", algs="ES256 EdDSA", Bearer realm="api"',
    );
  });

  it('offers DPoP alone when Bearer is not accepted, carrying any error', () => {
    expect(challenge({ realm: 'api', error: 'invalid_token' }, { bearer: false, dpop: ['ES256'], errorScheme: 'Bearer' })).toBe(
      'DPoP realm="api", error="invalid_token", algs="ES256"',
    );
  });

  it('is the Bearer challenge alone by default', () => {
    expect(challenge({ realm: 'api', error: 'invalid_token' })).toBe(bearerChallenge({ realm: 'api', error: 'invalid_token' }));
  });
});

describe('challenge, built once per distinct input (a flood of refusals costs a lookup)', () => {
  it('tells apart inputs that differ only in what is absent or empty', () => {
    const base = { realm: 'api', error: 'invalid_token', description: 'The access token is invalid' };
    const values = [
      challenge(base),
      challenge(base, { dpop: [] }),
      challenge(base, { dpop: ['ES256'] }),
      challenge(base, { dpop: ['ES256'], errorScheme: 'DPoP' }),
      challenge({ ...base, scope: '' }),
      challenge({ ...base, scope: 'admin' }),
      challenge({ realm: 'api' }),
      challenge({ ...base, resourceMetadata: 'https://api.example/.well-known/oauth-protected-resource' }),
    ];
    expect(new Set(values).size).toBe(values.length - 1); // scope '' sends no scope, as none does
    expect(challenge(base)).toBe(values[0]);
    expect(challenge(base, { dpop: ['ES256'] })).toBe('Bearer realm="api", error="invalid_token", error_description="The access token is invalid", DPoP realm="api", algs="ES256"');
  });

  it('gives the same value from memory as when built, for a thousand realms (past its cap it starts afresh)', () => {
    for (let i = 0; i < 1000; i++) {
      const params = { realm: `realm ${i}`, error: 'invalid_token', description: 'd' };
      const first = challenge(params);
      expect(challenge(params)).toBe(first);
      expect(first).toBe(`Bearer realm="realm ${i}", error="invalid_token", error_description="d"`);
    }
  });
});

import { bearerChallenge, challenge } from '../../lib/core/challenge';

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

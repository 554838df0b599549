import { bearerChallenge } from '../../lib/core/challenge';

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

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

  it('adds resource_metadata (RFC 9728 §5.1) to the bare challenge and to error challenges', () => {
    const url = 'https://api.example.com/.well-known/oauth-protected-resource';
    expect(bearerChallenge({ realm: 'api', resourceMetadata: url })).toBe(`Bearer realm="api", resource_metadata="${url}"`);
    expect(bearerChallenge({ realm: 'api', error: 'insufficient_scope', scope: 'a', resourceMetadata: url })).toBe(
      `Bearer realm="api", error="insufficient_scope", scope="a", resource_metadata="${url}"`,
    );
  });
});

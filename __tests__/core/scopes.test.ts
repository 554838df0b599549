import { formatScope, hasScopes, parseScope } from '../../lib/core/scopes';

describe('scopes', () => {
  it('parses space-separated scope-tokens and drops repeats', () => {
    expect(parseScope('read write read')).toEqual(['read', 'write']);
    expect(parseScope('')).toEqual([]);
  });

  it('refuses double spaces, quotes and backslashes (RFC 6749 §3.3)', () => {
    for (const bad of ['a  b', ' a', 'a ', 'a"b', 'a\\b', 'é']) expect(parseScope(bad)).toBeUndefined();
  });

  it('checks that every required scope is granted', () => {
    expect(hasScopes(['a', 'b'], ['b'])).toBe(true);
    expect(hasScopes(['a'], ['a', 'b'])).toBe(false);
    expect(formatScope(['a', 'b'])).toBe('a b');
  });
});

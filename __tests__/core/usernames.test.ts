import { usernameKey, usernameProblem } from '../../lib/core/usernames';

describe('usernames', () => {
  it('compares regardless of case and Unicode form', () => {
    expect(usernameKey('ALICE')).toBe(usernameKey('alice'));
    expect(usernameKey('Ame\u0301lie')).toBe(usernameKey('amélie'));
  });

  it.each(['', ' alice', 'alice ', 'a\u0000b', 'a\nb', 'x'.repeat(65)])('refuses %j as a new username', (name) => {
    expect(usernameProblem(name)).toEqual(expect.any(String));
  });

  it('accepts non-ASCII names', () => expect(usernameProblem('Zoë 李')).toBeUndefined());
});

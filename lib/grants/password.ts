import { InvalidRequestError, InvalidScopeError } from '../core/errors';
import { readParam } from '../core/params';
import { excessScopeDetail, hasScopes, parseScope } from '../core/scopes';
import { authenticatePassword } from '../login/authenticate-password';
import type { Grant } from './registry';
import { tokenResponse } from './token-response';

/** RFC 6749 §4.3: the resource owner password credentials grant (first-party clients only, RFC 9700 §2.4). */
export const passwordGrant: Grant = {
  type: 'password',
  parameters: {
    username: {},
    password: { format: 'password' },
    scope: { description: 'Space-separated scopes (RFC 6749 §3.3); without it the user gets every scope they hold.' },
  },
  async handle(params, context, client) {
    const username = readParam(params, 'username');
    const password = readParam(params, 'password');
    if (username === undefined || password === undefined) {
      throw new InvalidRequestError("Parameters 'username' and 'password' are required");
    }
    const requested = readScope(params);

    const user = await authenticatePassword(context.login, username, password, client);
    // Checked only after the password, so the scopes of an account are never revealed to a guesser.
    // RFC 6749 §3.3: without a scope parameter the user's full scope is the default.
    const scopes = requested ?? [...user.scopes];
    if (!hasScopes(user.scopes, scopes)) {
      throw new InvalidScopeError(undefined, { detail: excessScopeDetail(scopes, user.scopes, 'account') });
    }
    return { ...(await tokenResponse(context, user, scopes, undefined, client.dpopJkt)), login: { user, scopes } };
  },
};

/** The optional scope parameter: undefined when absent, invalid_scope when malformed (RFC 6749 §3.3). */
export function readScope(params: Record<string, unknown>): string[] | undefined {
  const value = readParam(params, 'scope');
  if (value === undefined) return undefined;
  const scopes = parseScope(value);
  if (scopes === undefined) throw new InvalidScopeError('The scope parameter is malformed');
  return scopes;
}

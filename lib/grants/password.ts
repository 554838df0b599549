import type { Request } from 'express';
import { authenticatePassword } from '../login/authenticate-password';
import { InvalidRequestError, InvalidScopeError, reason } from '../core/errors';
import { tokenResponse, type TokenResponse } from './token-response';
import type { ResolvedOptions } from '../config/auth-options';
import { readParam } from '../core/params';
import { reportLogin } from '../config/hooks';
import { formatScope, hasScopes, parseScope } from '../core/scopes';
import { publicUser } from '../core/user';

/** RFC 6749 §4.3: the resource owner password credentials grant (first-party clients only, RFC 9700 §2.4). */
export async function passwordGrant(auth: ResolvedOptions, params: Record<string, unknown>, req: Request): Promise<TokenResponse> {
  const username = readParam(params, 'username');
  const password = readParam(params, 'password');
  if (username === undefined || password === undefined) {
    throw new InvalidRequestError('Parameters "username" and "password" are required');
  }
  const requested = readScope(params);

  const user = await authenticatePassword(auth, username, password, req.ip ?? 'unknown');
  // Checked only after the password, so the scopes of an account are never revealed to a guesser.
  // RFC 6749 §3.3: without a scope parameter the user's full scope is the default.
  const scopes = requested ?? [...user.scopes];
  if (!hasScopes(user.scopes, scopes)) {
    throw new InvalidScopeError(undefined, { cause: reason(`requested ${formatScope(scopes)}, holds ${formatScope(user.scopes)}`) });
  }
  const body = await tokenResponse(auth, user, scopes);
  reportLogin(auth, { user: publicUser(user), scopes, request: req });
  return body;
}

/** The optional scope parameter: undefined when absent, invalid_scope when malformed (RFC 6749 §3.3). */
export function readScope(params: Record<string, unknown>): string[] | undefined {
  const value = readParam(params, 'scope');
  if (value === undefined) return undefined;
  const scopes = parseScope(value);
  if (scopes === undefined) throw new InvalidScopeError('The scope parameter is malformed');
  return scopes;
}

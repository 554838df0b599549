import type { NextFunction, Request, Response } from 'express';
import { authenticatePassword } from '../authenticate-password';
import {
  AuthError,
  InvalidRequestError,
  InvalidScopeError,
  MethodNotAllowedError,
  UnsupportedGrantTypeError,
} from '../errors';
import type { ResolvedOptions } from '../options';
import { asParams, readParam } from '../params';
import { reportFailure } from '../report';
import { formatScope, hasScopes, parseScope } from '../scopes';
import { publicUser, type User } from '../user';
import { createBodyParser } from './parse-body';
import { NO_STORE, sendError } from './send-error';

/** The RFC 6749 §5.1 success body. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

// Parameters that must never travel in a URL (RFC 6749 §3.2, ASVS 14.2.1).
const BODY_ONLY = ['username', 'password', 'grant_type', 'scope', 'refresh_token', 'client_secret'];

/**
 * Creates the whole `POST /token` handler: the resource owner password grant
 * (RFC 6749 §4.3) for first-party clients (RFC 9700 §2.4). It parses its own
 * body (form-encoded or JSON) and answers per RFC 6749 §5.1/§5.2, every
 * response with `Cache-Control: no-store` and `Pragma: no-cache`.
 */
export function createTokenHandler(auth: ResolvedOptions) {
  const parseBody = createBodyParser(auth.bodyLimit);

  async function grant(req: Request, res: Response): Promise<TokenResponse> {
    // RFC 6749 §3.2: POST only.
    if (req.method !== 'POST') throw new MethodNotAllowedError('POST');
    const query = req.url.includes('?') ? asParams(req.query) : undefined;
    if (query && BODY_ONLY.some((name) => Object.hasOwn(query, name))) {
      throw new InvalidRequestError('Send the parameters in the request body, not in the URL');
    }
    await parseBody(req, res);
    const body = asParams(req.body);
    if (!body) throw new InvalidRequestError('Send the parameters as application/x-www-form-urlencoded or JSON');

    const grantType = readParam(body, 'grant_type');
    if (grantType === undefined) throw new InvalidRequestError('Parameter "grant_type" is required');
    if (grantType !== 'password') throw new UnsupportedGrantTypeError();

    const username = readParam(body, 'username');
    const password = readParam(body, 'password');
    const scopeParam = readParam(body, 'scope');
    if (username === undefined || password === undefined) {
      throw new InvalidRequestError('Parameters "username" and "password" are required');
    }
    const requested = scopeParam === undefined ? undefined : parseScope(scopeParam);
    if (requested === undefined && scopeParam !== undefined) throw new InvalidScopeError('The scope parameter is malformed');

    const user = await authenticatePassword(auth, username, password);
    // Checked only after the password, so the scopes of an account are never revealed to a guesser.
    const scopes = grantedScopes(user, requested);
    const { token, expiresIn } = auth.tokens.issue(user.id, scopes);
    auth.onLogin?.({ user: publicUser(user), scopes, request: req });
    return { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: formatScope(scopes) };
  }

  return async function token(req: Request, res: Response, next: NextFunction): Promise<void> {
    let body: TokenResponse;
    try {
      body = await grant(req, res);
    } catch (err) {
      if (!(err instanceof AuthError)) return next(err);
      reportFailure(auth, err, req);
      return sendError(res, err, NO_STORE);
    }
    res.status(200).set(NO_STORE).json(body);
  };
}

function grantedScopes(user: User, requested: string[] | undefined): string[] {
  // RFC 6749 §3.3: without a scope parameter the user's full scope is the default.
  if (requested === undefined) return [...user.scopes];
  if (!hasScopes(user.scopes, requested)) {
    throw new InvalidScopeError(undefined, { cause: new Error(`requested ${formatScope(requested)}, holds ${formatScope(user.scopes)}`) });
  }
  return requested;
}

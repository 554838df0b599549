import type { NextFunction, Request, Response } from 'express';
import { AuthError, InvalidDpopProofError, InvalidRequestError, MethodNotAllowedError, UnsupportedGrantTypeError } from '../core/errors';
import { asParams, readParam } from '../core/params';
import { publicUser } from '../core/user';
import type { ResolvedAuth } from '../config/auth-options';
import { reportFailure, reportLogin } from '../config/hooks';
import type { GrantResult } from '../grants/registry';
import { tokenExchange } from './cookie-mode';
import { isSameOriginLogin } from '../core/request-origin';
import { createBodyParser, UNREAD_BODY } from './parse-body';
import { NO_STORE, sendError } from './send-error';

// Parameters that must never travel in a URL (RFC 6749 §3.2, ASVS 14.2.1).
const BODY_ONLY = ['username', 'password', 'grant_type', 'scope', 'refresh_token', 'token', 'client_secret'];

/** Reads the POST body of an OAuth endpoint: form-encoded or JSON, never the query string. */
export async function readOAuthBody(req: Request, res: Response, parseBody: ReturnType<typeof createBodyParser>) {
  // RFC 6749 §3.2 and RFC 7009 §2.1: POST only.
  if (req.method !== 'POST') throw new MethodNotAllowedError('POST');
  const query = req.url.includes('?') ? asParams(req.query) : undefined;
  if (query && BODY_ONLY.some((name) => Object.hasOwn(query, name))) {
    throw new InvalidRequestError('Send the parameters in the request body, not in the URL');
  }
  await parseBody(req, res);
  const params = asParams(req.body);
  if (!params) throw new InvalidRequestError(UNREAD_BODY);
  return params;
}

/**
 * Creates the whole `POST /token` handler: every grant of the registry (the
 * password grant, RFC 6749 §4.3, for first-party clients: RFC 9700 §2.4; and
 * the refresh-token grant, §6). It parses its own body (form-encoded or JSON)
 * and answers per RFC 6749 §5.1/§5.2, every response with
 * `Cache-Control: no-store` and `Pragma: no-cache`.
 *
 * Unless the `dpop` option is "off", a request with a `DPoP` proof (RFC 9449
 * §5) has it checked, before any grant work, and the grant gets the key's
 * thumbprint to bind its tokens to; with "required", a request without one
 * is refused.
 */
export function createTokenHandler(auth: ResolvedAuth) {
  const parseBody = createBodyParser(auth.bodyLimit);
  const context = { tokens: auth.tokens, refreshTokens: auth.refreshTokens, login: auth };
  let nextPurge = 0;

  // Expired refresh tokens and denylist entries go at most once an hour, in the background;
  // a failed purge is retried next time and never fails a request.
  function purgeExpired(): void {
    const now = auth.now();
    if (now < nextPurge) return;
    nextPurge = now + 3600_000;
    for (const store of [auth.refreshTokens?.store, auth.denylist]) {
      store?.purgeExpired(now).catch((err: unknown) => auth.hooks.onError(err, 'purge of expired tokens failed'));
    }
  }

  async function grant(req: Request, res: Response): Promise<GrantResult> {
    const ip = req.ip;
    await auth.rateLimits?.request('token', ip);
    const params = await readOAuthBody(req, res, parseBody);
    purgeExpired();
    // Cookie mode (./cookie-mode.ts): a browser's refresh token comes from, and goes to, its cookie.
    const exchange = tokenExchange(auth, req, res, params);
    const grantType = readParam(exchange.params, 'grant_type');
    if (grantType === undefined) throw new InvalidRequestError("Parameter 'grant_type' is required");
    const handler = auth.grants.find(grantType);
    if (handler === undefined) throw new UnsupportedGrantTypeError();
    const dpopJkt = await proofKey(auth, req, auth.dpop.policy === 'required');
    const client = { ip, deviceCookies: auth.deviceCookies?.read(req.headers.cookie, req.secure), dpopJkt };
    return exchange.run((grantParams, grantContext) => handler.handle(grantParams, grantContext, client), context);
  }


  return async function token(req: Request, res: Response, next: NextFunction): Promise<void> {
    let result: GrantResult;
    try {
      result = await grant(req, res);
    } catch (err) {
      if (!(err instanceof AuthError)) return next(err);
      reportFailure(auth.hooks, err, req);
      return sendError(res, err, NO_STORE);
    }
    if (result.login) {
      const { user } = result.login;
      // A password login makes this client a trusted device of the account (OWASP device cookies).
      // req.secure follows `trust proxy` behind a TLS-terminating proxy.
      // Never for a login another site started: it would swap the owner's device cookie for the attacker's.
      if (auth.deviceCookies && isSameOriginLogin(req, auth.cookies?.allowedOrigins)) {
        res.append('Set-Cookie', auth.deviceCookies.setCookie(user, req.secure));
      }
      reportLogin(auth.hooks, { user: publicUser(user), scopes: result.login.scopes, request: req });
    }
    // RFC 9449 §8.2: the nonce for the client's next proof, with any answer to a DPoP request.
    const nonce = result.body.token_type === 'DPoP' ? auth.dpop.nonce() : undefined;
    res.status(200).set(NO_STORE).set(nonce === undefined ? {} : { 'DPoP-Nonce': nonce }).json(result.body);
  };
}

/**
 * The thumbprint of the key of the request's DPoP proof (RFC 9449 §5), checked
 * against this endpoint's URL and spent; undefined without one, or a 400 when
 * `required`. A server that does not do DPoP ignores the header (the client
 * then sees token_type Bearer). The token and revocation endpoints share it.
 */
export async function proofKey(auth: ResolvedAuth, req: Request, required: boolean): Promise<string | undefined> {
  const { dpop } = auth;
  if (dpop.policy === 'off') return undefined;
  const proof = dpop.header(req, 'token');
  if (proof === undefined) {
    if (required) throw new InvalidDpopProofError('token', 'A DPoP proof is required', { reason: 'dpop.required', detail: 'no DPoP header' });
    return undefined;
  }
  const verified = dpop.verify(req, proof, 'token');
  await dpop.claim(verified, 'token');
  return verified.jkt;
}

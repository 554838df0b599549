import type { NextFunction, Request, Response } from 'express';
import { AuthError, InvalidDpopProofError, InvalidRequestError } from '../core/errors';
import { readParam } from '../core/params';
import type { AccessTokenClaims } from '../core/user';
import type { ResolvedAuth } from '../config/auth-options';
import { reportFailure } from '../config/hooks';
import { cookieLogout } from './cookie-mode';
import { createBodyParser } from './parse-body';
import { NO_STORE, sendError } from './send-error';
import { proofKey, readOAuthBody } from './token-endpoint';

/**
 * Creates the `POST /revoke` handler (RFC 7009). A refresh token ends its
 * whole family; an access token's `jti` is denied until the token's own
 * expiry. Any well-formed request gets 200 with an empty JSON object, whether
 * the token was valid, unknown or already revoked (RFC 7009 §2.2), so the
 * answer reveals nothing; but a DPoP-bound token needs a proof of its key
 * (RFC 9449 §5), or it is a 400 and stays valid. The hint (`token_type_hint`) only sets the order of
 * lookup.
 */
export function createRevokeHandler(auth: ResolvedAuth) {
  const parseBody = createBodyParser(auth.bodyLimit);

  async function revokeAccessToken(token: string, proven: () => Promise<string | undefined>): Promise<boolean> {
    let claims: AccessTokenClaims;
    try {
      ({ claims } = auth.tokens.verify(token));
    } catch (err) {
      if (err instanceof AuthError) return false; // not one of ours, or expired already: nothing to revoke
      throw err;
    }
    await checkBinding(claims.cnf?.jkt ?? null, proven);
    // Denied for as long as it could be accepted, clock tolerance included.
    await auth.denylist.add(claims.jti, auth.tokens.acceptedUntil(claims));
    return true;
  }

  async function revokeRefreshToken(token: string, proven: () => Promise<string | undefined>): Promise<boolean> {
    const found = await auth.refreshTokens?.find(token);
    if (!found) return false;
    await checkBinding(found.family.jkt ?? null, proven);
    await auth.refreshTokens!.revokeFamily(found.family.id);
    return true;
  }

  /**
   * RFC 9449 §5, §7: a DPoP-bound token is the key holder's alone, to spend and to end: revoking one takes
   * a proof of its key, as refreshing does, so a thief who has the token but not the key cannot log its
   * owner out. The answer then says why (invalid_dpop_proof, 400), not 200: the caller holds the token.
   */
  async function checkBinding(jkt: string | null, proven: () => Promise<string | undefined>): Promise<void> {
    if (jkt === null) return;
    const key = await proven();
    if (key === jkt) return;
    throw key === undefined
      ? new InvalidDpopProofError('token', 'A DPoP proof of the key the token is bound to is required', { reason: 'dpop.required', detail: 'DPoP-bound token revoked without a proof' })
      : new InvalidDpopProofError('token', 'The DPoP proof is not of the key the token is bound to', { reason: 'dpop.key_mismatch', detail: 'revocation with a proof of another key' });
  }

  return async function revoke(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      await auth.rateLimits?.request('revoke', req.ip);
      const params = await readOAuthBody(req, res, parseBody);
      const token = readParam(params, 'token');
      // Cookie mode (./cookie-mode.ts): a browser's cookie request revokes and clears its refresh-token
      // cookie; `token` is then optional (the page's access token, if sent, is revoked as well).
      // The request's DPoP proof, read (and spent) only if a token turns out to be bound.
      let proof: Promise<string | undefined> | undefined;
      const proven = () => (proof ??= proofKey(auth, req, false));
      const loggedOut = await cookieLogout(auth, req, res, (family) => checkBinding(family.jkt ?? null, proven));
      if (token === undefined && !loggedOut) throw new InvalidRequestError("Parameter 'token' is required");
      // RFC 7009 §2.1: an unknown or wrong hint must not stop the search.
      const order = readParam(params, 'token_type_hint') === 'refresh_token'
        ? [revokeRefreshToken, revokeAccessToken]
        : [revokeAccessToken, revokeRefreshToken];
      if (token !== undefined) for (const attempt of order) if (await attempt(token, proven)) break;
    } catch (err) {
      if (!(err instanceof AuthError)) return next(err);
      reportFailure(auth.hooks, err, req);
      return sendError(res, err, NO_STORE);
    }
    // RFC 7009 §2.2: "the content of the response body is ignored by the client". An empty JSON
    // object rather than no body: clients that parse every answer of the authorization server as
    // JSON (simple-oauth2's revokeAll() fails with 406 on an empty body) get something to parse.
    res.status(200).set(NO_STORE).json({});
  };
}

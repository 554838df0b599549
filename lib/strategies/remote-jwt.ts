import type { Request } from 'express';
import { Strategy } from 'passport-strategy';
import { AuthError } from '../core/errors';
import { authenticateRemoteBearer } from '../bearer/bearer-check';
import { reportFailure } from '../config/hooks';
import { markVerified } from '../bearer/verified-requests';
import { resolveVerifierOptions, type ResolvedVerifierOptions, type VerifierOptions } from '../config/verifier-options';

/**
 * Passport strategy named "jwt" for a verify-only service: accepts bearer
 * tokens from the issuer, checked with the keys of its JWKS. The user is
 * `{ id }` (the token's `sub`); `req.auth` has the claims and scopes.
 * Fails with the RFC 6750 challenge like JwtStrategy; an unreachable issuer
 * is `this.error(err)`: a 500, never a 401.
 *
 * @example
 * passport.use(new RemoteJwtStrategy({ jwksUri, issuer, audience }));
 * app.get('/orders', passport.authenticate('jwt', { session: false }), handler);
 */
export class RemoteJwtStrategy extends Strategy {
  readonly name = 'jwt';
  // Passport runs authenticate() on Object.create(strategy): plain fields, not #private.
  private readonly verifier: ResolvedVerifierOptions;

  constructor(options: VerifierOptions | ResolvedVerifierOptions) {
    super();
    this.verifier = resolveVerifierOptions(options);
  }

  override authenticate(req: Request): void {
    authenticateRemoteBearer(this.verifier, req)
      .then(
        ({ user, auth }) => {
          req.auth = auth;
          markVerified(req, this.verifier);
          this.success(user, auth);
        },
        (err: unknown) => {
          if (!(err instanceof AuthError)) return this.error(err as Error);
          err.withChallenge(this.verifier.realm);
          reportFailure(this.verifier, err, req);
          this.fail(err.headers['WWW-Authenticate'], err.status);
        },
      )
      .catch((err: unknown) => this.error(err as Error));
  }
}

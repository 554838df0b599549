import type { Request } from 'express';
import { Strategy } from 'passport-strategy';
import { authenticateBearer } from '../bearer/session-check';
import { AuthError } from '../core/errors';
import { resolveOptions, type AuthOptions, type ResolvedOptions } from '../config/auth-options';
import { reportFailure } from '../config/hooks';
import { markVerified } from '../bearer/verified-requests';

/**
 * Passport strategy for RFC 6750 bearer tokens issued by this library.
 *
 * Fails with a string challenge, so Passport itself writes
 * `WWW-Authenticate: Bearer realm="…", error="invalid_token", …` on a 401.
 * (Passport writes that header on 401 only; `auth.authenticate()` also sends
 * it with the 400 and 403, and a JSON body with the error code.)
 * A store failure is `this.error(err)`: a 500, never a 401.
 *
 * @example
 * passport.use(new JwtStrategy({ secret, issuer, audience, users }));
 * app.get('/users/me', passport.authenticate('jwt', { session: false }), (req, res) => res.json(req.user));
 */
export class JwtStrategy extends Strategy {
  readonly name = 'jwt';
  // Passport runs authenticate() on Object.create(strategy): plain fields, not #private.
  private readonly auth: ResolvedOptions;

  constructor(options: AuthOptions | ResolvedOptions) {
    super();
    this.auth = resolveOptions(options);
  }

  override authenticate(req: Request): void {
    authenticateBearer(this.auth, req)
      .then(
        ({ user, auth }) => {
          req.auth = auth;
          markVerified(req, this.auth);
          this.success(user, auth);
        },
        (err: unknown) => {
          if (!(err instanceof AuthError)) return this.error(err as Error);
          err.withChallenge(this.auth.realm);
          reportFailure(this.auth, err, req);
          this.fail(err.headers['WWW-Authenticate'], err.status);
        },
      )
      // Whatever throws in the handlers above (the app's code runs inside success()) is an error, never an unhandled rejection.
      .catch((err: unknown) => this.error(err as Error));
  }
}

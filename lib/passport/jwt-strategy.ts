import type { Request } from 'express';
import { markVerified } from '../bearer/verified-requests';
import { AuthError } from '../core/errors';
import { resolvedOf, type BearerSettings } from '../config/handles';
import { reportFailure } from '../config/hooks';
import { PassportStrategy, type StrategySource } from './strategy';

/**
 * Passport strategy named "jwt" for RFC 6750 bearer tokens: the same bearer
 * check as `auth.authenticate()` (or, made from a verifier, as
 * `verifier.authenticate()`).
 *
 * Fails with a string challenge, so Passport itself writes
 * `WWW-Authenticate: Bearer realm="…", error="invalid_token", …` on a 401.
 * (Passport writes that header on 401 only; `auth.authenticate()` also sends
 * it with the 400 and 403, and a JSON body with the error code.)
 * A store failure or an unreachable issuer is `this.error(err)`: a 500, never a 401.
 *
 * @example
 * passport.use(new JwtStrategy(auth)); // or passport.use(auth.jwtStrategy)
 * app.get('/users/me', passport.authenticate('jwt', { session: false }), (req, res) => res.json(req.user));
 */
export class JwtStrategy extends PassportStrategy {
  readonly name = 'jwt';
  private readonly settings: BearerSettings;

  constructor(from: StrategySource) {
    super();
    this.settings = resolvedOf(from, 'JwtStrategy');
  }

  override authenticate(req: Request): void {
    const { bearer, hooks } = this.settings;
    bearer
      .authenticate(req)
      .then(
        ({ user, auth }) => {
          req.auth = auth;
          markVerified(req, bearer);
          this.success(user, auth);
        },
        (err: unknown) => {
          if (!(err instanceof AuthError)) return this.error(err);
          err.withChallenge(bearer.realm, bearer.resourceMetadata);
          reportFailure(hooks, err, req);
          this.fail(err.headers['WWW-Authenticate'], err.status);
        },
      )
      // Whatever throws in the handlers above (the app's code runs inside success()) is an error, never an unhandled rejection.
      .catch((err: unknown) => this.error(err));
  }
}

import type { Request } from 'express';
import { markVerified, verifiedBy } from '../bearer/verified-requests';
import { dpopPolicy } from '../core/dpop-policy';
import { AuthError } from '../core/errors';
import { resolvedOf, type BearerSettings } from '../config/handles';
import { reportFailure } from '../config/hooks';
import { PassportStrategy, type StrategySource } from './strategy';

/**
 * Passport strategy named "jwt" for RFC 6750 bearer tokens and RFC 9449
 * DPoP-bound ones: the same check as `auth.authenticate()` (or, made from a
 * verifier, as `verifier.authenticate()`). The app's `dpop` policy applies
 * unless `passport.authenticate('jwt', { session: false, dpop: 'required' })`
 * sets the route's own.
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

  override authenticate(req: Request, options?: { dpop?: unknown }): void {
    const { bearer, hooks } = this.settings;
    let policy;
    try {
      // Passport hands over the app's options object: read only what the app wrote on it, never an
      // inherited (polluted) Object.prototype.dpop.
      const dpop = options !== undefined && Object.hasOwn(options, 'dpop') ? options.dpop : undefined;
      policy = dpopPolicy(dpop, 'passport.authenticate("jwt"): dpop', bearer.policy);
    } catch (err) {
      return this.error(err);
    }
    // Admitted already by this instance under a scheme this policy takes: checking again would claim the
    // DPoP proof a second time, a replay.
    const earlier = verifiedBy(req, bearer, policy);
    if (earlier !== undefined) {
      req.auth = earlier.auth;
      return this.success(earlier.user, earlier.auth);
    }
    bearer
      .authenticate(req, policy)
      .then(
        ({ user, auth, scheme }) => {
          req.auth = auth;
          markVerified(req, bearer, { user, auth, scheme });
          // RFC 9449 §8.2: the next nonce; Passport's success() takes no headers, so through req.res.
          const nonce = scheme === 'DPoP' ? bearer.dpopNonce() : undefined;
          if (nonce !== undefined) req.res?.setHeader('DPoP-Nonce', nonce);
          this.success(user, auth);
        },
        (err: unknown) => {
          if (!(err instanceof AuthError)) return this.error(err);
          bearer.challenge(err, req, policy);
          reportFailure(hooks, err, req);
          // Passport writes only the challenge and the status; other headers of the error (DPoP-Nonce) go through req.res.
          for (const [name, value] of Object.entries(err.headers)) if (name !== 'WWW-Authenticate') req.res?.setHeader(name, value);
          this.fail(err.headers['WWW-Authenticate'], err.status);
        },
      )
      // Whatever throws in the handlers above (the app's code runs inside success()) is an error, never an unhandled rejection.
      .catch((err: unknown) => this.error(err));
  }
}

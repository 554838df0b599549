import type { Request } from 'express';
import { Strategy as PassportLocalStrategy } from 'passport-local';
import { authenticatePassword, checkPasswordLength } from '../login/authenticate-password';
import { AuthError, InvalidRequestError } from '../core/errors';
import { resolveOptions, type AuthOptions, type ResolvedOptions } from '../config/auth-options';
import { asParams, readParam } from '../core/params';
import { reportFailure, reportLogin } from '../config/hooks';
import { publicUser } from '../core/user';

/**
 * Passport strategy for a username and password, built on passport-local.
 *
 * Unlike passport-local it reads credentials only from the request body
 * (never the query string), refuses repeated or non-string fields with a 400
 * `invalid_request`, and answers a wrong password, an unknown user and a
 * disabled user identically (401 with `{ error: 'invalid_grant' }` as info).
 * The body must be parsed already (express.urlencoded or express.json).
 *
 * @example
 * passport.use(new LocalStrategy({ secret, issuer, audience, users }));
 * app.post('/login', express.urlencoded({ extended: false }), passport.authenticate('local', { session: false }), handler);
 */
export class LocalStrategy extends PassportLocalStrategy {
  override name = 'local';
  private readonly auth: ResolvedOptions;

  constructor(options: AuthOptions | ResolvedOptions) {
    const auth = resolveOptions(options);
    // A function, not an arrow: passport-local calls it as a method of the strategy Passport made
    // with Object.create, so `this.fail` can give a status other than 401 (429, 503).
    super({ usernameField: 'username', passwordField: 'password', passReqToCallback: true, session: false }, function verify(
      this: PassportLocalStrategy & { fail(challenge: object, status: number): void },
      req: Request,
      username: string,
      password: string,
      done: (error: unknown, user?: Express.User | false, info?: { message: string }) => void,
    ) {
      authenticatePassword(auth, username, password, req.ip ?? 'unknown')
        .then(
          (user) => {
            const account = publicUser(user);
            reportLogin(auth, { user: account, scopes: [...user.scopes], request: req });
            done(null, account);
          },
          (err: unknown) => {
            if (!(err instanceof AuthError)) return done(err);
            reportFailure(auth, err, req);
            const info = { message: err.message, error: err.code, ...(err.headers['Retry-After'] && { retryAfter: Number(err.headers['Retry-After']) }) };
            // Wrong credentials are passport-local's usual 401; a block (429) or a full queue (503) keeps its status.
            if (err.status === 429 || err.status === 503) return this.fail(info, err.status);
            done(null, false, info);
          },
        )
        // The app's code runs inside done(): what it throws is an error, never an unhandled rejection.
        .catch((err: unknown) => done(err));
    });
    this.auth = auth;
  }

  override authenticate(req: Request, options?: object): void {
    // passport-local falls back to req.query for a missing field; check the body first so it never does.
    try {
      const body = asParams(req.body);
      const username = body && readParam(body, 'username');
      const password = body && readParam(body, 'password');
      if (username === undefined || password === undefined) {
        throw new InvalidRequestError('Send username and password in the request body');
      }
      // Here rather than in the verify callback: passport-local's fail() there can only answer 401.
      checkPasswordLength(this.auth, password);
    } catch (err) {
      const error = err as AuthError;
      reportFailure(this.auth, error, req);
      return this.fail({ message: error.message, error: error.code }, error.status);
    }
    super.authenticate(req, options);
  }
}

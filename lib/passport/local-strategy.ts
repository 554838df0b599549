import type { Request } from 'express';
import { AuthError, InvalidRequestError } from '../core/errors';
import { asParams, readParam } from '../core/params';
import { isSameOriginLogin } from '../core/request-origin';
import { publicUser } from '../core/user';
import type { ResolvedAuth } from '../config/auth-options';
import { resolvedAuthOf } from '../config/handles';
import { reportFailure, reportLogin } from '../config/hooks';
import { authenticatePassword, checkPasswordLength } from '../login/authenticate-password';
import { PassportStrategy, type StrategySource } from './strategy';

/**
 * Passport strategy named "local" for a username and password: the same
 * login as the token endpoint's password grant, with its brute-force limits.
 *
 * Unlike passport-local it reads credentials only from the request body
 * (never the query string), refuses repeated or non-string fields with a 400
 * `invalid_request`, and answers a wrong password, an unknown user and a
 * disabled user identically (401, with `{ error: 'invalid_grant' }` as info).
 * A block is a 429 and a full hashing queue a 503, each with `Retry-After`
 * set on the response. A successful login sets the device cookie (see
 * `deviceCookie`) on the response, which the app's handler then sends. The
 * body must be parsed already (express.urlencoded or express.json).
 *
 * @example
 * passport.use(new LocalStrategy(auth)); // or passport.use(auth.localStrategy)
 * app.post('/login', express.urlencoded({ extended: false }), passport.authenticate('local', { session: false }), handler);
 */
export class LocalStrategy extends PassportStrategy {
  readonly name = 'local';
  private readonly auth: ResolvedAuth;

  constructor(from: StrategySource) {
    super();
    this.auth = resolvedAuthOf(from, 'LocalStrategy');
  }

  override authenticate(req: Request): void {
    const auth = this.auth;
    const refuse = (err: AuthError) => {
      reportFailure(auth.hooks, err, req);
      const info = { message: err.message, error: err.code, ...(err.headers['Retry-After'] && { retryAfter: Number(err.headers['Retry-After']) }) };
      // Passport's fail() takes no headers: set the error's own (Retry-After on a 429 or 503, RFC 9110 §10.2.3)
      // on the response first, whether Passport or the app's callback answers.
      for (const [name, value] of Object.entries(err.headers)) req.res?.setHeader(name, value);
      // Wrong credentials are the usual 401; a malformed request (400), a block (429) or a full queue (503) keeps its status.
      this.fail(info, err.status === 400 && err.code === 'invalid_grant' ? 401 : err.status);
    };
    let username: string | undefined;
    let password: string | undefined;
    try {
      const body = asParams(req.body);
      username = body && readParam(body, 'username');
      password = body && readParam(body, 'password');
      if (username === undefined || password === undefined) throw new InvalidRequestError('Send username and password in the request body');
      checkPasswordLength(auth.passwords, password);
    } catch (err) {
      return refuse(err as AuthError);
    }
    authenticatePassword(auth, username, password, { ip: req.ip, deviceCookies: auth.deviceCookies?.read(req.headers.cookie, req.secure) })
      .then(
        (user) => {
          // Trusted from now on (OWASP device cookies): the app's handler answers on this response, with the cookie.
          // Not for a login another site started (login CSRF would plant the attacker's cookie).
          if (auth.deviceCookies && isSameOriginLogin(req, auth.cookies?.allowedOrigins)) {
            req.res?.append('Set-Cookie', auth.deviceCookies.setCookie(user, req.secure));
          }
          // The hook gets a copy of its own: what it changes (or throws after changing) is not the user Passport admits.
          reportLogin(auth.hooks, { user: { ...publicUser(user), scopes: [...user.scopes] }, scopes: [...user.scopes], request: req });
          this.success(publicUser(user));
        },
        (err: unknown) => (err instanceof AuthError ? refuse(err) : this.error(err)),
      )
      // The app's code runs inside success(): what it throws is an error, never an unhandled rejection.
      .catch((err: unknown) => this.error(err));
  }
}

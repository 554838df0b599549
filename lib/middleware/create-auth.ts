import { resolveOptions, type AuthOptions } from '../options';
import { JwtStrategy } from '../strategies/jwt';
import { LocalStrategy } from '../strategies/local';
import { createAuthenticate } from './authenticate';
import { createRequireScopes } from './require-scopes';
import { createTokenHandler } from './token';

/** What `createAuth` returns. */
export interface Auth {
  /** The `POST /token` handler (password grant). */
  token(): ReturnType<typeof createTokenHandler>;
  /** Middleware that requires a valid bearer token and sets `req.user` and `req.auth`. */
  authenticate(): ReturnType<typeof createAuthenticate>;
  /** Middleware that requires a token granting every given scope (403 `insufficient_scope` otherwise). */
  requireScopes(...scopes: string[]): ReturnType<typeof createRequireScopes>;
  /** Passport strategy named "jwt", for apps that call passport.use themselves. */
  readonly jwtStrategy: JwtStrategy;
  /** Passport strategy named "local" (username and password from the body). */
  readonly localStrategy: LocalStrategy;
  /** The resolved options: the token service, the password hasher and the user store. */
  readonly options: ReturnType<typeof resolveOptions>;
}

/**
 * Creates the login endpoint, the route guard and the Passport strategies
 * from one set of options, checked once (a bad option throws a TypeError
 * that names it).
 *
 * @example
 * const auth = createAuth({ secret: process.env.JWT_SECRET!, issuer: 'my-app', audience: 'my-api', users: new SqliteUserStore('users.db') });
 * app.post('/token', auth.token());
 * app.get('/users/me', auth.authenticate(), (req, res) => res.json(req.user));
 * app.get('/admin', auth.requireScopes('admin'), handler);
 */
export function createAuth(options: AuthOptions): Auth {
  const resolved = resolveOptions(options);
  return {
    token: () => createTokenHandler(resolved),
    authenticate: () => createAuthenticate(resolved),
    requireScopes: (...scopes: string[]) => createRequireScopes(resolved, scopes),
    jwtStrategy: new JwtStrategy(resolved),
    localStrategy: new LocalStrategy(resolved),
    options: resolved,
  };
}

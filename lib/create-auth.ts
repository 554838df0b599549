import { endAllSessions } from './login/accounts';
import { createOpenApi, type OpenApi } from './openapi/create-openapi';
import { markRoute } from './openapi/marks';
import { resolveOptions, type AuthOptions, type ResolvedOptions } from './config/auth-options';
import { JwtStrategy } from './passport/jwt-strategy';
import { LocalStrategy } from './passport/local-strategy';
import { createChangePassword, createRegister, createSignOutEverywhere, createUpdateMe } from './express/account-routes';
import { createAuthenticate } from './express/guard';
import { createJwksHandler, type JwksHandlerOptions } from './express/jwks';
import { createRequireScopes } from './express/require-scopes';
import { createRevokeHandler } from './express/revoke';
import { createTokenHandler } from './express/token-endpoint';

/** What `createAuth` returns. */
export interface Auth {
  /** The `POST /token` handler: password and refresh-token grants. */
  token(): ReturnType<typeof createTokenHandler>;
  /** The `POST /revoke` handler (RFC 7009): logout. */
  revoke(): ReturnType<typeof createRevokeHandler>;
  /** Middleware that requires a valid bearer token and sets `req.user` and `req.auth`. */
  authenticate(): ReturnType<typeof createAuthenticate>;
  /** Middleware that requires a token granting every given scope (403 `insufficient_scope` otherwise). */
  requireScopes(...scopes: string[]): ReturnType<typeof createRequireScopes>;
  /** `PATCH /users/me`: the caller changes their email. */
  updateMe(): ReturnType<typeof createUpdateMe>;
  /** `PUT /users/me/password`: the caller changes their password; all earlier tokens stop working. */
  changePassword(): ReturnType<typeof createChangePassword>;
  /** `DELETE /users/me/sessions`: the caller signs out everywhere. */
  signOutEverywhere(): ReturnType<typeof createSignOutEverywhere>;
  /** `POST /users`: self-registration, rate-limited per IP. Mount it only where sign-up is wanted. */
  register(): ReturnType<typeof createRegister>;
  /** `GET /.well-known/jwks.json` (RFC 7517): the public keys that verify tokens, for verify-only services. */
  jwks(options?: JwksHandlerOptions): ReturnType<typeof createJwksHandler>;
  /** Ends every session of a user now (e.g. from an admin tool); resolves false for an unknown id. */
  endAllSessions(userId: string): Promise<boolean>;
  /** Passport strategy named "jwt", for apps that call passport.use themselves. */
  readonly jwtStrategy: JwtStrategy;
  /** Passport strategy named "local" (username and password from the body). */
  readonly localStrategy: LocalStrategy;
  /** The resolved options: the token services, the password hasher and the stores. */
  readonly options: ResolvedOptions;
  /** OpenAPI 3.1 read from the middleware above: `operation(route, …)`, `securityScheme(tokenUrl)`, `document({ info, paths })`. */
  readonly openapi: OpenApi;
}

/**
 * Creates the login endpoint, the route guard and the Passport strategies
 * from one set of options, checked once (a bad option throws a TypeError
 * that names it).
 *
 * @example
 * const auth = createAuth({ secret: process.env.JWT_SECRET!, issuer: 'my-app', audience: 'my-api', users: new SqliteUserStore('users.db') });
 * app.post('/token', auth.token());
 * app.get('/users/me', auth.authenticate(), (req, res) => { res.json(req.user); });
 * app.get('/admin', auth.requireScopes('admin'), handler);
 */
export function createAuth(options: AuthOptions): Auth {
  const resolved = resolveOptions(options);
  return {
    // Each function is marked with what it enforces, for auth.openapi.operation().
    token: () => markRoute(createTokenHandler(resolved), 'token', resolved),
    revoke: () => markRoute(createRevokeHandler(resolved), 'revoke', resolved),
    authenticate: () => markRoute(createAuthenticate(resolved), 'authenticate', resolved),
    requireScopes: (...scopes: string[]) => markRoute(createRequireScopes(resolved, scopes), 'requireScopes', resolved, scopes),
    updateMe: () => markRoute(createUpdateMe(resolved), 'updateMe', resolved),
    changePassword: () => markRoute(createChangePassword(resolved), 'changePassword', resolved),
    signOutEverywhere: () => markRoute(createSignOutEverywhere(resolved), 'signOutEverywhere', resolved),
    register: () => markRoute(createRegister(resolved), 'register', resolved),
    jwks: (jwksOptions?: JwksHandlerOptions) => createJwksHandler(resolved.tokens.keys, jwksOptions),
    endAllSessions: async (userId: string) => {
      const user = await resolved.users.findById(userId);
      return user !== null && (await endAllSessions(resolved.users, user)) !== null;
    },
    jwtStrategy: new JwtStrategy(resolved),
    localStrategy: new LocalStrategy(resolved),
    options: resolved,
    openapi: createOpenApi(resolved),
  };
}

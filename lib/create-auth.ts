import type { NextFunction, Request, Response } from 'express';
import { resolveAuthOptions, type AuthOptions, type ResolvedAuth } from './config/auth-options';
import { registerResolved } from './config/handles';
import { createChangePassword, createRegister, createSignOutEverywhere, createUpdateMe } from './express/account-routes';
import { createAuthenticate, resolveRouteOptions, type RouteOptions } from './express/guard';
import { createJwksHandler, type JwksHandlerOptions } from './express/jwks';
import { createRequireScopes, scopesAndOptions, type RequireScopesArgs } from './express/require-scopes';
import { createRevokeHandler } from './express/revoke';
import { createTokenHandler } from './express/token-endpoint';
import type { KeySet } from './jose/key-set';
import type { JwtKey } from './jose/keys';
import { endAllSessions } from './login/accounts';
import type { PasswordHasher } from './login/passwords';
import { createOpenApi, type OpenApi } from './openapi/create-openapi';
import { authorizationServerMetadata, jsonDocumentHandler, protectedResourceMetadata, type MetadataHandlerOptions } from './openapi/metadata';
import { markRoute } from './openapi/marks';
import { JwtStrategy } from './passport/jwt-strategy';
import { LocalStrategy } from './passport/local-strategy';

/**
 * Express middleware made by createAuth or createVerifier. Errors that are not the client's go to `next(err)`.
 * It returns a promise when it has to wait (a store read, a JWKS fetch) and nothing when it could answer at
 * once (`authenticate()` in steady state), so that a protected request pays no promise it does not need.
 */
export type AuthMiddleware = (req: Request, res: Response, next: NextFunction) => void | Promise<void>;

/** What `createAuth` returns. */
export interface Auth {
  /**
   * The `POST /token` handler: the password and refresh-token grants (RFC 6749 §4.3, §6); in cookie
   * mode a page's refresh token travels in its cookie. Mount it with `app.all` so that it answers other
   * methods itself, with 405 and `Allow: POST` (RFC 6749 §3.2); with `app.post` they get the app's 404.
   */
  token(): AuthMiddleware;
  /** The `POST /revoke` handler (RFC 7009): logout; in cookie mode a page logs out with its cookie, which is cleared. Mount it with `app.all`, like `token()`. */
  revoke(): AuthMiddleware;
  /**
   * Middleware that requires a valid access token (Bearer, or DPoP-bound with its proof, as the `dpop`
   * policy says; `{ dpop }` sets this route's own) and sets `req.user` and `req.auth`.
   */
  authenticate(options?: RouteOptions): AuthMiddleware;
  /**
   * Middleware that requires a token granting every given scope (403 `insufficient_scope` otherwise);
   * a last argument `{ dpop }` sets this route's DPoP policy: `requireScopes('admin', { dpop: 'required' })`.
   */
  requireScopes(...args: RequireScopesArgs): AuthMiddleware;
  /** `PATCH /users/me`: the caller changes their email. */
  updateMe(): AuthMiddleware;
  /** `PUT /users/me/password`: the caller changes their password; all earlier tokens stop working. */
  changePassword(): AuthMiddleware;
  /** `DELETE /users/me/sessions`: the caller signs out everywhere. */
  signOutEverywhere(): AuthMiddleware;
  /** `POST /users`: self-registration, rate-limited per IP. Mount it only where sign-up is wanted. */
  register(): AuthMiddleware;
  /** `GET /.well-known/jwks.json` (RFC 7517): the public keys that verify tokens, for verify-only services. */
  jwks(options?: JwksHandlerOptions): (req: Request, res: Response) => void;
  /**
   * `GET /.well-known/oauth-authorization-server` (RFC 8414), read from the
   * OpenAPI document the app serves: its token, revocation and JWKS paths on
   * the issuer, the grant types and the scopes. The issuer must be the
   * server's https URL (http on localhost); anything else is a TypeError here.
   *
   * @example
   * app.get('/.well-known/oauth-authorization-server', auth.metadata(doc));
   */
  metadata(document: object, options?: MetadataHandlerOptions): (req: Request, res: Response) => void;
  /**
   * `GET /.well-known/oauth-protected-resource` (RFC 9728), from the same
   * document: `resource` (the `resource` option), the issuer as authorization
   * server, the scopes and bearer methods. Needs the `resource` option.
   *
   * @example
   * app.get('/.well-known/oauth-protected-resource', auth.resourceMetadata(doc));
   */
  resourceMetadata(document: object, options?: MetadataHandlerOptions): (req: Request, res: Response) => void;
  /** Ends every session of a user now (e.g. from an admin tool); resolves false for an unknown id. */
  endAllSessions(userId: string): Promise<boolean>;
  /**
   * Makes `next` the signing key. The old one keeps verifying for the token
   * lifetime plus the clock tolerance, then is dropped.
   */
  rotateKey(next: JwtKey): void;
  /** The signing and verification keys (to publish a key ahead of a rotation: `auth.keys.add(key)`). */
  readonly keys: KeySet;
  /** The password hasher, with the configured cost and limits: hash passwords of accounts you create. */
  readonly passwords: PasswordHasher;
  /** Passport strategy named "jwt", for apps that call passport.use themselves. */
  readonly jwtStrategy: JwtStrategy;
  /** Passport strategy named "local" (username and password from the body). */
  readonly localStrategy: LocalStrategy;
  /** OpenAPI 3.1 read from the middleware above: `operation(route, …)`, `securityScheme(tokenUrl)`, `document({ info, paths })`. */
  readonly openapi: OpenApi;
}

/**
 * Creates the login endpoint, the route guards and the Passport strategies
 * from one set of options, checked once (a bad or unknown option throws a
 * TypeError that names it).
 *
 * @example
 * const auth = createAuth({ secret: process.env.JWT_SECRET!, issuer: 'my-app', audience: 'my-api', users: new MemoryUserStore() });
 * app.all('/token', auth.token()); // POST; any other method gets 405 with Allow: POST
 * app.get('/users/me', auth.authenticate(), (req, res) => { res.json(req.user); });
 * app.get('/admin', auth.requireScopes('admin'), handler);
 * app.post('/payments', auth.authenticate({ dpop: 'required' }), pay);
 */
export function createAuth(options: AuthOptions): Auth {
  const resolved = resolveAuthOptions(options);
  // Each function is marked with what it enforces, for auth.openapi.operation().
  const mark = <F extends AuthMiddleware>(fn: F, kind: Parameters<typeof markRoute>[1], scopes?: string[], dpop = resolved.dpop.policy) =>
    markRoute(fn, kind, resolved, scopes, dpop);
  // The handlers without options refuse any: an option they do not know is a bad one.
  const plain = (kind: 'token' | 'revoke' | 'updateMe' | 'changePassword' | 'signOutEverywhere' | 'register', create: (auth: ResolvedAuth) => AuthMiddleware) =>
    (...args: unknown[]) => {
      if (args.some((arg) => arg !== undefined)) throw new TypeError(`${kind}() takes no options`);
      return mark(create(resolved), kind);
    };
  const auth: Auth = {
    token: plain('token', createTokenHandler),
    revoke: plain('revoke', createRevokeHandler),
    authenticate: (options?: RouteOptions) =>
      mark(createAuthenticate(resolved, options), 'authenticate', [], resolveRouteOptions(options, 'authenticate', resolved.dpop.policy)),
    requireScopes: (...args: RequireScopesArgs) => {
      const { scopes, options } = scopesAndOptions(args);
      const guard = createRequireScopes(resolved, scopes, resolved.scopes, options);
      return mark(guard, 'requireScopes', scopes, resolveRouteOptions(options, 'requireScopes', resolved.dpop.policy));
    },
    updateMe: plain('updateMe', createUpdateMe),
    changePassword: plain('changePassword', createChangePassword),
    signOutEverywhere: plain('signOutEverywhere', createSignOutEverywhere),
    register: plain('register', createRegister),
    jwks: (jwksOptions?: JwksHandlerOptions) => markRoute(createJwksHandler(resolved.tokens.keys, jwksOptions), 'jwks', resolved),
    metadata: (document: object, options?: MetadataHandlerOptions) => jsonDocumentHandler(authorizationServerMetadata(resolved, document), options),
    resourceMetadata: (document: object, options?: MetadataHandlerOptions) =>
      jsonDocumentHandler(protectedResourceMetadata(resolved, document), options),
    endAllSessions: async (userId: string) => {
      const user = await resolved.users.findById(userId);
      return user !== null && (await endAllSessions(resolved.users, user)) !== null;
    },
    rotateKey: (next: JwtKey) => resolved.tokens.keys.rotate(next, resolved.tokens.acceptedFor),
    keys: resolved.tokens.keys,
    passwords: resolved.passwords,
    // Set below, once the registry knows this object.
    jwtStrategy: undefined as unknown as JwtStrategy,
    localStrategy: undefined as unknown as LocalStrategy,
    openapi: createOpenApi(resolved),
  };
  registerResolved(auth, resolved);
  return Object.freeze(Object.assign(auth, { jwtStrategy: new JwtStrategy(auth), localStrategy: new LocalStrategy(auth) }));
}

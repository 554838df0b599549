import type { RemoteJwks } from './bearer/remote-jwks';
import { registerResolved } from './config/handles';
import { resolveVerifierOptions, type VerifierOptions } from './config/verifier-options';
import type { AuthMiddleware } from './create-auth';
import { createAuthenticate, type RouteOptions } from './express/guard';
import { createRequireScopes, scopesAndOptions, type RequireScopesArgs } from './express/require-scopes';
import { JwtStrategy } from './passport/jwt-strategy';

/** What `createVerifier` returns. */
export interface Verifier {
  /** Middleware that requires a valid access token from the issuer (`{ dpop }` sets this route's DPoP policy) and sets `req.auth` and `req.user` (`{ id }`). */
  authenticate(options?: RouteOptions): AuthMiddleware;
  /** Middleware that requires a token granting every given scope (403 `insufficient_scope` otherwise); a last argument `{ dpop }` sets the route's DPoP policy. */
  requireScopes(...args: RequireScopesArgs): AuthMiddleware;
  /** Passport strategy named "jwt", for apps that call passport.use themselves. */
  readonly jwtStrategy: JwtStrategy;
  /** The cached copy of the issuer's JWKS (`refresh()` fetches it now). */
  readonly jwks: RemoteJwks;
}

/**
 * Creates the route guards of a service that verifies tokens but does not
 * issue them: it holds no key of its own and reads the issuer's public keys
 * from its JWKS (cached; refetched for an unknown `kid` at most once per
 * cooldown). It runs the issuer's own bearer check with those keys, so the
 * answers are the issuer's.
 *
 * It sees no user store, so it cannot notice a password change, a sign-out
 * everywhere or a revoked `jti`: keep access tokens short-lived.
 *
 * @example
 * const verifier = createVerifier({ jwksUri: 'https://auth.example.com/.well-known/jwks.json', issuer: 'https://auth.example.com', audience: 'orders-api' });
 * app.get('/orders', verifier.requireScopes('orders:read'), (req, res) => res.json({ owner: req.auth!.claims.sub }));
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const resolved = resolveVerifierOptions(options);
  const verifier: Verifier = {
    authenticate: (options?: RouteOptions) => createAuthenticate(resolved, options),
    requireScopes: (...args: RequireScopesArgs) => {
      const { scopes, options } = scopesAndOptions(args);
      return createRequireScopes(resolved, scopes, undefined, options);
    },
    jwtStrategy: undefined as unknown as JwtStrategy,
    jwks: resolved.jwks,
  };
  registerResolved(verifier, resolved);
  return Object.freeze(Object.assign(verifier, { jwtStrategy: new JwtStrategy(verifier) }));
}

import type { RemoteJwks } from './bearer/remote-jwks';
import { RemoteJwtStrategy } from './strategies/remote-jwt';
import { resolveVerifierOptions, type ResolvedVerifierOptions, type VerifierOptions } from './config/verifier-options';
import { createRemoteAuthenticate, createRemoteRequireScopes } from './middleware/remote-authenticate';

/** What `createVerifier` returns. */
export interface Verifier {
  /** Middleware that requires a valid bearer token from the issuer and sets `req.auth` and `req.user` (`{ id }`). */
  authenticate(): ReturnType<typeof createRemoteAuthenticate>;
  /** Middleware that requires a token granting every given scope (403 `insufficient_scope` otherwise). */
  requireScopes(...scopes: string[]): ReturnType<typeof createRemoteRequireScopes>;
  /** Passport strategy named "jwt", for apps that call passport.use themselves. */
  readonly jwtStrategy: RemoteJwtStrategy;
  /** The cached copy of the issuer's JWKS. */
  readonly jwks: RemoteJwks;
  /** The resolved options. */
  readonly options: ResolvedVerifierOptions;
}

/**
 * Creates the route guards of a service that verifies tokens but does not
 * issue them: it holds no key of its own and reads the issuer's public keys
 * from its JWKS (cached; refetched for an unknown `kid` at most once per
 * cooldown). Responses match the issuer's `auth.authenticate()`.
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
  return {
    authenticate: () => createRemoteAuthenticate(resolved),
    requireScopes: (...scopes: string[]) => createRemoteRequireScopes(resolved, scopes),
    jwtStrategy: new RemoteJwtStrategy(resolved),
    jwks: resolved.jwks,
    options: resolved,
  };
}

/**
 * express-jwt-auth: password login that issues JWTs, and bearer-token
 * protection, for Express. The stores for SQLite, PostgreSQL and Redis are
 * the subpaths `express-jwt-auth/sqlite`, `/postgres` and `/redis`.
 */

// Factories: the issuer and the verify-only service.
export { createAuth, type Auth, type AuthMiddleware } from './create-auth';
export { createVerifier, type Verifier } from './create-verifier';
export type { AuthOptions } from './config/auth-options';
export type { VerifierOptions } from './config/verifier-options';
export type { BearerOptions, DpopNonceOptions } from './config/bearer-options';
export type { RouteOptions } from './express/guard';
export type { DpopPolicy, AuthScheme } from './core/dpop-policy';
export type { FailureEvent, LoginEvent } from './config/hooks';
export type { JwksHandlerOptions } from './express/jwks';
export type { CookieOptions } from './config/cookie-options';
export type { MetadataHandlerOptions, AuthorizationServerMetadata, ProtectedResourceMetadata } from './openapi/metadata';
export type { OpenApi, OpenApiDocumentOptions, OpenApiPathItem, OAuth2PasswordScheme, RouteHandler } from './openapi/create-openapi';

// Passport strategies.
export { JwtStrategy } from './passport/jwt-strategy';
export { LocalStrategy } from './passport/local-strategy';
export type { StrategySource } from './passport/strategy';

// Keys.
export { KeySet, type KeySetKeys, type KeySetOptions } from './jose/key-set';
export { hmacKey, asymmetricKey, generateKey, type JwtKey } from './jose/keys';
export { jwkThumbprint, type PublicJwk, type JwkSet } from './jose/jwk';
export { ASYMMETRIC_ALGORITHMS, JWS_ALGORITHMS, type HmacAlgorithm, type AsymmetricAlgorithm, type JwsAlgorithm } from './jose/algorithms';

// Errors.
export {
  AuthError,
  CredentialsRequiredError,
  CrossSiteRequestError,
  InsufficientScopeError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  InvalidTokenError,
  InvalidDpopProofError,
  UseDpopNonceError,
  JwksUnavailableError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  StoreUntrustedError,
  TooManyRequestsError,
  UnsupportedGrantTypeError,
  UsernameConflictError,
  UsernameTakenError,
  UsernameCollisionError,
  type UsernameCollision,
  type CollidingAccount,
  type AuthErrorCode,
  type AuthErrorOptions,
  type DpopErrorSite,
  type FailureReason,
} from './core/errors';

// Accounts and passwords, for apps and admin tools that manage users.
export { publicUser, type User, type PublicUser, type AccessTokenClaims, type RequestAuth } from './core/user';
export { usernameKey, normalizeUsername, usernameProblem, usernameSkeletons, usernamesLookAlike } from './core/usernames';
export { scopeProblem } from './core/scopes';
export { PasswordHasher, type Argon2Params, type HashingLimits, type HasherTiming } from './login/passwords';
export { newPasswordProblem, emailProblem, endAllSessions, bumpTokenEpochFrom, type BumpPatch } from './login/accounts';
export type { RateLimitOptions, RedisCounterClient } from './login/rate-limits';
export type { DeviceCookieOptions } from './login/device-cookies';
export type { TokenResponse } from './grants/token-response';

// Stores: the contracts, and the in-memory ones.
export type {
  UserStore,
  NewUser,
  UserPatch,
  UserMatch,
  UserUpdateOptions,
  RefreshTokenStore,
  RefreshFamily,
  RefreshTokenRecord,
  RotateOutcome,
  DenylistStore,
  DpopReplayStore,
  ChangeFeed,
  ChangeListener,
} from './stores/types';
export { decideRotation, type RotationDecision } from './stores/refresh-rotation';
export { MemoryUserStore, MemoryRefreshTokenStore, MemoryDenylistStore, MemoryDpopReplayStore, type MemoryUserStoreOptions } from './stores/memory';

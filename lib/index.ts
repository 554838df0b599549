export { createAuth, type Auth } from './create-auth';
export type { AuthOptions, FailureEvent, LoginEvent, ResolvedOptions } from './config/auth-options';
export { issueAccessToken, type TokenResponse } from './grants/token-response';
export { RefreshTokens, type RefreshTokenOptions } from './tokens/refresh-tokens';
export { endAllSessions, emailProblem, newPasswordProblem, MIN_PASSWORD_LENGTH } from './login/accounts';
export { JwtStrategy } from './passport/jwt-strategy';
export { LocalStrategy } from './passport/local-strategy';
export {
  AuthError,
  CredentialsRequiredError,
  InsufficientScopeError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  InvalidTokenError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnsupportedGrantTypeError,
  UsernameConflictError,
  type AuthErrorOptions,
} from './core/errors';
export { bearerChallenge, type ChallengeParams } from './core/challenge';
export { extractToken, type ExtractOptions } from './bearer/extract-token';
export { AccessTokens, ACCESS_TOKEN_TYPE, type AccessTokenOptions, type ClaimRules, type IssuedAccessToken, type VerifiedAccessToken } from './tokens/access-tokens';
export {
  hmacKey,
  asymmetricKey,
  generateKey,
  ASYMMETRIC_ALGORITHMS,
  JWS_ALGORITHMS,
  type HmacAlgorithm,
  type AsymmetricAlgorithm,
  type JwsAlgorithm,
  type JwtKey,
} from './jose/keys';
export { KeySet, type KeySetKeys, type KeySetOptions } from './jose/key-set';
export { toPublicJwk, publicKeyFromJwk, jwkThumbprint, type PublicJwk, type JwkSet } from './jose/jwk';
export { createJwksHandler, JWK_SET_TYPE, type JwksHandlerOptions } from './express/jwks';
export { createVerifier, type Verifier } from './create-verifier';
export type { VerifierOptions, ResolvedVerifierOptions } from './config/verifier-options';
export { RemoteJwks, JwksUnavailableError, type RemoteJwksOptions } from './bearer/remote-jwks';
export { verifyRemoteToken, type RemoteUser } from './bearer/bearer-check';
export { RemoteJwtStrategy } from './strategies/remote-jwt';
export { PasswordHasher, DEFAULT_ARGON2, DEFAULT_MAX_PASSWORD_LENGTH, type Argon2Params, type HashingLimits } from './login/passwords';
export { ConcurrencyLimit } from './login/concurrency-limit';
export { RateLimits, DEFAULT_RATE_LIMITS, type RateLimitOptions, type LimitedEndpoint } from './login/rate-limits';
export { RedisDenylistStore } from './stores/redis/denylist';
export { publicUser, type User, type PublicUser, type AccessTokenClaims, type RequestAuth } from './core/user';
export type { OpenApi, OpenApiDocumentOptions, RouteHandler } from './openapi/create-openapi';
export type {
  JsonSchema,
  OAuth2PasswordScheme,
  OpenApiDocument,
  OpenApiHeader,
  OpenApiInfo,
  OpenApiMediaType,
  OpenApiMethod,
  OpenApiOperation,
  OpenApiParameter,
  OpenApiPathItem,
  OpenApiRequestBody,
  OpenApiResponse,
  OpenApiSecurityRequirement,
  OpenApiServer,
} from './openapi/types';
export { usernameKey, usernameProblem, normalizeUsername } from './core/usernames';
export type {
  UserStore,
  NewUser,
  UserPatch,
  RefreshTokenStore,
  RefreshFamily,
  RefreshTokenRecord,
  RotateOutcome,
  DenylistStore,
} from './stores/types';
export { UsernameTakenError } from './stores/types';
export { MemoryUserStore } from './stores/memory/users';
export { SqliteUserStore } from './stores/sqlite/users';
export { MemoryRefreshTokenStore } from './stores/memory/refresh-tokens';
export { MemoryDenylistStore } from './stores/memory/denylist';
export { SqliteRefreshTokenStore } from './stores/sqlite/refresh-tokens';
export { SqliteDenylistStore } from './stores/sqlite/denylist';
export { openSqlite } from './stores/sqlite/schema';
export { PostgresUserStore, type PostgresUserStoreOptions } from './stores/postgres/users';
export { PostgresRefreshTokenStore } from './stores/postgres/refresh-tokens';
export { PostgresDenylistStore } from './stores/postgres/denylist';
export { migrate as migratePostgres, LATEST_POSTGRES_SCHEMA_VERSION } from './stores/postgres/schema';

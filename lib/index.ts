export { createAuth, type Auth } from './middleware/create-auth';
export type { AuthOptions, FailureEvent, LoginEvent, ResolvedOptions } from './options';
export { issueAccessToken, type TokenResponse } from './issue-tokens';
export { RefreshTokens, type RefreshTokenOptions } from './refresh-tokens';
export { endAllSessions, emailProblem, newPasswordProblem, MIN_PASSWORD_LENGTH } from './accounts';
export { JwtStrategy } from './strategies/jwt';
export { LocalStrategy } from './strategies/local';
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
} from './errors';
export { bearerChallenge, type ChallengeParams } from './challenge';
export { extractToken, type ExtractOptions } from './extract-token';
export { AccessTokens, ACCESS_TOKEN_TYPE, type AccessTokenOptions, type ClaimRules, type IssuedAccessToken, type VerifiedAccessToken } from './tokens';
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
} from './keys';
export { KeySet, type KeySetKeys, type KeySetOptions } from './key-set';
export { toPublicJwk, publicKeyFromJwk, jwkThumbprint, type PublicJwk, type JwkSet } from './jwk';
export { createJwksHandler, JWK_SET_TYPE, type JwksHandlerOptions } from './middleware/jwks';
export { createVerifier, type Verifier } from './middleware/create-verifier';
export type { VerifierOptions, ResolvedVerifierOptions } from './verifier-options';
export { RemoteJwks, JwksUnavailableError, type RemoteJwksOptions } from './remote-jwks';
export { verifyRemoteToken, type RemoteUser } from './remote-bearer';
export { RemoteJwtStrategy } from './strategies/remote-jwt';
export { PasswordHasher, DEFAULT_ARGON2, DEFAULT_MAX_PASSWORD_LENGTH, type Argon2Params, type HashingLimits } from './passwords';
export { ConcurrencyLimit } from './concurrency-limit';
export { RateLimits, DEFAULT_RATE_LIMITS, type RateLimitOptions, type LimitedEndpoint } from './rate-limits';
export { RedisDenylistStore } from './stores/redis-denylist';
export { publicUser, type User, type PublicUser, type AccessTokenClaims, type RequestAuth } from './user';
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
export { usernameKey, usernameProblem, normalizeUsername } from './usernames';
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
export { MemoryUserStore } from './stores/memory';
export { SqliteUserStore } from './stores/sqlite';
export { MemoryRefreshTokenStore } from './stores/memory-refresh-tokens';
export { MemoryDenylistStore } from './stores/memory-denylist';
export { SqliteRefreshTokenStore } from './stores/sqlite-refresh-tokens';
export { SqliteDenylistStore } from './stores/sqlite-denylist';
export { openSqlite } from './stores/sqlite-schema';
export { PostgresUserStore, type PostgresUserStoreOptions } from './stores/postgres';
export { PostgresRefreshTokenStore } from './stores/postgres-refresh-tokens';
export { PostgresDenylistStore } from './stores/postgres-denylist';
export { migrate as migratePostgres, LATEST_POSTGRES_SCHEMA_VERSION } from './stores/postgres-schema';

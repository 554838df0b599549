export { createAuth, type Auth } from './middleware/create-auth';
export type { AuthOptions, FailureEvent, LoginEvent, ResolvedOptions } from './options';
export type { TokenResponse } from './middleware/token';
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
  UnsupportedGrantTypeError,
  type AuthErrorOptions,
} from './errors';
export { bearerChallenge, type ChallengeParams } from './challenge';
export { extractToken, type ExtractOptions } from './extract-token';
export { AccessTokens, ACCESS_TOKEN_TYPE, type AccessTokenOptions, type IssuedAccessToken, type VerifiedAccessToken } from './tokens';
export { hmacKey, type HmacAlgorithm, type JwtKey } from './keys';
export { PasswordHasher, DEFAULT_ARGON2, DEFAULT_MAX_PASSWORD_LENGTH, type Argon2Params } from './passwords';
export { publicUser, type User, type PublicUser, type AccessTokenClaims, type RequestAuth } from './user';
export { usernameKey, usernameProblem, normalizeUsername } from './usernames';
export type { UserStore, NewUser, UserPatch } from './stores/types';
export { UsernameTakenError } from './stores/types';
export { MemoryUserStore } from './stores/memory';
export { SqliteUserStore } from './stores/sqlite';

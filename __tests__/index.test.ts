import * as api from '../lib';

/**
 * The public export list, pinned: adding or removing an export is a change to
 * the package's API and should show in a review as a change to this list.
 * (Types are checked by __tests__/types/public-api.ts.)
 */
describe('the public API (lib/index.ts)', () => {
  it('exports exactly these values', () => {
    expect(Object.keys(api).sort()).toEqual([
      'ACCESS_TOKEN_TYPE',
      'ASYMMETRIC_ALGORITHMS',
      'AccessTokens',
      'AuthError',
      'ConcurrencyLimit',
      'CredentialsRequiredError',
      'DEFAULT_ARGON2',
      'DEFAULT_MAX_PASSWORD_LENGTH',
      'DEFAULT_RATE_LIMITS',
      'InsufficientScopeError',
      'InvalidGrantError',
      'InvalidRequestError',
      'InvalidScopeError',
      'InvalidTokenError',
      'JWK_SET_TYPE',
      'JWS_ALGORITHMS',
      'JwksUnavailableError',
      'JwtStrategy',
      'KeySet',
      'LATEST_POSTGRES_SCHEMA_VERSION',
      'LocalStrategy',
      'MIN_PASSWORD_LENGTH',
      'MemoryDenylistStore',
      'MemoryRefreshTokenStore',
      'MemoryUserStore',
      'MethodNotAllowedError',
      'PasswordHasher',
      'PayloadTooLargeError',
      'PostgresDenylistStore',
      'PostgresRefreshTokenStore',
      'PostgresUserStore',
      'RateLimits',
      'RedisDenylistStore',
      'RefreshTokens',
      'RemoteJwks',
      'RemoteJwtStrategy',
      'ServiceUnavailableError',
      'SqliteDenylistStore',
      'SqliteRefreshTokenStore',
      'SqliteUserStore',
      'TooManyRequestsError',
      'UnsupportedGrantTypeError',
      'UsernameConflictError',
      'UsernameTakenError',
      'asymmetricKey',
      'bearerChallenge',
      'createAuth',
      'createJwksHandler',
      'createVerifier',
      'emailProblem',
      'endAllSessions',
      'extractToken',
      'generateKey',
      'hmacKey',
      'issueAccessToken',
      'jwkThumbprint',
      'migratePostgres',
      'newPasswordProblem',
      'normalizeUsername',
      'openSqlite',
      'publicKeyFromJwk',
      'publicUser',
      'toPublicJwk',
      'usernameKey',
      'usernameProblem',
      'verifyRemoteToken',
    ]);
  });

  it('exports no undefined value (a re-export of a name that is not there)', () => {
    expect(Object.entries(api).filter(([, value]) => value === undefined).map(([name]) => name)).toEqual([]);
  });
});

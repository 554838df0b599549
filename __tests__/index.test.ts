import * as root from 'express-jwt-auth';
import * as postgres from 'express-jwt-auth/postgres';
import * as redis from 'express-jwt-auth/redis';
import * as sqlite from 'express-jwt-auth/sqlite';

/**
 * The export list of every entry point, pinned: adding or removing an export
 * is a change to the package's API and should show in a review as a change
 * to this list. (Types are checked by __tests__/types/public-api.ts; the
 * entry points themselves by package.json "exports", checked by the package
 * test.)
 */
describe('the public API', () => {
  it.each([
    [
      'express-jwt-auth',
      root,
      [
        'ASYMMETRIC_ALGORITHMS',
        'AuthError',
        'CredentialsRequiredError',
        'CrossSiteRequestError',
        'InsufficientScopeError',
        'InvalidDpopProofError',
        'InvalidGrantError',
        'InvalidRequestError',
        'InvalidScopeError',
        'InvalidTokenError',
        'JWS_ALGORITHMS',
        'JwksUnavailableError',
        'JwtStrategy',
        'KeySet',
        'LocalStrategy',
        'MemoryDenylistStore',
        'MemoryDpopReplayStore',
        'MemoryRefreshTokenStore',
        'MemoryUserStore',
        'MethodNotAllowedError',
        'PasswordHasher',
        'PayloadTooLargeError',
        'ServiceUnavailableError',
        'StoreUntrustedError',
        'TooManyRequestsError',
        'UnsupportedGrantTypeError',
        'UseDpopNonceError',
        'UsernameCollisionError',
        'UsernameConflictError',
        'UsernameTakenError',
        'asymmetricKey',
        'bumpTokenEpochFrom',
        'createAuth',
        'createVerifier',
        'decideRotation',
        'emailProblem',
        'endAllSessions',
        'generateKey',
        'hmacKey',
        'jwkThumbprint',
        'newPasswordProblem',
        'normalizeUsername',
        'publicUser',
        'scopeProblem',
        'usernameKey',
        'usernameProblem',
        'usernameSkeletons',
        'usernamesLookAlike',
      ],
    ],
    ['express-jwt-auth/sqlite', sqlite, ['SqliteDenylistStore', 'SqliteRefreshTokenStore', 'SqliteUserStore', 'openSqlite']],
    ['express-jwt-auth/postgres', postgres, ['LATEST_POSTGRES_SCHEMA_VERSION', 'POSTGRES_TIMEOUT_DEFAULTS', 'PostgresDenylistStore', 'PostgresRefreshTokenStore', 'PostgresUserStore', 'migratePostgres', 'postgresPoolOptions']],
    ['express-jwt-auth/redis', redis, ['RedisDataGuard', 'RedisDenylistStore', 'RedisDpopReplayStore']],
  ])('%s exports exactly these values, none of them undefined', (_entry, module, names) => {
    expect(Object.keys(module).sort()).toEqual(names);
    expect(Object.entries(module).filter(([, value]) => value === undefined).map(([name]) => name)).toEqual([]);
  });
});

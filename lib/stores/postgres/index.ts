/**
 * `express-jwt-auth/postgres`: the PostgreSQL stores, for several servers on
 * one database. Needs the optional peer dependency pg (8): pass each store
 * the same `pg.Pool`, which your app creates and ends.
 *
 * @example
 * import { Pool } from 'pg';
 * import { PostgresUserStore, PostgresRefreshTokenStore, PostgresDenylistStore, postgresPoolOptions } from 'express-jwt-auth/postgres';
 * // postgresPoolOptions(): timeouts and keepalive, so a hung database fails requests in bounded time.
 * const pool = new Pool({ connectionString: process.env.DATABASE_URL, ...postgresPoolOptions() });
 * createAuth({ ..., users: new PostgresUserStore(pool), refreshTokenStore: new PostgresRefreshTokenStore(pool), denylist: new PostgresDenylistStore(pool) });
 */
export { PostgresUserStore, type PostgresUserStoreOptions } from './users';
export { PostgresRefreshTokenStore } from './refresh-tokens';
export { PostgresDenylistStore } from './denylist';
export { migrate as migratePostgres, LATEST_POSTGRES_SCHEMA_VERSION } from './schema';
export type { PgPool, PgClient, PgResult } from './pool';
export { postgresPoolOptions, POSTGRES_TIMEOUT_DEFAULTS, type PostgresTimeouts, type PgPoolTimeoutConfig } from './pool-options';

/**
 * `express-jwt-auth/sqlite`: the SQLite stores, for one server on an
 * embedded database. Needs the optional peer dependency better-sqlite3 (12).
 *
 * @example
 * import { openSqlite, SqliteUserStore, SqliteRefreshTokenStore, SqliteDenylistStore } from 'express-jwt-auth/sqlite';
 * const db = openSqlite('auth.db');
 * createAuth({ ..., users: new SqliteUserStore(db), refreshTokenStore: new SqliteRefreshTokenStore(db), denylist: new SqliteDenylistStore(db) });
 */
export { openSqlite, type SqliteDatabase } from './database';
export { SqliteUserStore, type SqliteUserStoreOptions } from './users';
export { SqliteRefreshTokenStore } from './refresh-tokens';
export { SqliteDenylistStore } from './denylist';

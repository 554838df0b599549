import Database from 'better-sqlite3';

/**
 * A better-sqlite3 `Database`, declared by the members the stores use, so
 * that these types need neither better-sqlite3's nor @types/better-sqlite3's.
 * A database you open with better-sqlite3 (major 12) fits it, as does the one
 * `openSqlite` returns.
 */
export interface SqliteDatabase {
  readonly open: boolean;
  readonly memory: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  prepare(source: string): any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  transaction(fn: (...args: any[]) => any): any;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  exec(source: string): unknown;
  close(): unknown;
}

/**
 * Opens (or creates) a database file for the SQLite stores, configured as they
 * configure a file they open themselves. Open one and pass it to every store
 * so they share one connection and one schema; close it yourself, as stores
 * leave a database they were given open.
 *
 * @example
 * const db = openSqlite('/var/lib/myapp/auth.db');
 * const users = new SqliteUserStore(db);
 * const refreshTokens = new SqliteRefreshTokenStore(db);
 * const denylist = new SqliteDenylistStore(db);
 */
export function openSqlite(file: string): SqliteDatabase {
  const db: SqliteDatabase = new Database(file);
  try {
    // WAL lets readers run while a write is in progress; the busy timeout
    // makes a second process wait for the write lock instead of failing.
    if (!db.memory) db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    // Off by default in SQLite and per connection. The stores do not rely on
    // it (a database passed in may have it off), but with it on the database
    // itself refuses a token of an unknown family.
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}


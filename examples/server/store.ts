import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { Pool } from 'pg';
import type { DenylistStore, RefreshTokenStore, UserStore } from 'express-jwt-auth';
import { PostgresDenylistStore, PostgresRefreshTokenStore, PostgresUserStore, postgresPoolOptions } from 'express-jwt-auth/postgres';
import { openSqlite, SqliteDenylistStore, SqliteRefreshTokenStore, SqliteUserStore } from 'express-jwt-auth/sqlite';
import { ConfigError, databaseUrlProblem, isPostgresUrl } from './config';

/** The example's three stores, on one database. */
export interface Stores {
  users: UserStore;
  refreshTokens: RefreshTokenStore;
  denylist: DenylistStore;
  close(): Promise<void>;
}

/**
 * The SQLite file DATABASE_URL names (`sqlite:<file>` or `sqlite::memory:`),
 * created if missing. The database holds argon2 and refresh-token hashes, so
 * only the server's user may read it: folders this creates are 0700, and the
 * file is created 0600 before SQLite opens it (SQLite gives its -wal and -shm
 * files the database file's mode). An existing folder or file keeps its mode.
 */
function sqliteFile(databaseUrl: string): string {
  if (databaseUrl === 'sqlite:') throw new ConfigError('DATABASE_URL names no file: use sqlite:<file> or sqlite::memory:');
  const problem = databaseUrlProblem(databaseUrl);
  if (problem) throw new ConfigError(problem);
  const file = databaseUrl.slice('sqlite:'.length);
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // 'a' creates the file if missing (with this mode, less the umask) and changes nothing in an existing one.
    closeSync(openSync(file, 'a', 0o600));
  }
  return file;
}

/** Starting the server failed because the database could not be opened; main prints one line. */
export class DatabaseUnavailableError extends Error {}

/** An error's message, or its code when it has none (a refused connection to a dual-stack host is an AggregateError with no message). */
export function errorMessage(err: unknown): string {
  const { message, code } = (err ?? {}) as { message?: unknown; code?: unknown };
  if (typeof message === 'string' && message !== '') return message;
  if (typeof code === 'string') return code;
  return String(err);
}

/**
 * A pool for DATABASE_URL=postgres://… The app owns it: the stores only
 * borrow it, and `close()` ends it.
 */
function openPool(databaseUrl: string): Pool {
  // Every wait bounded (postgresPoolOptions: connect 5 s, statement 5 s, no answer 6 s, TCP keepalive), so a
  // database that hangs (paused, a frozen VM, a dead network path) fails requests with a 500 instead of holding them.
  const pool = new Pool({ connectionString: databaseUrl, ...postgresPoolOptions() });
  // A pooled idle connection that breaks (the server restarted, say) emits
  // 'error' on the pool, which would end the process if nothing listened;
  // the pool drops it and opens a new one when needed.
  pool.on('error', (err) => process.stderr.write(`database connection lost: ${errorMessage(err)}\n`));
  return pool;
}

/** Ends `pool` once however often it is called (pg throws on a second `end()`). */
function endOnce(pool: Pool): () => Promise<void> {
  let ended: Promise<void> | undefined;
  return () => (ended ??= pool.end());
}

/**
 * Opens the users, refresh-token and denylist stores on the database
 * DATABASE_URL names: a SQLite file, or PostgreSQL for `postgres://` URLs,
 * whose schema is brought up to date before this resolves (so a database
 * that cannot be reached fails the start, not the first request).
 */
export async function openStores(databaseUrl: string): Promise<Stores> {
  if (isPostgresUrl(databaseUrl)) return openPostgresStores(databaseUrl);
  const db = openSqlite(sqliteFile(databaseUrl));
  return {
    users: new SqliteUserStore(db),
    refreshTokens: new SqliteRefreshTokenStore(db),
    denylist: new SqliteDenylistStore(db),
    close: async () => {
      db.close();
    },
  };
}

async function openPostgresStores(databaseUrl: string): Promise<Stores> {
  const pool = openPool(databaseUrl);
  const close = endOnce(pool);
  const users = new PostgresUserStore(pool);
  const refreshTokens = new PostgresRefreshTokenStore(pool);
  const denylist = new PostgresDenylistStore(pool);
  try {
    // One migration shared by the three (they share the pool).
    await Promise.all([users.ready(), refreshTokens.ready(), denylist.ready()]);
  } catch (err) {
    await close().catch(() => undefined);
    throw new DatabaseUnavailableError(`cannot open the PostgreSQL database: ${errorMessage(err)}`, { cause: err });
  }
  return { users, refreshTokens, denylist, close };
}

/**
 * Only the user store, which closes its database itself (the CLI needs no
 * more). On PostgreSQL the schema is brought up to date by the first call.
 */
export function openUserStore(databaseUrl: string): UserStore {
  if (isPostgresUrl(databaseUrl)) return new PoolOwningUserStore(openPool(databaseUrl));
  return new SqliteUserStore(sqliteFile(databaseUrl));
}

/** A PostgresUserStore whose `close()` also ends its pool. */
class PoolOwningUserStore extends PostgresUserStore {
  private readonly endPool: () => Promise<void>;

  constructor(pool: Pool) {
    super(pool);
    this.endPool = endOnce(pool);
  }

  override async close(): Promise<void> {
    await super.close();
    await this.endPool();
  }
}

import type Database from 'better-sqlite3';
import { openSqlite, type SqliteDatabase } from './database';
import { migrate, prepareStatement } from './schema';
import type { ChangeFeed, DenylistStore } from '../types';
import { SqliteChangeFeed } from './change-feed';

/**
 * A `DenylistStore` in SQLite through better-sqlite3 (table `access_denylist`),
 * for single-server deployments. Pass a filename or a database you opened,
 * ideally the one your other SQLite stores use (see `openSqlite`); the schema
 * is created or upgraded on first use. `close()` closes only a database the
 * store opened itself.
 *
 * @example
 * const denylist = new SqliteDenylistStore(openSqlite('/var/lib/myapp/auth.db'));
 */
export class SqliteDenylistStore implements DenylistStore {
  private readonly db: Database.Database;
  private readonly ownsDb: boolean;
  private readonly upsert: Database.Statement<[string, number]>;
  private readonly selectLive: Database.Statement<[string, number], number>;
  private readonly deleteExpired: Database.Statement<[number]>;

  constructor(database: string | SqliteDatabase = ':memory:') {
    this.ownsDb = typeof database === 'string';
    this.db = (typeof database === 'string' ? openSqlite(database) : database) as Database.Database;
    try {
      migrate(this.db);
      // max(): adding again must never shorten a revocation.
      this.upsert = prepareStatement(
        this.db,
        `INSERT INTO access_denylist (jti, expires_at) VALUES (?, ?)
         ON CONFLICT (jti) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)`,
      );
      this.selectLive = prepareStatement<[string, number], number>(
        this.db,
        'SELECT 1 FROM access_denylist WHERE jti = ? AND expires_at > ?',
      ).pluck();
      this.deleteExpired = prepareStatement(this.db, 'DELETE FROM access_denylist WHERE expires_at <= ?');
    } catch (err) {
      if (this.ownsDb) this.db.close();
      throw err;
    }
  }

  async add(jti: string, expiresAt: number): Promise<void> {
    this.upsert.run(jti, expiresAt);
    SqliteChangeFeed.of(this.db).token(jti);
  }

  /** The feed of this connection's writes and, through `PRAGMA data_version`, of every other's (see SqliteChangeFeed). */
  changeFeed(): ChangeFeed {
    return SqliteChangeFeed.of(this.db);
  }

  async has(jti: string, now: number): Promise<boolean> {
    return this.selectLive.get(jti, now) !== undefined;
  }

  /** Removes entries whose expiry is at or before `now`: `has` is already false for them. */
  async purgeExpired(now: number): Promise<number> {
    return this.deleteExpired.run(now).changes;
  }

  /** Closes the database if this store opened it; a database passed in stays open. */
  async close(): Promise<void> {
    if (this.ownsDb && this.db.open) this.db.close();
  }
}

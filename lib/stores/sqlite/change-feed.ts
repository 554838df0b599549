import { performance } from 'node:perf_hooks';
import { ChangeHub } from '../change-hub';
import type { SqliteDatabase } from './database';

/**
 * How often, at most, the feed asks SQLite whether another connection wrote
 * (ms). One read of `data_version` and `total_changes()` costs about a microsecond, and only a
 * request that comes after this long pays it.
 */
export const SQLITE_POLL_MS = 2;

/** One feed per connection: every SQLite store on it tells it of its writes. */
const feeds = new WeakMap<SqliteDatabase, SqliteChangeFeed>();

/**
 * The change feed of the SQLite stores on one connection. The stores tell it
 * of their own writes as they make them (better-sqlite3 writes
 * synchronously). Writes of other connections, another process such as the
 * users CLI among them, show in `PRAGMA data_version`, which changes when
 * another connection commits (https://sqlite.org/pragma.html#pragma_data_version);
 * SQL the app runs itself on this connection, around the stores, shows only
 * in `total_changes()`, which counts this connection's writes. The feed reads
 * both when asked how current it is, at most every SQLITE_POLL_MS, and on a
 * change of either tells its listeners to forget everything. (The stores'
 * own writes count too: the cache is then refilled, a few reads, never stale.)
 */
export class SqliteChangeFeed extends ChangeHub {
  private readonly version: { get(): unknown } | undefined;
  private lastVersion: unknown;
  private polledAt = -Infinity;

  private constructor(private readonly db: SqliteDatabase) {
    super();
    // A database that cannot prepare it (closed, or not better-sqlite3 12 after all) has no feed: read-through.
    try {
      this.version = db.prepare('SELECT data_version, total_changes() FROM pragma_data_version').raw();
      this.lastVersion = String(this.version!.get());
      this.polledAt = performance.now();
    } catch {
      this.version = undefined;
    }
  }

  static of(db: SqliteDatabase): SqliteChangeFeed {
    let feed = feeds.get(db);
    if (feed === undefined) {
      feed = new SqliteChangeFeed(db);
      feeds.set(db, feed);
    }
    return feed;
  }

  override currentAsOf(): number {
    if (this.version === undefined || !this.db.open) return -Infinity;
    const now = performance.now();
    if (now - this.polledAt < SQLITE_POLL_MS) return this.polledAt;
    let version: string;
    try {
      version = String(this.version.get());
    } catch {
      return -Infinity;
    }
    if (version !== this.lastVersion) {
      this.lastVersion = version;
      this.reset();
    }
    this.polledAt = now;
    return now;
  }
}

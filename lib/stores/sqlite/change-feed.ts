import { performance } from 'node:perf_hooks';
import { ChangeHub } from '../change-hub';
import type { SqliteDatabase } from './database';

/**
 * How often, at most, the feed asks SQLite whether another connection wrote
 * (ms). One read of `data_version` and `total_changes()` costs about 1.5 µs in a loop (more from a cold cache), and only a
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
  private readonly changes: { get(): unknown } | undefined;
  private lastVersion: unknown;
  private lastChanges: unknown;
  private polledAt = -Infinity;

  private constructor(private readonly db: SqliteDatabase) {
    super();
    // A database that cannot prepare it (closed, or not better-sqlite3 12 after all) has no feed: read-through.
    try {
      // Two statements, not one SELECT of both: the pragma alone costs half as much as the table-valued
      // pragma_data_version, and total_changes() needs no read transaction at all.
      const version = db.prepare('PRAGMA data_version').pluck();
      const changes = db.prepare('SELECT total_changes()').pluck();
      this.lastVersion = version.get();
      this.lastChanges = changes.get();
      this.version = version;
      this.changes = changes;
      this.polledAt = performance.now();
    } catch {
      this.version = undefined;
      this.changes = undefined;
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
    if (this.version === undefined || this.changes === undefined || !this.db.open) return -Infinity;
    const now = performance.now();
    if (now - this.polledAt < SQLITE_POLL_MS) return this.polledAt;
    let version: unknown;
    let changes: unknown;
    try {
      version = this.version.get();
      changes = this.changes.get();
    } catch {
      return -Infinity;
    }
    if (version !== this.lastVersion || changes !== this.lastChanges) {
      this.lastVersion = version;
      this.lastChanges = changes;
      this.reset();
    }
    this.polledAt = now;
    return now;
  }
}

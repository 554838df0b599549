import type { PgPool as Pool } from './pool';
import { ensureMigrated } from './schema';
import type { ChangeFeed, DenylistStore } from '../types';
import { PostgresChangeFeed } from './change-feed';

/**
 * A `DenylistStore` in PostgreSQL through a `pg.Pool` you own (table
 * `access_denylist`), for deployments with several servers: a token revoked
 * on one server is refused by all of them. Pass the pool your other
 * PostgreSQL stores use; the schema is created or upgraded on first use, once
 * per pool (see `ready()`).
 *
 * @example
 * const denylist = new PostgresDenylistStore(pool);
 */
export class PostgresDenylistStore implements DenylistStore {
  private closed = false;

  constructor(private readonly pool: Pool) {}

  /**
   * Resolves once the schema is up to date. Every method awaits it first, so
   * calling it is optional; it is shared by all stores on the pool and cheap
   * after the first call. Rejects when the migration failed; the next call
   * tries again.
   */
  ready(): Promise<void> {
    return ensureMigrated(this.pool);
  }

  async add(jti: string, expiresAt: number): Promise<void> {
    await this.open();
    // GREATEST: adding again must never shorten a revocation. One statement,
    // so two servers adding the same jti at once cannot lose the later expiry.
    await this.pool.query(
      `INSERT INTO access_denylist (jti, expires_at) VALUES ($1, $2)
       ON CONFLICT (jti) DO UPDATE SET expires_at = GREATEST(access_denylist.expires_at, excluded.expires_at)`,
      [jti, expiresAt],
    );
    // At once for this process; the trigger's NOTIFY tells the others.
    PostgresChangeFeed.of(this.pool)?.token(jti);
  }

  /** The pool's change feed (see PostgresChangeFeed), or undefined for a pool that is not a `pg.Pool`. */
  changeFeed(): ChangeFeed | undefined {
    return PostgresChangeFeed.of(this.pool);
  }

  async has(jti: string, now: number): Promise<boolean> {
    await this.open();
    const { rowCount } = await this.pool.query('SELECT 1 FROM access_denylist WHERE jti = $1 AND expires_at > $2', [
      jti,
      now,
    ]);
    return (rowCount ?? 0) > 0;
  }

  /** Removes entries whose expiry is at or before `now`: `has` is already false for them. */
  async purgeExpired(now: number): Promise<number> {
    await this.open();
    const { rowCount } = await this.pool.query('DELETE FROM access_denylist WHERE expires_at <= $1', [now]);
    return rowCount ?? 0;
  }

  /**
   * Makes the store refuse further calls. The pool stays open: it is yours,
   * end it with `pool.end()`. May be called twice.
   */
  async close(): Promise<void> {
    this.closed = true;
  }

  private async open(): Promise<void> {
    if (this.closed) throw new Error('PostgresDenylistStore is closed');
    await this.ready();
  }
}

/** The bounds `postgresPoolOptions` sets, in milliseconds. */
export interface PostgresTimeouts {
  /** Opening a connection, and waiting for a free one when the pool is full (pg `connectionTimeoutMillis`). Default 5000. */
  connectTimeout?: number;
  /** PostgreSQL cancels a statement that runs longer, lock waits included (`statement_timeout`, SQLSTATE 57014). Default 5000. */
  statementTimeout?: number;
  /**
   * The client gives up on a query with no answer after this (pg `query_timeout`): the bound for a server that
   * is paused, or unreachable on an open connection, which `statementTimeout` cannot help with. Keep it above
   * `statementTimeout`, so a slow statement is cancelled by the server first and its connection stays usable. Default 6000.
   */
  queryTimeout?: number;
  /** PostgreSQL ends a session left idle inside a transaction, releasing its locks (`idle_in_transaction_session_timeout`). Default 30000. */
  idleInTransactionTimeout?: number;
  /** TCP keepalive starts probing an idle connection after this, so a peer that vanished is noticed (pg `keepAliveInitialDelayMillis`). Default 10000. */
  keepAliveDelay?: number;
}

/** What `postgresPoolOptions` returns: fields of pg's `PoolConfig`, spread into `new Pool({...})`. */
export interface PgPoolTimeoutConfig {
  connectionTimeoutMillis: number;
  statement_timeout: number;
  query_timeout: number;
  idle_in_transaction_session_timeout: number;
  keepAlive: true;
  keepAliveInitialDelayMillis: number;
}

/** The defaults of `postgresPoolOptions`, in milliseconds. */
export const POSTGRES_TIMEOUT_DEFAULTS: Readonly<Required<PostgresTimeouts>> = Object.freeze({
  connectTimeout: 5000,
  statementTimeout: 5000,
  queryTimeout: 6000,
  idleInTransactionTimeout: 30_000,
  keepAliveDelay: 10_000,
});

const NAMES = Object.keys(POSTGRES_TIMEOUT_DEFAULTS) as (keyof PostgresTimeouts)[];

/**
 * The `pg.Pool` options that bound every wait on PostgreSQL, so that each
 * request ends in bounded time even when the database hangs: without them a
 * query on a pooled connection to a paused (SIGSTOPped, frozen VM) server
 * waits for ever, and the request with it. With them it fails closed: the
 * store rejects, the request is a 500 through `next(err)`.
 *
 * - a new connection, or a free one from a full pool: `connectTimeout`;
 * - a statement that runs long (a lock wait, say): PostgreSQL cancels it
 *   after `statementTimeout`;
 * - a query nobody answers: the client gives up after `queryTimeout`, and
 *   the connection is discarded (a transaction's too, without waiting for a
 *   ROLLBACK that would not be answered either);
 * - a session left inside a transaction: ended after `idleInTransactionTimeout`;
 * - TCP keepalive on every connection, after `keepAliveDelay` idle.
 *
 * A request that meets a hung database therefore ends after at most about
 * `connectTimeout + queryTimeout` (11 s with the defaults); on a warm pool,
 * after `queryTimeout` (6 s). Migrations run under the same bounds.
 *
 * @example
 * import { Pool } from 'pg';
 * import { postgresPoolOptions } from 'express-jwt-auth/postgres';
 * const pool = new Pool({ connectionString: process.env.DATABASE_URL, ...postgresPoolOptions() });
 * const stricter = new Pool({ connectionString, ...postgresPoolOptions({ queryTimeout: 3000, statementTimeout: 2000 }) });
 */
export function postgresPoolOptions(timeouts: PostgresTimeouts = {}): PgPoolTimeoutConfig {
  if (typeof timeouts !== 'object' || timeouts === null) throw new TypeError('timeouts must be an object');
  for (const name of Object.keys(timeouts)) {
    if (!NAMES.includes(name as keyof PostgresTimeouts)) throw new TypeError(`${name} is not an option of postgresPoolOptions (${NAMES.join(', ')})`);
  }
  const value = (name: keyof PostgresTimeouts): number => {
    const ms = timeouts[name] ?? POSTGRES_TIMEOUT_DEFAULTS[name];
    if (!Number.isSafeInteger(ms) || ms <= 0) throw new TypeError(`${name} must be a positive whole number of milliseconds`);
    return ms;
  };
  return {
    connectionTimeoutMillis: value('connectTimeout'),
    statement_timeout: value('statementTimeout'),
    query_timeout: value('queryTimeout'),
    idle_in_transaction_session_timeout: value('idleInTransactionTimeout'),
    keepAlive: true,
    keepAliveInitialDelayMillis: value('keepAliveDelay'),
  };
}

import type { PgClient as PoolClient, PgPool as Pool } from './pool';
import { rekeyUsernames, type KeyedRow } from '../username-keys';
import { skeletonRowsOf } from '../username-skeletons';

/** A schema step: SQL, or JavaScript for a step that computes values (it runs in the migration transaction). */
type Step = string | ((client: PoolClient) => Promise<void>);

/**
 * Schema steps for every PostgreSQL store of this library, like the SQLite
 * ones (sqlite-schema.ts): one list for all tables, since the stores share a
 * database. Step n is version n; `express_jwt_auth_migrations` records which
 * versions a schema has. Append only: never edit a step that has shipped. No
 * `IF NOT EXISTS`, so a step that ran twice would fail loudly instead of
 * hiding a bug.
 *
 * Tables go to the first schema of the connection's `search_path` (usually
 * `public`). Times are `bigint` milliseconds since the epoch so they come back
 * exactly as they went in; scopes are `text[]`.
 */
const MIGRATIONS: readonly Step[] = [
  // 1: accounts. username_key (see usernameKey; NFC lower case until step 4) is unique, so
  // the database itself refuses a second "Alice" even when two servers race.
  // COLLATE "C" orders it by code point, as the other stores do.
  `CREATE TABLE users (
     id            text PRIMARY KEY,
     username      text NOT NULL,
     username_key  text COLLATE "C" NOT NULL,
     email         text,
     password_hash text NOT NULL,
     scopes        text[] NOT NULL DEFAULT '{}',
     disabled      boolean NOT NULL DEFAULT false,
     token_epoch   integer NOT NULL DEFAULT 0,
     created_at    bigint NOT NULL,
     updated_at    bigint NOT NULL,
     CONSTRAINT users_username_key_unique UNIQUE (username_key)
   )`,
  // 2: refresh-token families and their tokens. Tokens are looked up by
  // family for purging, families by user for "sign out everywhere"; the
  // partial index finds the tokens that idled out unused.
  `CREATE TABLE refresh_families (
     id         text PRIMARY KEY,
     user_id    text NOT NULL,
     scopes     text[] NOT NULL DEFAULT '{}',
     epoch      integer NOT NULL,
     created_at bigint NOT NULL,
     expires_at bigint NOT NULL,
     revoked_at bigint
   );
   CREATE INDEX refresh_families_user_id ON refresh_families (user_id);
   CREATE INDEX refresh_families_expires_at ON refresh_families (expires_at);
   CREATE TABLE refresh_tokens (
     hash        text PRIMARY KEY,
     family_id   text NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
     created_at  bigint NOT NULL,
     expires_at  bigint NOT NULL,
     rotated_at  bigint,
     replaced_by text,
     retried     boolean NOT NULL DEFAULT false
   );
   CREATE INDEX refresh_tokens_family_id ON refresh_tokens (family_id);
   CREATE INDEX refresh_tokens_unused_expires_at ON refresh_tokens (expires_at) WHERE rotated_at IS NULL;`,
  // 3: the access-token denylist.
  `CREATE TABLE access_denylist (
     jti        text PRIMARY KEY,
     expires_at bigint NOT NULL
   );
   CREATE INDEX access_denylist_expires_at ON access_denylist (expires_at);`,
  // 4: username keys by RFC 8265 (width mapping, full case folding, NFC)
  // instead of NFC lower case: "STRASSE" and "straße", "ａｌｉｃｅ" and
  // "alice" become one name. Two accounts whose new keys are equal stop the
  // migration (UsernameCollisionError, naming both): it never merges or
  // drops an account.
  rekeyPostgresUsernames,
  // 5: the DPoP key a refresh-token family is bound to (RFC 9449 §5): its RFC 7638
  // thumbprint, NULL for an unbound family (every family made before this step).
  `ALTER TABLE refresh_families ADD COLUMN jkt text`,
  // 6: the skeletons of every username (usernameSkeletons, UTS #39 §4), so that
  // no new name looks like another account's: a row per skeleton and account,
  // unique by (skeleton, shared) where shared is '' for the one account that
  // holds the skeleton. Accounts that already looked alike keep working (see
  // addUsernameSkeletons).
  addUsernameSkeletons,
  // 7: change notifications for the session cache (see PostgresChangeFeed): every
  // committed update or delete of an account and every denylist write NOTIFYs
  // (https://www.postgresql.org/docs/current/sql-notify.html) with the schema and
  // the id, whoever wrote it: this library, the users CLI, or SQL by hand.
  `CREATE FUNCTION express_jwt_auth_notify_user() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM pg_notify('express_jwt_auth_users', TG_TABLE_SCHEMA || ' ' || OLD.id);
     RETURN NULL;
   END $$;
   CREATE TRIGGER users_notify AFTER UPDATE OR DELETE ON users
     FOR EACH ROW EXECUTE FUNCTION express_jwt_auth_notify_user();
   CREATE FUNCTION express_jwt_auth_notify_denylist() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM pg_notify('express_jwt_auth_denylist', TG_TABLE_SCHEMA || ' ' || NEW.jti);
     RETURN NULL;
   END $$;
   CREATE TRIGGER access_denylist_notify AFTER INSERT OR UPDATE ON access_denylist
     FOR EACH ROW EXECUTE FUNCTION express_jwt_auth_notify_denylist();
   -- ALWAYS: also under session_replication_role = replica (logical replication's apply
   -- workers, some restore tools), which skips ordinary triggers.
   ALTER TABLE users ENABLE ALWAYS TRIGGER users_notify;
   ALTER TABLE access_denylist ENABLE ALWAYS TRIGGER access_denylist_notify;`,
  // 8: TRUNCATE fires no row trigger, so step 7 never told of one: a truncated users table
  // kept its accounts alive in every cache. A statement trigger tells every feed on the
  // schema to forget everything.
  `CREATE FUNCTION express_jwt_auth_notify_reset() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM pg_notify('express_jwt_auth_reset', TG_TABLE_SCHEMA || ' ' || TG_TABLE_NAME);
     RETURN NULL;
   END $$;
   CREATE TRIGGER users_truncate_notify AFTER TRUNCATE ON users
     FOR EACH STATEMENT EXECUTE FUNCTION express_jwt_auth_notify_reset();
   CREATE TRIGGER access_denylist_truncate_notify AFTER TRUNCATE ON access_denylist
     FOR EACH STATEMENT EXECUTE FUNCTION express_jwt_auth_notify_reset();
   ALTER TABLE users ENABLE ALWAYS TRIGGER users_truncate_notify;
   ALTER TABLE access_denylist ENABLE ALWAYS TRIGGER access_denylist_truncate_notify;`,
];

/**
 * Step 6: the `username_skeletons` table, filled for the accounts already
 * there, as in SQLite's step 7: oldest first (created_at, then id), each
 * account holds the skeletons no older account has and shares the others
 * (shared = its own id, outside the unique index's reach). Writes to `users`
 * wait from the read to the commit, so no account escapes. COLLATE "C": the
 * index compares code points, as the skeletons are compared everywhere else.
 */
async function addUsernameSkeletons(client: PoolClient): Promise<void> {
  await client.query('LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE');
  await client.query(
    `CREATE TABLE username_skeletons (
       skeleton text COLLATE "C" NOT NULL,
       user_id  text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
       shared   text COLLATE "C" NOT NULL DEFAULT '',
       PRIMARY KEY (skeleton, user_id)
     );
     CREATE UNIQUE INDEX username_skeletons_holder ON username_skeletons (skeleton, shared);
     CREATE INDEX username_skeletons_user_id ON username_skeletons (user_id);`,
  );
  const { rows: accounts } = await client.query<{ id: string; username: string }>('SELECT id, username FROM users ORDER BY created_at, id COLLATE "C"');
  const rows = skeletonRowsOf(accounts);
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO username_skeletons (skeleton, user_id, shared)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
    [rows.map((row) => row.skeleton), rows.map((row) => row.user_id), rows.map((row) => row.shared)],
  );
}

/**
 * Recomputes every `username_key` with the current `usernameKey`. Writes to
 * `users` wait from the read to the commit, so no row escapes the check; the
 * unique constraint is dropped and added again around the one UPDATE, since
 * PostgreSQL checks a non-deferrable constraint row by row and one row's new
 * key may be another row's old one.
 */
async function rekeyPostgresUsernames(client: PoolClient): Promise<void> {
  await client.query('LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE');
  const { rows } = await client.query<KeyedRow>('SELECT id, username, username_key FROM users');
  const changes = rekeyUsernames(rows);
  if (changes.length === 0) return;
  await client.query('ALTER TABLE users DROP CONSTRAINT users_username_key_unique');
  await client.query(
    `UPDATE users SET username_key = changed.key
     FROM unnest($1::text[], $2::text[]) AS changed (id, key)
     WHERE users.id = changed.id`,
    [changes.map((change) => change.id), changes.map((change) => change.key)],
  );
  await client.query('ALTER TABLE users ADD CONSTRAINT users_username_key_unique UNIQUE (username_key)');
}

/** The schema version `migrate` leaves a database at: the number of steps. */
export const LATEST_POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/** Where the applied versions are recorded. */
export const MIGRATIONS_TABLE = 'express_jwt_auth_migrations';

/**
 * The `pg_advisory_xact_lock` key that serialises migrations. Advisory locks
 * are per database, so this also serialises migrations of other schemas in
 * the same database: harmless, they are short and run at startup.
 */
export const MIGRATION_LOCK_KEY = '7305938471120569122';

/**
 * Brings the schema of every table to the latest version and resolves the
 * versions this call applied (none when it was up to date). Safe when several
 * processes start at once: the steps run in one transaction holding an
 * advisory lock, after reading the applied versions again under it, so each
 * step runs once and a failed step leaves nothing behind (PostgreSQL DDL is
 * transactional). Rejects for a schema a newer version of the library made,
 * and with UsernameCollisionError, changing nothing, when step 4 finds two
 * accounts that would have one username key. Step 6 (look-alike names)
 * refuses nothing: accounts that already look alike are kept.
 *
 * The stores call it themselves (once per pool, see `ready()`); call it
 * directly to migrate at deploy time instead.
 */
export async function migrate(pool: Pool): Promise<number[]> {
  return migrateTo(pool, LATEST_POSTGRES_SCHEMA_VERSION);
}

/** `migrate`, up to version `target` only: for tests that build an old schema. */
export async function migrateTo(pool: Pool, target: number): Promise<number[]> {
  const wanted = (applied: Iterable<number>) => {
    const have = new Set(applied);
    const missing: number[] = [];
    for (let version = 1; version <= target; version++) if (!have.has(version)) missing.push(version);
    return missing;
  };
  // Fast path without the lock: every start after the first.
  if (wanted(await appliedVersions(pool)).length === 0) return [];
  return inTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    // Created under the lock: two concurrent CREATE TABLE IF NOT EXISTS can
    // still collide on the catalog.
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
         version    integer PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    // Read again under the lock (READ COMMITTED: this statement sees what a
    // migration that held the lock before us committed).
    const missing = wanted(await appliedVersions(client));
    // A step that rejects rolls back every step of this call (PostgreSQL DDL is transactional).
    for (const version of missing) {
      const step = MIGRATIONS[version - 1]!;
      if (typeof step === 'string') await client.query(step);
      else await step(client);
      await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version) VALUES ($1)`, [version]);
    }
    return missing;
  });
}

/** The applied versions, ascending; rejects for versions this library does not know. */
async function appliedVersions(db: Pool | PoolClient): Promise<number[]> {
  const { rows: found } = await db.query<{ present: boolean }>(
    `SELECT to_regclass('${MIGRATIONS_TABLE}') IS NOT NULL AS present`,
  );
  if (!found[0]?.present) return [];
  const { rows } = await db.query<{ version: number }>(`SELECT version FROM ${MIGRATIONS_TABLE} ORDER BY version`);
  const versions = rows.map((row) => row.version);
  const newest = versions.at(-1) ?? 0;
  if (newest > LATEST_POSTGRES_SCHEMA_VERSION) {
    throw new Error(
      `database schema version ${newest} is newer than this version of the library supports (${LATEST_POSTGRES_SCHEMA_VERSION})`,
    );
  }
  return versions;
}

/** One migration per pool and process: what the stores' `ready()` share. */
const migrations = new WeakMap<Pool, Promise<void>>();

/**
 * `migrate(pool)` once per pool: the first call starts it, later calls share
 * its promise (cheap once settled). A failed migration is forgotten, so the
 * next call tries again (the database may have been down at startup).
 */
export function ensureMigrated(pool: Pool): Promise<void> {
  let migration = migrations.get(pool);
  if (!migration) {
    const started = migrate(pool).then(() => undefined);
    migration = started;
    migrations.set(pool, started);
    started.catch(() => {
      if (migrations.get(pool) === started) migrations.delete(pool);
    });
  }
  return migration;
}

/**
 * Runs `work` in one READ COMMITTED transaction on one connection of `pool`:
 * COMMIT when it resolves, ROLLBACK when anything rejects. The level is
 * explicit because the row locks the stores take rely on READ COMMITTED
 * re-reading a row once its lock is granted; under a stricter default a
 * concurrent change would fail the transaction instead.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection whose ROLLBACK failed is in an unknown state: destroy it
  // rather than hand it back to the pool.
  let broken: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    if (isReadTimeout(err)) {
      // The server stopped answering (pg's query_timeout): a ROLLBACK would wait just as long for nothing.
      // Destroying the connection ends the transaction on the server's side (it rolls back when the
      // connection goes), and the caller hears of the failure after one timeout, not two.
      broken = err as Error;
      throw err;
    }
    try {
      await client.query('ROLLBACK');
    } catch (rollbackErr) {
      broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
    }
    throw err;
  } finally {
    client.release(broken);
  }
}

/** pg's error when a query got no answer within `query_timeout` (see postgresPoolOptions). */
function isReadTimeout(err: unknown): boolean {
  return err instanceof Error && err.message === 'Query read timeout';
}

/** True for a PostgreSQL error with this SQLSTATE (duck-typed: the app's pg may be another copy). */
export function hasSqlState(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/** SQLSTATE unique_violation. */
export const UNIQUE_VIOLATION = '23505';

/**
 * A `bigint` column as a number. pg returns int8 as a string, since not every
 * int8 fits a double; the times stored here (ms since the epoch) all do.
 */
export function toMs(value: string | number): number;
export function toMs(value: string | number | null): number | null;
export function toMs(value: string | number | null): number | null {
  return value === null ? null : Number(value);
}

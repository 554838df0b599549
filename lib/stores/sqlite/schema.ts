import type Database from 'better-sqlite3';
import type { SqliteDatabase } from './database';
import { rekeyUsernames, type KeyedRow } from '../username-keys';
import { skeletonRowsOf } from '../username-skeletons';

/** A schema step: SQL, or JavaScript for a step that computes values (it runs in the migration transaction). */
type Step = string | ((db: Database.Database) => void);

/**
 * Schema steps for every SQLite store of this library. The stores share one
 * database file, and `PRAGMA user_version` is one number per database, so
 * there is one list for all tables rather than one per store: a store that
 * kept its own count would skip or repeat another store's steps.
 *
 * `user_version` records how many steps have run. Append only: a database
 * already at version n only runs the steps after n, so never edit a step that
 * has shipped. No `IF NOT EXISTS`, so a step that ran twice would fail loudly
 * instead of hiding a bug.
 */
const MIGRATIONS: readonly Step[] = [
  // 1: accounts.
  `CREATE TABLE users (
     id            TEXT PRIMARY KEY,
     username      TEXT NOT NULL,
     username_key  TEXT NOT NULL UNIQUE,
     email         TEXT,
     password_hash TEXT NOT NULL,
     scopes        TEXT NOT NULL DEFAULT '',
     disabled      INTEGER NOT NULL DEFAULT 0,
     created_at    INTEGER NOT NULL,
     updated_at    INTEGER NOT NULL
   )`,
  // 2: the token epoch; existing accounts start at 0 like new ones.
  `ALTER TABLE users ADD COLUMN token_epoch INTEGER NOT NULL DEFAULT 0`,
  // 3: refresh-token families and their tokens (times in ms since the epoch,
  // scopes space-separated, retried 0/1). Tokens are looked up by family for
  // purging and revocation, families by user for "sign out everywhere".
  `CREATE TABLE refresh_families (
     id         TEXT PRIMARY KEY,
     user_id    TEXT NOT NULL,
     scopes     TEXT NOT NULL DEFAULT '',
     epoch      INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     revoked_at INTEGER
   );
   CREATE INDEX refresh_families_user_id ON refresh_families (user_id);
   CREATE TABLE refresh_tokens (
     hash        TEXT PRIMARY KEY,
     family_id   TEXT NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
     created_at  INTEGER NOT NULL,
     expires_at  INTEGER NOT NULL,
     rotated_at  INTEGER,
     replaced_by TEXT,
     retried     INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX refresh_tokens_family_id ON refresh_tokens (family_id);`,
  // 4: the access-token denylist.
  `CREATE TABLE access_denylist (
     jti        TEXT PRIMARY KEY,
     expires_at INTEGER NOT NULL
   )`,
  // 5: username keys by RFC 8265 (width mapping, full case folding, NFC)
  // instead of NFC lower case: "STRASSE" and "straße", "ａｌｉｃｅ" and
  // "alice" become one name. Two accounts whose new keys are equal stop the
  // migration (UsernameCollisionError, naming both): it never merges or
  // drops an account.
  rekeySqliteUsernames,
  // 6: the DPoP key a refresh-token family is bound to (RFC 9449 §5): its RFC 7638
  // thumbprint, NULL for an unbound family (every family made before this step).
  `ALTER TABLE refresh_families ADD COLUMN jkt TEXT`,
  // 7: the skeletons of every username (usernameSkeletons, UTS #39 §4), so that
  // no new name looks like another account's: a row per skeleton and account,
  // unique by (skeleton, shared) where shared is '' for the one account that
  // holds the skeleton. Accounts that already looked alike keep working (see
  // addUsernameSkeletons).
  addUsernameSkeletons,
];

/**
 * Step 7: the `username_skeletons` table, filled for the accounts already
 * there. Oldest first (created_at, then id), each account holds the
 * skeletons no older account has, and shares the others (shared = its own
 * id, outside the unique index's reach): accounts that looked alike before
 * this step (`al1` and `all`) both stay and log in as before, and a new
 * look-alike of either is refused.
 */
function addUsernameSkeletons(db: Database.Database): void {
  db.exec(`CREATE TABLE username_skeletons (
     skeleton TEXT NOT NULL,
     user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
     shared   TEXT NOT NULL DEFAULT '',
     PRIMARY KEY (skeleton, user_id)
   );
   CREATE UNIQUE INDEX username_skeletons_holder ON username_skeletons (skeleton, shared);
   CREATE INDEX username_skeletons_user_id ON username_skeletons (user_id);`);
  const accounts = db.prepare('SELECT id, username FROM users ORDER BY created_at, id').safeIntegers(false).all() as Array<{ id: string; username: string }>;
  const insert = db.prepare('INSERT INTO username_skeletons (skeleton, user_id, shared) VALUES (@skeleton, @user_id, @shared)');
  for (const row of skeletonRowsOf(accounts)) insert.run(row);
}

/**
 * Recomputes every `username_key` with the current `usernameKey`. The keys
 * that change are first moved aside to values no key can have (a NUL and the
 * row's id), so the UNIQUE index never sees a key that two rows hold only for
 * the moment: one row's new key may be another row's old one.
 */
function rekeySqliteUsernames(db: Database.Database): void {
  const rows = db.prepare('SELECT id, username, username_key FROM users').safeIntegers(false).all() as KeyedRow[];
  const changes = rekeyUsernames(rows);
  const setKey = db.prepare('UPDATE users SET username_key = ? WHERE id = ?');
  for (const { id } of changes) setKey.run(`\u0000${id}`, id);
  for (const { id, key } of changes) setKey.run(key, id);
}

/** The schema version `migrate` leaves a database at: the number of steps. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the schema of every table to the latest version, once, even with
 * several stores or processes opening the file. Cheap when up to date: every
 * store calls it from its constructor. Throws UsernameCollisionError, leaving
 * the database as it was, when step 5 finds two accounts that would have one
 * username key. Step 7 (look-alike names) refuses nothing: accounts that
 * already look alike are kept (see addUsernameSkeletons). `target` (a lower
 * version) is for tests that build an old database.
 */
export function migrate(database: SqliteDatabase, target: number = LATEST_SCHEMA_VERSION): void {
  const db = database as Database.Database;
  // Fast path without the write lock: every open after the first one.
  if (schemaVersion(db) === target) return;
  db.transaction(() => {
    // Read again under the write lock: another process may have migrated meanwhile.
    const version = schemaVersion(db);
    if (version > LATEST_SCHEMA_VERSION) {
      throw new Error(
        `database schema version ${version} is newer than this version of the library supports (${LATEST_SCHEMA_VERSION})`,
      );
    }
    if (version >= target) return;
    // A step that throws rolls back every step of this call: the database stays at `version`.
    for (const step of MIGRATIONS.slice(version, target)) {
      if (typeof step === 'string') db.exec(step);
      else step(db);
    }
    // PRAGMA takes no bound parameters; the value is our own integer.
    db.pragma(`user_version = ${target}`);
  }).immediate();
}

function schemaVersion(db: SqliteDatabase): number {
  // Number(): a database passed in may have safe integers on, giving a bigint.
  return Number(db.pragma('user_version', { simple: true }));
}

/**
 * Prepares a statement that reads integers as numbers: a database passed in may
 * have safe integers on, and times must come back as numbers.
 */
export function prepareStatement<Params extends unknown[], Result = unknown>(
  db: SqliteDatabase,
  sql: string,
): Database.Statement<Params, Result> {
  return ((db as Database.Database).prepare(sql) as unknown as Database.Statement<Params, Result>).safeIntegers(false);
}

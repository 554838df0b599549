import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { User } from '../user';
import { normalizeUsername, usernameKey } from '../usernames';
import { UsernameTakenError, type NewUser, type UserPatch, type UserStore } from './types';

export interface SqliteUserStoreOptions {
  /** Clock in milliseconds for `createdAt` and `updatedAt`; tests pass a fake one. */
  now?: () => number;
}

/**
 * Schema steps; `PRAGMA user_version` records how many have run. Append only:
 * a database already at version n only runs the steps after n. No `IF NOT
 * EXISTS`, so a step that ran twice would fail loudly instead of hiding a bug.
 */
const MIGRATIONS: readonly string[] = [
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
];

const COLUMNS = 'id, username, email, password_hash, scopes, disabled, created_at, updated_at';

/** A `users` row: scopes space-separated, booleans 0/1, times in ms since the epoch. */
interface UserRow {
  id: string;
  username: string;
  username_key: string;
  email: string | null;
  password_hash: string;
  scopes: string;
  disabled: number;
  created_at: number;
  updated_at: number;
}

/** What the SELECTs return: the key is only for the index. */
type SelectedRow = Omit<UserRow, 'username_key'>;

/**
 * A `UserStore` in SQLite through better-sqlite3, for single-server
 * deployments. Pass a filename (its directory must exist) or a database you
 * opened; the schema is created or upgraded on first use. Files the store
 * opens get WAL mode and a busy timeout; a database you pass in is used as you
 * configured it, and `close()` leaves it open.
 *
 * The methods return promises to fit `UserStore`, but better-sqlite3 does the
 * work synchronously on the calling thread.
 *
 * @example
 * const users = new SqliteUserStore('/var/lib/myapp/users.db');
 * await users.create({ username: 'Alice', passwordHash: await hashPassword(password) });
 * // on shutdown
 * await users.close();
 */
export class SqliteUserStore implements UserStore {
  private readonly db: Database.Database;
  private readonly ownsDb: boolean;
  private readonly now: () => number;
  private readonly selectById: Database.Statement<[string], SelectedRow>;
  private readonly selectByKey: Database.Statement<[string], SelectedRow>;
  private readonly selectAll: Database.Statement<[], SelectedRow>;
  private readonly insertRow: Database.Statement<[UserRow]>;
  private readonly updateRow: Database.Statement<[UserRow]>;
  private readonly deleteRow: Database.Statement<[string]>;
  private readonly updateTx: Database.Transaction<(id: string, patch: UserPatch) => User | null>;

  constructor(database: string | Database.Database = ':memory:', options: SqliteUserStoreOptions = {}) {
    this.ownsDb = typeof database === 'string';
    this.db = typeof database === 'string' ? new Database(database) : database;
    this.now = options.now ?? Date.now;
    try {
      if (this.ownsDb) {
        // WAL lets readers run while a write is in progress; the busy timeout
        // makes a second process wait for the write lock instead of failing.
        if (!this.db.memory) this.db.pragma('journal_mode = WAL');
        this.db.pragma('busy_timeout = 5000');
      }
      migrate(this.db);

      this.selectById = this.prepare(`SELECT ${COLUMNS} FROM users WHERE id = ?`);
      this.selectByKey = this.prepare(`SELECT ${COLUMNS} FROM users WHERE username_key = ?`);
      this.selectAll = this.prepare(`SELECT ${COLUMNS} FROM users ORDER BY username_key`);
      this.insertRow = this.prepare(
        `INSERT INTO users (id, username, username_key, email, password_hash, scopes, disabled, created_at, updated_at)
         VALUES (@id, @username, @username_key, @email, @password_hash, @scopes, @disabled, @created_at, @updated_at)`,
      );
      this.updateRow = this.prepare(
        `UPDATE users SET username = @username, username_key = @username_key, email = @email,
           password_hash = @password_hash, scopes = @scopes, disabled = @disabled, updated_at = @updated_at
         WHERE id = @id`,
      );
      this.deleteRow = this.prepare('DELETE FROM users WHERE id = ?');
    } catch (err) {
      if (this.ownsDb) this.db.close();
      throw err;
    }

    this.updateTx = this.db.transaction((id: string, patch: UserPatch): User | null => {
      const row = this.selectById.get(id);
      if (!row) return null;
      const next = fromRow(row);
      next.updatedAt = new Date(this.now());
      if (patch.username !== undefined) next.username = normalizeUsername(patch.username);
      if (patch.email !== undefined) next.email = patch.email;
      if (patch.passwordHash !== undefined) next.passwordHash = patch.passwordHash;
      if (patch.scopes !== undefined) next.scopes = [...patch.scopes];
      if (patch.disabled !== undefined) next.disabled = patch.disabled;
      this.write(this.updateRow, next);
      return next;
    });
  }

  async findById(id: string): Promise<User | null> {
    const row = this.selectById.get(id);
    return row ? fromRow(row) : null;
  }

  async findByUsername(username: string): Promise<User | null> {
    const row = this.selectByKey.get(usernameKey(username));
    return row ? fromRow(row) : null;
  }

  async create(input: NewUser): Promise<User> {
    const now = this.now();
    const user: User = {
      id: randomUUID(),
      username: normalizeUsername(input.username),
      email: input.email ?? null,
      passwordHash: input.passwordHash,
      scopes: [...(input.scopes ?? [])],
      disabled: input.disabled ?? false,
      createdAt: new Date(now),
      updatedAt: new Date(now),
    };
    this.write(this.insertRow, user);
    return user;
  }

  async update(id: string, patch: UserPatch): Promise<User | null> {
    // IMMEDIATE takes the write lock before the read: a deferred transaction
    // that reads and then writes can fail with SQLITE_BUSY in WAL mode when
    // another connection writes in between, and no busy timeout helps then.
    return this.updateTx.immediate(id, patch);
  }

  async delete(id: string): Promise<boolean> {
    return this.deleteRow.run(id).changes > 0;
  }

  async list(): Promise<User[]> {
    return this.selectAll.all().map(fromRow);
  }

  /** Closes the database if this store opened it; a database passed in stays open. */
  async close(): Promise<void> {
    if (this.ownsDb && this.db.open) this.db.close();
  }

  private prepare<Params extends unknown[], Result = unknown>(sql: string): Database.Statement<Params, Result> {
    // A database passed in may have safe integers on; times must come back as numbers.
    return (this.db.prepare(sql) as unknown as Database.Statement<Params, Result>).safeIntegers(false);
  }

  private write(statement: Database.Statement<[UserRow]>, user: User): void {
    try {
      statement.run(toRow(user));
    } catch (err) {
      if (isUsernameClash(err)) throw new UsernameTakenError(user.username);
      throw err;
    }
  }
}

/** Brings the schema to the latest version, once, even with several processes opening the file. */
function migrate(db: Database.Database): void {
  // Fast path without the write lock: every open after the first one.
  if (schemaVersion(db) === MIGRATIONS.length) return;
  db.transaction(() => {
    // Read again under the write lock: another process may have migrated meanwhile.
    const version = schemaVersion(db);
    if (version > MIGRATIONS.length) {
      throw new Error(
        `users database schema version ${version} is newer than this version of the library supports (${MIGRATIONS.length})`,
      );
    }
    for (const sql of MIGRATIONS.slice(version)) db.exec(sql);
    // PRAGMA takes no bound parameters; the value is our own integer.
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

function schemaVersion(db: Database.Database): number {
  // Number(): a database passed in may have safe integers on, giving a bigint.
  return Number(db.pragma('user_version', { simple: true }));
}

function isUsernameClash(err: unknown): boolean {
  // Duck-typed rather than `instanceof SqliteError`: a database passed in may
  // come from another copy of better-sqlite3.
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof message === 'string' && message.includes('users.username_key');
}

function toRow(user: User): UserRow {
  return {
    id: user.id,
    username: user.username,
    username_key: usernameKey(user.username),
    email: user.email,
    password_hash: user.passwordHash,
    scopes: user.scopes.join(' '),
    disabled: user.disabled ? 1 : 0,
    created_at: user.createdAt.getTime(),
    updated_at: user.updatedAt.getTime(),
  };
}

function fromRow(row: SelectedRow): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    passwordHash: row.password_hash,
    // ''.split(' ') is [''], not [].
    scopes: row.scopes === '' ? [] : row.scopes.split(' '),
    disabled: row.disabled !== 0,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

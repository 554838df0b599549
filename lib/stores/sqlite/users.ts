import type Database from 'better-sqlite3';
import { openSqlite, type SqliteDatabase } from './database';
import type { User } from '../../core/user';
import { normalizeUsername, usernameKey, usernameSkeletons } from '../../core/usernames';
import { newUserRecord } from '../new-user';
import { migrate, prepareStatement } from './schema';
import { UsernameTakenError } from '../../core/errors';
import type { NewUser, UserPatch, UserStore, UserUpdateOptions } from '../types';
import { matchesUser } from '../user-match';
import { skeletonChanges } from '../username-skeletons';
import { SqliteChangeFeed } from './change-feed';
import type { ChangeFeed } from '../types';

export interface SqliteUserStoreOptions {
  /** Clock in milliseconds for `createdAt` and `updatedAt`; tests pass a fake one. */
  now?: () => number;
}

const COLUMNS = 'id, username, email, password_hash, scopes, disabled, token_epoch, created_at, updated_at';

/** A `users` row: scopes space-separated, booleans 0/1, times in ms since the epoch. */
interface UserRow {
  id: string;
  username: string;
  username_key: string;
  email: string | null;
  password_hash: string;
  scopes: string;
  disabled: number;
  token_epoch: number;
  created_at: number;
  updated_at: number;
}

/** What the SELECTs return: the key is only for the index. */
type SelectedRow = Omit<UserRow, 'username_key'>;

/**
 * A `UserStore` in SQLite through better-sqlite3, for single-server
 * deployments. Pass a filename (its directory must exist) or a database you
 * opened; the schema of all the SQLite stores is created or upgraded on first
 * use (see sqlite-schema.ts). Files the store opens are set up as by
 * `openSqlite` (WAL mode, a busy timeout); a database you pass in is used as
 * you configured it, and `close()` leaves it open. To share one file with the
 * refresh-token and denylist stores, open it with `openSqlite` and pass it to
 * each.
 *
 * Usernames are unique by `usernameKey` (a UNIQUE column) and no new name
 * looks like another account's: each of its `usernameSkeletons` is a row of
 * `username_skeletons`, unique per holder, written in the same IMMEDIATE
 * transaction as the account, so two connections cannot both register
 * "alice" and "аӏісе".
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
  private readonly selectBySkeleton: Database.Statement<[string], SelectedRow>;
  private readonly selectSkeletons: Database.Statement<[string], { skeleton: string; shared: string }>;
  private readonly insertSkeleton: Database.Statement<[string, string]>;
  private readonly deleteSkeleton: Database.Statement<[string, string]>;
  private readonly deleteSkeletons: Database.Statement<[string]>;
  private readonly promoteSkeleton: Database.Statement<{ skeleton: string }>;
  private readonly createTx: Database.Transaction<(user: User) => void>;
  private readonly updateTx: Database.Transaction<(id: string, patch: UserPatch, options: UserUpdateOptions) => User | null>;
  private readonly deleteTx: Database.Transaction<(id: string) => boolean>;

  constructor(database: string | SqliteDatabase = ':memory:', options: SqliteUserStoreOptions = {}) {
    this.ownsDb = typeof database === 'string';
    this.db = (typeof database === 'string' ? openSqlite(database) : database) as Database.Database;
    this.now = options.now ?? Date.now;
    try {
      // One schema for all the SQLite stores: this also creates the tables of
      // the others, so they can share the file.
      migrate(this.db);

      this.selectById = this.prepare(`SELECT ${COLUMNS} FROM users WHERE id = ?`);
      this.selectByKey = this.prepare(`SELECT ${COLUMNS} FROM users WHERE username_key = ?`);
      this.selectAll = this.prepare(`SELECT ${COLUMNS} FROM users ORDER BY username_key`);
      this.insertRow = this.prepare(
        `INSERT INTO users (id, username, username_key, email, password_hash, scopes, disabled, token_epoch,
           created_at, updated_at)
         VALUES (@id, @username, @username_key, @email, @password_hash, @scopes, @disabled, @token_epoch,
           @created_at, @updated_at)`,
      );
      this.updateRow = this.prepare(
        `UPDATE users SET username = @username, username_key = @username_key, email = @email,
           password_hash = @password_hash, scopes = @scopes, disabled = @disabled, token_epoch = @token_epoch,
           updated_at = @updated_at
         WHERE id = @id`,
      );
      this.deleteRow = this.prepare('DELETE FROM users WHERE id = ?');
      // The skeletons (schema step 7, see SkeletonRow): the holder of a skeleton first.
      this.selectBySkeleton = this.prepare(
        `SELECT ${COLUMNS} FROM username_skeletons JOIN users ON users.id = username_skeletons.user_id
         WHERE username_skeletons.skeleton = ? ORDER BY username_skeletons.shared LIMIT 1`,
      );
      this.selectSkeletons = this.prepare('SELECT skeleton, shared FROM username_skeletons WHERE user_id = ?');
      this.insertSkeleton = this.prepare(`INSERT INTO username_skeletons (skeleton, user_id, shared) VALUES (?, ?, '')`);
      this.deleteSkeleton = this.prepare('DELETE FROM username_skeletons WHERE skeleton = ? AND user_id = ?');
      this.deleteSkeletons = this.prepare('DELETE FROM username_skeletons WHERE user_id = ?');
      this.promoteSkeleton = this.prepare(PROMOTE_SKELETON);
    } catch (err) {
      if (this.ownsDb) this.db.close();
      throw err;
    }

    this.updateTx = this.db.transaction((id: string, patch: UserPatch, options: UserUpdateOptions): User | null => {
      const row = this.selectById.get(id);
      if (!row) return null;
      const next = fromRow(row);
      // Compared under the write lock that IMMEDIATE took before the read, so
      // no other connection can write between the compare and the set.
      if (!matchesUser(next, options.ifMatch)) return null;
      next.updatedAt = new Date(this.now());
      if (patch.username !== undefined) next.username = normalizeUsername(patch.username);
      if (patch.email !== undefined) next.email = patch.email;
      if (patch.passwordHash !== undefined) next.passwordHash = patch.passwordHash;
      if (patch.scopes !== undefined) next.scopes = [...patch.scopes];
      if (patch.disabled !== undefined) next.disabled = patch.disabled;
      if (patch.tokenEpoch !== undefined) next.tokenEpoch = patch.tokenEpoch;
      this.write(this.updateRow, next);
      if (patch.username !== undefined) this.renameSkeletons(id, next.username);
      return next;
    });

    // A throw inside rolls back the insert too: the account is written with all its skeletons or not at all.
    this.createTx = this.db.transaction((user: User): void => {
      this.write(this.insertRow, user);
      for (const skeleton of usernameSkeletons(user.username)) this.claimSkeleton(skeleton, user.id, user.username);
    });

    this.deleteTx = this.db.transaction((id: string): boolean => {
      const held = this.selectSkeletons.all(id);
      this.deleteSkeletons.run(id);
      if (this.deleteRow.run(id).changes === 0) return false;
      for (const { skeleton, shared } of held) if (shared === '') this.promoteSkeleton.run({ skeleton });
      return true;
    });
  }

  /** Moves account `id`'s skeletons to those of `username`, in the update's transaction. */
  private renameSkeletons(id: string, username: string): void {
    const held = this.selectSkeletons.all(id);
    const { drop, add } = skeletonChanges(held.map((row) => row.skeleton), username);
    for (const skeleton of drop) {
      this.deleteSkeleton.run(skeleton, id);
      if (held.find((row) => row.skeleton === skeleton)?.shared === '') this.promoteSkeleton.run({ skeleton });
    }
    for (const skeleton of add) this.claimSkeleton(skeleton, id, username);
  }

  /** Inserts the holder row of `skeleton`; UsernameTakenError (look-alike) when another account holds it. */
  private claimSkeleton(skeleton: string, id: string, username: string): void {
    try {
      this.insertSkeleton.run(skeleton, id);
    } catch (err) {
      if (isSkeletonClash(err)) throw new UsernameTakenError(username, { lookalike: true });
      throw err;
    }
  }

  async findLookalike(username: string): Promise<User | null> {
    for (const skeleton of usernameSkeletons(username)) {
      const row = this.selectBySkeleton.get(skeleton);
      if (row) return fromRow(row);
    }
    return null;
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
    const user = newUserRecord(input, this.now());
    // IMMEDIATE, as in update: the write lock from the first statement on.
    this.createTx.immediate(user);
    return user;
  }

  async update(id: string, patch: UserPatch, options: UserUpdateOptions = {}): Promise<User | null> {
    try {
      // IMMEDIATE takes the write lock before the read: a deferred transaction
      // that reads and then writes can fail with SQLITE_BUSY in WAL mode when
      // another connection writes in between, and no busy timeout helps then.
      // The lock also makes `ifMatch` a true compare-and-set across connections.
      return this.updateTx.immediate(id, patch, options);
    } finally {
      // Told even of a failed update: a needless forgetting is harmless, a missed one is not.
      SqliteChangeFeed.of(this.db).user(id);
    }
  }

  /** The feed of this connection's writes and, through `PRAGMA data_version`, of every other's (see SqliteChangeFeed). */
  changeFeed(): ChangeFeed {
    return SqliteChangeFeed.of(this.db);
  }

  async delete(id: string): Promise<boolean> {
    try {
      return this.deleteTx.immediate(id);
    } finally {
      SqliteChangeFeed.of(this.db).user(id);
    }
  }

  async list(): Promise<User[]> {
    return this.selectAll.all().map(fromRow);
  }

  /** Closes the database if this store opened it; a database passed in stays open. */
  async close(): Promise<void> {
    if (this.ownsDb && this.db.open) this.db.close();
  }

  private prepare<Params extends unknown[], Result = unknown>(sql: string): Database.Statement<Params, Result> {
    return prepareStatement<Params, Result>(this.db, sql);
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

/**
 * Makes another account the holder of `skeleton` when none holds it and some
 * share it (rows kept from schema step 7): the skeleton stays taken while an
 * account has it.
 */
const PROMOTE_SKELETON = `UPDATE username_skeletons SET shared = ''
  WHERE skeleton = @skeleton
    AND user_id = (SELECT min(user_id) FROM username_skeletons WHERE skeleton = @skeleton)
    AND NOT EXISTS (SELECT 1 FROM username_skeletons WHERE skeleton = @skeleton AND shared = '')`;

/** The unique index on skeletons refused a row: another account holds one of the name's skeletons. */
function isSkeletonClash(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  return (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') && typeof message === 'string' && message.includes('username_skeletons.skeleton');
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
    token_epoch: user.tokenEpoch,
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
    tokenEpoch: row.token_epoch,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

import type { PgPool as Pool } from './pool';
import type { User } from '../../core/user';
import { normalizeUsername, usernameKey } from '../../core/usernames';
import { newUserRecord } from '../new-user';
import { ensureMigrated, hasSqlState, toMs, UNIQUE_VIOLATION } from './schema';
import { UsernameTakenError } from '../../core/errors';
import type { NewUser, UserPatch, UserStore, UserUpdateOptions } from '../types';

export interface PostgresUserStoreOptions {
  /** Clock in milliseconds for `createdAt` and `updatedAt`; tests pass a fake one. */
  now?: () => number;
}

const COLUMNS = 'id, username, email, password_hash, scopes, disabled, token_epoch, created_at, updated_at';

/** The constraint that keeps usernames unique by `usernameKey` (see schema.ts). */
const USERNAME_CONSTRAINT = 'users_username_key_unique';

/** A selected `users` row; pg returns bigint as a string. */
interface UserRow {
  id: string;
  username: string;
  email: string | null;
  password_hash: string;
  scopes: string[];
  disabled: boolean;
  token_epoch: number;
  created_at: string;
  updated_at: string;
}

/**
 * A `UserStore` in PostgreSQL through a `pg.Pool` you own (table `users`), for
 * deployments with several servers. The schema of all the PostgreSQL stores
 * is created or upgraded on first use, once per pool (see `ready()` and
 * `migrate`); pass the same pool to the refresh-token and denylist stores.
 *
 * Usernames are unique by `usernameKey` (case, width, Unicode form) through
 * a UNIQUE constraint on the key, so two servers creating "alice" and "Alice"
 * at the same moment get one account and one `UsernameTakenError`.
 *
 * @example
 * const pool = new Pool({ connectionString: process.env.DATABASE_URL });
 * const users = new PostgresUserStore(pool);
 * await users.ready(); // optional: fail at startup rather than on the first request
 * // on shutdown: await pool.end();
 */
export class PostgresUserStore implements UserStore {
  private readonly now: () => number;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    options: PostgresUserStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Resolves once the schema is up to date. Every method awaits it first, so
   * calling it is optional; it is shared by all stores on the pool and cheap
   * after the first call. Rejects when the migration failed; the next call
   * tries again.
   */
  ready(): Promise<void> {
    return ensureMigrated(this.pool);
  }

  async findById(id: string): Promise<User | null> {
    await this.open();
    // PostgreSQL text cannot hold NUL, so no stored id has one: not found
    // rather than a rejection (a 500) for an odd id.
    if (id.includes('\0')) return null;
    const { rows } = await this.pool.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async findByUsername(username: string): Promise<User | null> {
    await this.open();
    const key = usernameKey(username);
    // As in findById: a login with a NUL in the name is an unknown user, not a 500.
    if (key.includes('\0')) return null;
    const { rows } = await this.pool.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE username_key = $1`, [key]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async create(input: NewUser): Promise<User> {
    await this.open();
    const user = newUserRecord(input, this.now());
    try {
      await this.pool.query(
        `INSERT INTO users (id, username, username_key, email, password_hash, scopes, disabled, token_epoch,
           created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          user.id,
          user.username,
          usernameKey(user.username),
          user.email,
          user.passwordHash,
          user.scopes,
          user.disabled,
          user.tokenEpoch,
          user.createdAt.getTime(),
          user.updatedAt.getTime(),
        ],
      );
    } catch (err) {
      throw usernameClash(err, user.username) ?? err;
    }
    return user;
  }

  /**
   * One UPDATE of only the given columns, so it is atomic on its own and a
   * concurrent update of other fields is not overwritten with stale values.
   * `ifMatch` goes into its WHERE clause: a concurrent UPDATE of the row makes
   * this one wait for the row lock and then test the WHERE clause again on the
   * committed row (READ COMMITTED), so the compare and the set are one step.
   */
  async update(id: string, patch: UserPatch, options: UserUpdateOptions = {}): Promise<User | null> {
    await this.open();
    if (id.includes('\0')) return null;
    const values: unknown[] = [id];
    const sets: string[] = [];
    const set = (column: string, value: unknown) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    let username: string | undefined;
    if (patch.username !== undefined) {
      username = normalizeUsername(patch.username);
      set('username', username);
      set('username_key', usernameKey(username));
    }
    if (patch.email !== undefined) set('email', patch.email);
    if (patch.passwordHash !== undefined) set('password_hash', patch.passwordHash);
    if (patch.scopes !== undefined) set('scopes', [...patch.scopes]);
    if (patch.disabled !== undefined) set('disabled', patch.disabled);
    if (patch.tokenEpoch !== undefined) set('token_epoch', patch.tokenEpoch);
    set('updated_at', this.now());
    const where = ['id = $1'];
    const compare = (column: string, value: unknown) => {
      values.push(value);
      where.push(`${column} = $${values.length}`);
    };
    const { ifMatch } = options;
    if (ifMatch?.passwordHash !== undefined) {
      // No stored hash has a NUL (text cannot hold one): it cannot match.
      if (ifMatch.passwordHash.includes('\0')) return null;
      compare('password_hash', ifMatch.passwordHash);
    }
    if (ifMatch?.tokenEpoch !== undefined) {
      // token_epoch is an integer column: any other number cannot match (and would be a type error).
      if (!Number.isInteger(ifMatch.tokenEpoch) || Math.abs(ifMatch.tokenEpoch) > 0x7fffffff) return null;
      compare('token_epoch', ifMatch.tokenEpoch);
    }
    try {
      const { rows } = await this.pool.query<UserRow>(
        `UPDATE users SET ${sets.join(', ')} WHERE ${where.join(' AND ')} RETURNING ${COLUMNS}`,
        values,
      );
      return rows[0] ? fromRow(rows[0]) : null;
    } catch (err) {
      throw (username === undefined ? undefined : usernameClash(err, username)) ?? err;
    }
  }

  async delete(id: string): Promise<boolean> {
    await this.open();
    if (id.includes('\0')) return false;
    const { rowCount } = await this.pool.query('DELETE FROM users WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }

  async list(): Promise<User[]> {
    await this.open();
    // username_key is COLLATE "C": code-point order, whatever the database's collation.
    const { rows } = await this.pool.query<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY username_key`);
    return rows.map(fromRow);
  }

  /**
   * Makes the store refuse further calls. The pool stays open: it is yours,
   * end it with `pool.end()`. May be called twice.
   */
  async close(): Promise<void> {
    this.closed = true;
  }

  private async open(): Promise<void> {
    if (this.closed) throw new Error('PostgresUserStore is closed');
    await this.ready();
  }
}

/** A UsernameTakenError when `err` is the unique-key clash on usernames. */
function usernameClash(err: unknown, username: string): UsernameTakenError | undefined {
  const constraint = (err as { constraint?: unknown } | null)?.constraint;
  return hasSqlState(err, UNIQUE_VIOLATION) && constraint === USERNAME_CONSTRAINT
    ? new UsernameTakenError(username)
    : undefined;
}

function fromRow(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    passwordHash: row.password_hash,
    scopes: [...row.scopes],
    disabled: row.disabled,
    tokenEpoch: row.token_epoch,
    createdAt: new Date(toMs(row.created_at)),
    updatedAt: new Date(toMs(row.updated_at)),
  };
}

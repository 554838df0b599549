import type { PgClient as PoolClient, PgPool as Pool } from './pool';
import type { User } from '../../core/user';
import { normalizeUsername, usernameKey, usernameSkeletons } from '../../core/usernames';
import { newUserRecord } from '../new-user';
import { ensureMigrated, hasSqlState, inTransaction, toMs, UNIQUE_VIOLATION } from './schema';
import { skeletonChanges } from '../username-skeletons';
import { UsernameTakenError } from '../../core/errors';
import type { ChangeFeed, NewUser, UserPatch, UserStore, UserUpdateOptions } from '../types';
import { PostgresChangeFeed } from './change-feed';

export interface PostgresUserStoreOptions {
  /** Clock in milliseconds for `createdAt` and `updatedAt`; tests pass a fake one. */
  now?: () => number;
}

const COLUMNS = 'id, username, email, password_hash, scopes, disabled, token_epoch, created_at, updated_at';

/** The constraint that keeps usernames unique by `usernameKey` (see schema.ts). */
const USERNAME_CONSTRAINT = 'users_username_key_unique';

/** The unique index that lets one account hold each skeleton (see schema.ts, step 6). */
const SKELETON_INDEX = 'username_skeletons_holder';

/**
 * Makes another account the holder of `$1` when none holds it and some share
 * it (rows kept from migration 6): the skeleton stays taken while an account
 * has it.
 */
const PROMOTE_SKELETON = `UPDATE username_skeletons SET shared = ''
  WHERE skeleton = $1
    AND user_id = (SELECT min(user_id COLLATE "C") FROM username_skeletons WHERE skeleton = $1)
    AND NOT EXISTS (SELECT 1 FROM username_skeletons WHERE skeleton = $1 AND shared = '')`;

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
 * at the same moment get one account and one `UsernameTakenError`. Look-alikes
 * likewise: each of a name's `usernameSkeletons` is a row of
 * `username_skeletons` under a unique index, written in the account's
 * transaction, so "alice" and "аӏісе" created at once give one account and
 * one `UsernameTakenError` (`lookalike: true`).
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

  async findLookalike(username: string): Promise<User | null> {
    await this.open();
    const skeletons = usernameSkeletons(username);
    if (skeletons.length === 0 || skeletons.some((skeleton) => skeleton.includes('\0'))) return null;
    const { rows } = await this.pool.query<UserRow>(
      `SELECT ${COLUMNS.split(', ').map((column) => `users.${column}`).join(', ')}
       FROM username_skeletons JOIN users ON users.id = username_skeletons.user_id
       WHERE username_skeletons.skeleton = ANY ($1::text[])
       ORDER BY username_skeletons.shared, users.username_key LIMIT 1`,
      [skeletons],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  /**
   * One transaction: the account and the rows of its skeletons. Two servers
   * creating "alice" and "аӏісе" at once both insert the skeleton "alice";
   * the unique index makes the second wait for the first and then fail.
   */
  async create(input: NewUser): Promise<User> {
    await this.open();
    const user = newUserRecord(input, this.now());
    try {
      await inTransaction(this.pool, async (client) => {
        await client.query(
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
        await client.query(
          `INSERT INTO username_skeletons (skeleton, user_id) SELECT unnest($1::text[]), $2`,
          [usernameSkeletons(user.username), user.id],
        );
      });
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
    try {
      return await this.updateRow(id, patch, options);
    } finally {
      // At once for this process; the trigger's NOTIFY tells the others (and this one again).
      PostgresChangeFeed.of(this.pool)?.user(id);
    }
  }

  /**
   * The pool's change feed: this process's writes at once, every process's
   * through LISTEN on a connection of its own (see PostgresChangeFeed), or
   * undefined for a pool that is not a `pg.Pool`.
   */
  changeFeed(): ChangeFeed | undefined {
    return PostgresChangeFeed.of(this.pool);
  }

  private async updateRow(id: string, patch: UserPatch, options: UserUpdateOptions): Promise<User | null> {
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
    const update = `UPDATE users SET ${sets.join(', ')} WHERE ${where.join(' AND ')} RETURNING ${COLUMNS}`;
    if (username === undefined) {
      const { rows } = await this.pool.query<UserRow>(update, values);
      return rows[0] ? fromRow(rows[0]) : null;
    }
    // A rename: the row and its skeletons in one transaction (the UPDATE's row
    // lock keeps two renames of one account in turn).
    const renamed = username;
    try {
      return await inTransaction(this.pool, async (client) => {
        const { rows } = await client.query<UserRow>(update, values);
        if (!rows[0]) return null;
        await this.renameSkeletons(client, id, renamed);
        return fromRow(rows[0]);
      });
    } catch (err) {
      throw usernameClash(err, renamed) ?? err;
    }
  }

  /** Moves account `id`'s skeletons to those of `username`, in the rename's transaction. */
  private async renameSkeletons(client: PoolClient, id: string, username: string): Promise<void> {
    const held = await lockSkeletonsOf(client, id);
    const { drop, add } = skeletonChanges(held.map((row) => row.skeleton), username);
    if (drop.length > 0) {
      await client.query('DELETE FROM username_skeletons WHERE user_id = $1 AND skeleton = ANY ($2::text[])', [id, drop]);
      for (const skeleton of drop) if (held.find((row) => row.skeleton === skeleton)?.shared === '') await client.query(PROMOTE_SKELETON, [skeleton]);
    }
    if (add.length > 0) await client.query('INSERT INTO username_skeletons (skeleton, user_id) SELECT unnest($1::text[]), $2', [add, id]);
  }

  async delete(id: string): Promise<boolean> {
    await this.open();
    if (id.includes('\0')) return false;
    try {
      return await this.deleteRow(id);
    } finally {
      PostgresChangeFeed.of(this.pool)?.user(id);
    }
  }

  private deleteRow(id: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const held = await lockSkeletonsOf(client, id);
      // ON DELETE CASCADE takes the account's skeleton rows with it.
      const { rowCount } = await client.query('DELETE FROM users WHERE id = $1', [id]);
      for (const { skeleton, shared } of held) if (shared === '') await client.query(PROMOTE_SKELETON, [skeleton]);
      return (rowCount ?? 0) > 0;
    });
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

/**
 * Account `id`'s skeleton rows, read after locking every row of those
 * skeletons (in one order) until the transaction ends. Two transactions that
 * remove or rename accounts sharing a skeleton so take turns, and the second
 * reads what the first left (under READ COMMITTED, each statement sees what
 * committed before it): which account holds the skeleton now, and whether
 * one still does.
 */
async function lockSkeletonsOf(client: PoolClient, id: string): Promise<Array<{ skeleton: string; shared: string }>> {
  const select = 'SELECT skeleton, shared FROM username_skeletons WHERE user_id = $1';
  const { rows: first } = await client.query<{ skeleton: string; shared: string }>(select, [id]);
  if (first.length === 0) return first;
  await client.query('SELECT 1 FROM username_skeletons WHERE skeleton = ANY ($1::text[]) ORDER BY skeleton, user_id FOR UPDATE', [
    first.map((row) => row.skeleton),
  ]);
  return (await client.query<{ skeleton: string; shared: string }>(select, [id])).rows;
}

/** A UsernameTakenError when `err` is the unique clash on usernames' keys or skeletons. */
function usernameClash(err: unknown, username: string): UsernameTakenError | undefined {
  if (!hasSqlState(err, UNIQUE_VIOLATION)) return undefined;
  const constraint = (err as { constraint?: unknown } | null)?.constraint;
  if (constraint === USERNAME_CONSTRAINT) return new UsernameTakenError(username);
  if (constraint === SKELETON_INDEX) return new UsernameTakenError(username, { lookalike: true });
  return undefined;
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

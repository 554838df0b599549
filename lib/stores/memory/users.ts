import type { User } from '../../core/user';
import { normalizeUsername, usernameKey, usernameSkeletons } from '../../core/usernames';
import { newUserRecord } from '../new-user';
import { UsernameTakenError } from '../../core/errors';
import type { NewUser, UserPatch, UserStore, UserUpdateOptions } from '../types';
import { matchesUser } from '../user-match';
import { inProcessFeed } from '../change-hub';
import type { ChangeFeed } from '../types';

export interface MemoryUserStoreOptions {
  /** Clock in milliseconds for `createdAt` and `updatedAt`; tests pass a fake one. */
  now?: () => number;
}

/**
 * A `UserStore` held in process memory, for tests, examples and prototypes.
 * Accounts are lost when the process exits and are not shared between processes.
 *
 * Like the SQL stores, it refuses a new name that looks like another
 * account's (`usernameSkeletons`), checked and written without an await in
 * between.
 *
 * @example
 * const users = new MemoryUserStore();
 * await users.create({ username: 'Alice', passwordHash: await hashPassword(password) });
 * await users.findByUsername('alice'); // the same account
 */
export class MemoryUserStore implements UserStore {
  private readonly users = new Map<string, User>();
  /** usernameKey → id: the unique index that makes "Alice" and "alice" one name. */
  private readonly idsByKey = new Map<string, string>();
  /** Each of usernameSkeletons → id: the unique index that keeps "аӏісе" from registering beside "alice". */
  private readonly idsBySkeleton = new Map<string, string>();
  private readonly now: () => number;
  /** Every write is made here, so the feed is always current: the session cache may keep accounts. */
  private readonly feed = inProcessFeed();

  constructor(options: MemoryUserStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async findById(id: string): Promise<User | null> {
    const user = this.users.get(id);
    return user ? copy(user) : null;
  }

  async findByUsername(username: string): Promise<User | null> {
    const id = this.idsByKey.get(usernameKey(username));
    return id === undefined ? null : this.findById(id);
  }

  async findLookalike(username: string): Promise<User | null> {
    for (const skeleton of usernameSkeletons(username)) {
      const id = this.idsBySkeleton.get(skeleton);
      if (id !== undefined) return this.findById(id);
    }
    return null;
  }

  async create(input: NewUser): Promise<User> {
    const user = newUserRecord(input, this.now());
    const key = usernameKey(user.username);
    if (this.idsByKey.has(key)) throw new UsernameTakenError(user.username);
    const skeletons = usernameSkeletons(user.username);
    if (skeletons.some((skeleton) => this.idsBySkeleton.has(skeleton))) throw new UsernameTakenError(user.username, { lookalike: true });
    this.users.set(user.id, user);
    this.idsByKey.set(key, user.id);
    for (const skeleton of skeletons) this.idsBySkeleton.set(skeleton, user.id);
    return copy(user);
  }

  async update(id: string, patch: UserPatch, options: UserUpdateOptions = {}): Promise<User | null> {
    const old = this.users.get(id);
    // Checked and written without an await in between: atomic in one process.
    if (!old || !matchesUser(old, options.ifMatch)) return null;
    // Stored records are never mutated in place: build the new one, check it,
    // then swap, so a rejected update leaves the old record untouched.
    const next: User = { ...old, updatedAt: new Date(this.now()) };
    if (patch.username !== undefined) next.username = normalizeUsername(patch.username);
    if (patch.email !== undefined) next.email = patch.email;
    if (patch.passwordHash !== undefined) next.passwordHash = patch.passwordHash;
    if (patch.scopes !== undefined) next.scopes = [...patch.scopes];
    if (patch.disabled !== undefined) next.disabled = patch.disabled;
    if (patch.tokenEpoch !== undefined) next.tokenEpoch = patch.tokenEpoch;

    const oldKey = usernameKey(old.username);
    const newKey = usernameKey(next.username);
    // A change of case only keeps the key, so it never clashes with itself;
    // nor does a skeleton the account already holds.
    if (newKey !== oldKey && this.idsByKey.has(newKey)) throw new UsernameTakenError(next.username);
    const oldSkeletons = usernameSkeletons(old.username);
    const newSkeletons = usernameSkeletons(next.username);
    if (newSkeletons.some((skeleton) => (this.idsBySkeleton.get(skeleton) ?? id) !== id)) {
      throw new UsernameTakenError(next.username, { lookalike: true });
    }
    this.idsByKey.delete(oldKey);
    this.idsByKey.set(newKey, id);
    for (const skeleton of oldSkeletons) this.idsBySkeleton.delete(skeleton);
    for (const skeleton of newSkeletons) this.idsBySkeleton.set(skeleton, id);
    this.users.set(id, next);
    this.feed.user(id);
    return copy(next);
  }

  async delete(id: string): Promise<boolean> {
    const user = this.users.get(id);
    if (!user) return false;
    this.users.delete(id);
    this.idsByKey.delete(usernameKey(user.username));
    for (const skeleton of usernameSkeletons(user.username)) this.idsBySkeleton.delete(skeleton);
    this.feed.user(id);
    return true;
  }

  changeFeed(): ChangeFeed {
    return this.feed;
  }

  async list(): Promise<User[]> {
    // Ordered by key so the order does not depend on case, as in the SQL stores.
    return [...this.idsByKey]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, id]) => copy(this.users.get(id)!));
  }
}

function copy(user: User): User {
  return {
    ...user,
    scopes: [...user.scopes],
    createdAt: new Date(user.createdAt),
    updatedAt: new Date(user.updatedAt),
  };
}

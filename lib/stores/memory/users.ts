import type { User } from '../../core/user';
import { normalizeUsername, usernameKey } from '../../core/usernames';
import { newUserRecord } from '../new-user';
import { UsernameTakenError } from '../../core/errors';
import type { NewUser, UserPatch, UserStore, UserUpdateOptions } from '../types';
import { matchesUser } from '../user-match';

export interface MemoryUserStoreOptions {
  /** Clock in milliseconds for `createdAt` and `updatedAt`; tests pass a fake one. */
  now?: () => number;
}

/**
 * A `UserStore` held in process memory, for tests, examples and prototypes.
 * Accounts are lost when the process exits and are not shared between processes.
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
  private readonly now: () => number;

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

  async create(input: NewUser): Promise<User> {
    const user = newUserRecord(input, this.now());
    const key = usernameKey(user.username);
    if (this.idsByKey.has(key)) throw new UsernameTakenError(user.username);
    this.users.set(user.id, user);
    this.idsByKey.set(key, user.id);
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
    if (newKey !== oldKey) {
      // A change of case only keeps the key, so it never clashes with itself.
      if (this.idsByKey.has(newKey)) throw new UsernameTakenError(next.username);
      this.idsByKey.delete(oldKey);
      this.idsByKey.set(newKey, id);
    }
    this.users.set(id, next);
    return copy(next);
  }

  async delete(id: string): Promise<boolean> {
    const user = this.users.get(id);
    if (!user) return false;
    this.users.delete(id);
    this.idsByKey.delete(usernameKey(user.username));
    return true;
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

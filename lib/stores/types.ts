import type { User } from '../user';

/** What `UserStore.create` takes. */
export interface NewUser {
  username: string;
  email?: string | null;
  passwordHash: string;
  scopes?: string[];
  disabled?: boolean;
}

/** The fields `UserStore.update` may change. */
export type UserPatch = Partial<Pick<User, 'username' | 'email' | 'passwordHash' | 'scopes' | 'disabled'>>;

/**
 * Where accounts live. Every method may reject: the library turns a rejection
 * into a 500 through `next(err)`, never into a 401.
 *
 * Contract:
 * - usernames are unique regardless of case (compare with `usernameKey`), and
 *   `findByUsername` matches regardless of case;
 * - `create` assigns `id`, `createdAt` and `updatedAt`, and rejects with
 *   `UsernameTakenError` when the name is taken;
 * - `update` changes only the given fields, sets `updatedAt`, returns the new
 *   record or null for an unknown id; a failed update changes nothing;
 * - returned users are copies: changing one does not change the store.
 */
export interface UserStore {
  findById(id: string): Promise<User | null>;
  findByUsername(username: string): Promise<User | null>;
  create(user: NewUser): Promise<User>;
  update(id: string, patch: UserPatch): Promise<User | null>;
  /** Resolves true when a user was removed. */
  delete(id: string): Promise<boolean>;
  /** All users ordered by username. */
  list(): Promise<User[]>;
  close?(): Promise<void>;
}

/** `UserStore.create` or `update` with a username another account has. */
export class UsernameTakenError extends Error {
  constructor(username: string) {
    super(`username already taken: ${username}`);
    this.name = 'UsernameTakenError';
  }
}

import type { User } from '../../lib/core/user';
import type { NewUser, UserPatch, UserStore } from '../../lib/stores/types';

/** A hold on store writes: `reached` resolves once the held writes are waiting; `release` lets them through. */
export interface Hold {
  readonly reached: Promise<void>;
  release(): void;
}

/**
 * A `UserStore` that passes every call to `inner`, except that it can hold
 * chosen `update` calls before they reach the store, so a test can make two
 * requests meet at an exact point instead of hoping that they do.
 */
export class PausingUserStore implements UserStore {
  private holds: Array<{ match: (patch: UserPatch) => boolean; left: number; waiting: number; arrived: () => void; gate: Promise<void> }> = [];

  constructor(private readonly inner: UserStore) {}

  /** Holds the next `update` whose patch `match`es. */
  holdNext(match: (patch: UserPatch) => boolean): Hold {
    return this.holdEvery(match, 1);
  }

  /** Holds the next `count` updates whose patch `match`es; `reached` resolves when all of them wait. */
  holdEvery(match: (patch: UserPatch) => boolean, count: number): Hold {
    let arrived!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({ match, left: count, waiting: 0, arrived, gate });
    return { reached, release };
  }

  async update(id: string, patch: UserPatch, ...rest: unknown[]): Promise<User | null> {
    const hold = this.holds.find((h) => h.left > 0 && h.match(patch));
    if (hold) {
      hold.left -= 1;
      hold.waiting += 1;
      if (hold.left === 0) hold.arrived();
      await hold.gate;
    }
    return (this.inner.update as (...args: unknown[]) => Promise<User | null>)(id, patch, ...rest);
  }

  findById(id: string): Promise<User | null> {
    return this.inner.findById(id);
  }

  findByUsername(username: string): Promise<User | null> {
    return this.inner.findByUsername(username);
  }

  findLookalike(username: string): Promise<User | null> {
    return this.inner.findLookalike!(username);
  }

  create(user: NewUser): Promise<User> {
    return this.inner.create(user);
  }

  delete(id: string): Promise<boolean> {
    return this.inner.delete(id);
  }

  list(): Promise<User[]> {
    return this.inner.list();
  }
}

import { inProcessFeed } from '../change-hub';
import type { ChangeFeed, DenylistStore } from '../types';

/**
 * A `DenylistStore` held in process memory, for tests, examples and
 * prototypes. Entries are lost when the process exits and are not shared
 * between processes: a token revoked on one server still works on another.
 *
 * @example
 * const denylist = new MemoryDenylistStore();
 * await denylist.add(claims.jti, claims.exp * 1000);
 */
export class MemoryDenylistStore implements DenylistStore {
  /** jti → expiry in ms. */
  private readonly entries = new Map<string, number>();
  private readonly feed = inProcessFeed();

  async add(jti: string, expiresAt: number): Promise<void> {
    // Keep the later expiry: adding again must never shorten a revocation.
    const current = this.entries.get(jti);
    this.entries.set(jti, current === undefined ? expiresAt : Math.max(current, expiresAt));
    this.feed.token(jti);
  }

  /** Every add is made here: the session cache may keep answers, told of each add at once. */
  changeFeed(): ChangeFeed {
    return this.feed;
  }

  async has(jti: string, now: number): Promise<boolean> {
    const expiresAt = this.entries.get(jti);
    return expiresAt !== undefined && now < expiresAt;
  }

  /** Removes entries whose expiry is at or before `now`: `has` is already false for them. */
  async purgeExpired(now: number): Promise<number> {
    let removed = 0;
    for (const [jti, expiresAt] of this.entries) {
      if (expiresAt <= now) {
        this.entries.delete(jti);
        removed++;
      }
    }
    return removed;
  }
}

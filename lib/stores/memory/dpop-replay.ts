import type { DpopReplayStore } from '../types';

/** How often, in ms of the store's clock, expired entries are swept out. */
const SWEEP_INTERVAL_MS = 10_000;

/**
 * A `DpopReplayStore` in process memory: the default, right for one process.
 * Several instances behind one load balancer need a shared store
 * (`RedisDpopReplayStore` from `express-jwt-auth/redis`), or a proof replayed
 * to another instance within its window gets in.
 *
 * `claim` does its work without awaiting anything, so on one event loop it is
 * atomic. Expired entries are swept at most every ten seconds, so memory stays
 * bounded by the proofs of one window.
 *
 * @example
 * createAuth({ ..., dpop: 'allowed', dpopReplayStore: new MemoryDpopReplayStore() });
 */
export class MemoryDpopReplayStore implements DpopReplayStore {
  private readonly seen = new Map<string, number>();
  private nextSweep = 0;

  async claim(key: string, expiresAt: number, now: number): Promise<boolean> {
    this.sweep(now);
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return false;
    this.seen.set(key, expiresAt);
    return true;
  }

  /** How many entries are held (for tests and metrics). */
  get size(): number {
    return this.seen.size;
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + SWEEP_INTERVAL_MS;
    for (const [key, until] of this.seen) if (until <= now) this.seen.delete(key);
  }
}

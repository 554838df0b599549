import type { ChangeFeed, ChangeListener } from './types';

/**
 * The listeners of a store's change feed and the telling of them: what every
 * backend's feed shares. A backend says how current it is (`asOf`) and calls
 * `user`, `token` and `reset` as it learns of changes; a listener that throws
 * is ignored (it must not undo a write that already happened).
 */
export class ChangeHub implements ChangeFeed {
  private readonly listeners = new Map<ChangeListener, number>();

  subscribe(listener: ChangeListener, maxStaleness: number): () => void {
    this.listeners.set(listener, maxStaleness);
    this.changed();
    return () => {
      if (this.listeners.delete(listener)) this.changed();
    };
  }

  /** Always current: a feed of a store that lives in this process only, which every write goes through. Backends override it. */
  currentAsOf(): number {
    return Infinity;
  }

  /** True while someone listens. */
  get active(): boolean {
    return this.listeners.size > 0;
  }

  user(id: string): void {
    for (const listener of this.listeners.keys()) call(() => listener.user(id));
  }

  token(jti: string): void {
    for (const listener of this.listeners.keys()) call(() => listener.token(jti));
  }

  reset(): void {
    for (const listener of this.listeners.keys()) call(() => listener.reset());
  }

  /**
   * Told the number of listeners and the smallest `maxStaleness` among them
   * after each change of either: a backend starts its connection at the first
   * and stops it after the last.
   */
  protected subscribersChanged(_count: number, _maxStaleness: number): void {}

  private changed(): void {
    this.subscribersChanged(this.listeners.size, Math.min(...this.listeners.values()));
  }
}

function call(fn: () => void): void {
  try {
    fn();
  } catch {
    // A listener's fault must not fail the store's write, which has happened.
  }
}

/** A feed of a store that lives in this process only: every write goes through it, so it is always current. */
export function inProcessFeed(): ChangeHub {
  return new ChangeHub();
}

import { ServiceUnavailableError } from '../core/errors';

/**
 * Runs at most `concurrency` tasks at once and queues at most `queue` more;
 * past that it refuses at once with a 503 and `Retry-After`. argon2 with
 * 19 MiB per hash is a memory weapon in an attacker's hands: this bounds the
 * memory that logins can take to concurrency × memoryCost.
 *
 * @example
 * const limit = new ConcurrencyLimit(2, 32);
 * await limit.run(() => argon2.verify(hash, password));
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly queue: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.queue) {
        throw new ServiceUnavailableError(1, { detail: 'password hashing queue full' });
      }
      // The slot is handed over by the task that finishes (see release), so active never exceeds the limit.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

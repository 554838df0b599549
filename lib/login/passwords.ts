import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type * as Argon2 from 'argon2';
import { ConcurrencyLimit } from './concurrency-limit';

// Loaded on first use, not at import: a verify-only service imports this package and never hashes.
let argon2Module: typeof Argon2 | undefined;
function argon2(): typeof Argon2 {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (argon2Module ??= require('argon2') as typeof Argon2);
}

/** argon2id cost parameters. */
export interface Argon2Params {
  /** Memory in KiB. Default 19456 (OWASP Password Storage Cheat Sheet minimum). */
  memoryCost: number;
  /** Iterations. Default 2. */
  timeCost: number;
  /** Lanes. Default 1. */
  parallelism: number;
}

export const DEFAULT_ARGON2: Readonly<Argon2Params> = Object.freeze({
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
});

/** Longest password accepted by default, in characters (code points after NFC). */
export const DEFAULT_MAX_PASSWORD_LENGTH = 1024;

/** How many hashes may run and wait at once. */
export interface HashingLimits {
  /** Hashes running at once. Default: the number of cores. */
  concurrency: number;
  /** Hashes waiting for a slot; more are refused with 503. Default 64. */
  queue: number;
}

/** The clock a PasswordHasher times verifies with, and the timer it pads with; tests pass fake ones. */
export interface HasherTiming {
  /** Milliseconds from any origin. Default `performance.now`. */
  now(): number;
  /** Resolves after `ms` milliseconds, without using the CPU. Default `timers/promises` `setTimeout`. */
  sleep(ms: number): Promise<void>;
}

const DEFAULT_TIMING: HasherTiming = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

/** How many recent timings of a verify at the current parameters the estimate takes the median of. */
const COST_SAMPLES = 15;

/**
 * Hashes and checks passwords with argon2id.
 *
 * Passwords are normalised to NFC and otherwise kept as given: any Unicode,
 * NUL included, never truncated. A password over `maxLength` is refused by
 * the caller before any hashing (see {@link PasswordHasher.isTooLong}).
 *
 * A failed verify of a hash made with cheaper parameters than the current
 * ones is padded, with a timer, to what a verify at the current parameters
 * takes: see {@link PasswordHasher.verify}.
 *
 * @example
 * const passwords = new PasswordHasher();
 * const hash = await passwords.hash('correct horse battery staple');
 * await passwords.verify(hash, 'correct horse battery staple'); // true
 */
export class PasswordHasher {
  readonly params: Readonly<Argon2Params>;
  readonly maxLength: number;
  private dummyHash: Promise<string> | undefined;
  private readonly limit: ConcurrencyLimit;
  private readonly timing: HasherTiming;
  /** The last COST_SAMPLES timings (ms) of an argon2 run at the current parameters, oldest first. */
  private readonly costSamples: number[] = [];

  constructor(
    params: Partial<Argon2Params> = {},
    maxLength = DEFAULT_MAX_PASSWORD_LENGTH,
    limits: Partial<HashingLimits> = {},
    timing: Partial<HasherTiming> = {},
  ) {
    const merged = { ...DEFAULT_ARGON2, ...params };
    // argon2's own lower bounds; below them it throws at hash time, so say so now.
    checkInteger('argon2.memoryCost', merged.memoryCost, 8 * merged.parallelism);
    checkInteger('argon2.timeCost', merged.timeCost, 1);
    checkInteger('argon2.parallelism', merged.parallelism, 1);
    checkInteger('maxPasswordLength', maxLength, 1);
    const concurrency = limits.concurrency ?? availableParallelism();
    const queue = limits.queue ?? 64;
    checkInteger('hashing.concurrency', concurrency, 1);
    checkInteger('hashing.queue', queue, 0);
    this.params = Object.freeze(merged);
    this.maxLength = maxLength;
    this.limit = new ConcurrencyLimit(concurrency, queue);
    this.timing = { ...DEFAULT_TIMING, ...timing };
  }

  /** More than `maxLength` characters: refuse before hashing (hashing cost grows with length). */
  isTooLong(password: string): boolean {
    // Cheap bound first: a string of n UTF-16 units has at least n/2 code points.
    if (password.length <= this.maxLength) return false;
    if (password.length > this.maxLength * 2) return true;
    return [...password.normalize('NFC')].length > this.maxLength;
  }

  /** Rejects with ServiceUnavailableError (503) when the hashing queue is full. */
  async hash(password: string): Promise<string> {
    return this.limit.run(() => argon2().hash(encode(password), { type: argon2().argon2id, ...this.params }));
  }

  /**
   * Whether `password` matches `hash`. Rejects with ServiceUnavailableError
   * (503) when the hashing queue is full.
   *
   * A mismatch against a hash with outdated, cheaper parameters (normal right
   * after an operator raises the cost: hashes are upgraded only at each
   * user's next successful login) would answer sooner than an unknown user,
   * whose dummy verify runs at the current parameters, and so tell that the
   * account exists. The OWASP Authentication Cheat Sheet ("Authentication
   * Responses") asks that a failed login take the same time whether or not
   * the user exists. So such a mismatch is padded up to the median time of
   * recent argon2 runs at the current parameters (primed by timing the dummy
   * hash). The padding is a timer, not a second verify: it costs no CPU and
   * holds no hashing slot, so a flood of guesses at outdated accounts costs the
   * server no more than guesses at current ones, and the time each run waited
   * for a slot is in both answers alike. Current hashes are never padded, and
   * neither is a match (a caller who knows the password learns nothing), so
   * normal logins are not slowed down. A hash costlier than the current
   * parameters cannot be padded down: lowering the cost leaves such accounts
   * slower to refuse until their owners log in again.
   */
  async verify(hash: string, password: string): Promise<boolean> {
    const current = !this.needsRehash(hash);
    let ran = 0;
    const matches = await this.limit.run(async () => {
      const start = this.timing.now();
      try {
        return await argon2().verify(hash, encode(password));
      } finally {
        ran = this.timing.now() - start;
      }
    });
    if (current) this.recordCost(ran);
    else if (!matches) await this.padTo(ran);
    return matches;
  }

  /** True when `hash` was made with other parameters or another argon2 variant. */
  needsRehash(hash: string): boolean {
    return !hash.startsWith('$argon2id$') || argon2().needsRehash(hash, this.params);
  }

  /**
   * Runs one verify against a fixed hash made with the current parameters, so
   * that "no such user" costs what "wrong password" costs (OWASP
   * Authentication Cheat Sheet). Always resolves false.
   */
  async verifyDummy(password: string): Promise<false> {
    const hash = await this.prepareDummy();
    await this.verify(hash, password);
    return false;
  }

  /**
   * Makes the dummy hash now, so the first unknown-user login is not slower
   * than the rest; timing it primes the estimate of what a verify at the
   * current parameters costs (a hash and a verify run the same argon2 work).
   */
  prepareDummy(): Promise<string> {
    // Outside the limit: made once at start-up, it must not be refused by a full queue.
    this.dummyHash ??= (async () => {
      const start = this.timing.now();
      const hash = await argon2().hash(randomBytes(32).toString('base64url'), { type: argon2().argon2id, ...this.params });
      this.recordCost(this.timing.now() - start);
      return hash;
    })().catch((err: unknown) => {
      // Not cached when it failed: the next unknown-user login tries again instead of failing for ever.
      this.dummyHash = undefined;
      throw err;
    });
    return this.dummyHash;
  }

  private recordCost(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.costSamples.push(ms);
    if (this.costSamples.length > COST_SAMPLES) this.costSamples.shift();
  }

  /** Waits until a run that took `ran` ms has taken as long as one at the current parameters. */
  private async padTo(ran: number): Promise<void> {
    // Nothing timed yet (no dummy hash made at start-up): make it now, once per process, and time it.
    if (this.costSamples.length === 0) await this.prepareDummy();
    // The median: a pause of the process (GC, a busy neighbour) in one sample does not move it.
    const sorted = [...this.costSamples].sort((a, b) => a - b);
    const estimate = sorted[Math.floor(sorted.length / 2)] ?? 0;
    if (estimate > ran) await this.timing.sleep(estimate - ran);
  }
}

// Pass bytes, not a string, so nothing on the way can stop at a NUL.
function encode(password: string): Buffer {
  return Buffer.from(password.normalize('NFC'), 'utf8');
}

function checkInteger(option: string, value: unknown, min: number): void {
  if (!Number.isSafeInteger(value) || (value as number) < min) {
    throw new TypeError(`${option} must be an integer of at least ${min}`);
  }
}

import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
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

/**
 * Hashes and checks passwords with argon2id.
 *
 * Passwords are normalised to NFC and otherwise kept as given: any Unicode,
 * NUL included, never truncated. A password over `maxLength` is refused by
 * the caller before any hashing (see {@link PasswordHasher.isTooLong}).
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

  constructor(params: Partial<Argon2Params> = {}, maxLength = DEFAULT_MAX_PASSWORD_LENGTH, limits: Partial<HashingLimits> = {}) {
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

  /** Rejects with ServiceUnavailableError (503) when the hashing queue is full. */
  async verify(hash: string, password: string): Promise<boolean> {
    return this.limit.run(() => argon2().verify(hash, encode(password)));
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

  /** Makes the dummy hash now, so the first unknown-user login is not slower than the rest. */
  prepareDummy(): Promise<string> {
    // Outside the limit: made once at start-up, it must not be refused by a full queue.
    this.dummyHash ??= argon2().hash(randomBytes(32).toString('base64url'), { type: argon2().argon2id, ...this.params }).catch((err: unknown) => {
      // Not cached when it failed: the next unknown-user login tries again instead of failing for ever.
      this.dummyHash = undefined;
      throw err;
    });
    return this.dummyHash;
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

import { parseDuration } from './duration';

/**
 * Start-up checks of options: each failure is a TypeError that names the
 * option, so a bad configuration stops the app before it serves a request.
 */

/**
 * Refuses any key of `options` that is not in `known` (a misspelt option would
 * otherwise be silently ignored in plain JavaScript), suggesting a close match.
 * Returns the options' own properties on an object without a prototype: what
 * the caller reads next is only what the app wrote, never a property
 * inherited from a polluted `Object.prototype` (`allowQueryToken`, say).
 */
export function checkKnownOptions<T extends object>(options: T, known: readonly string[], prefix = ''): T {
  const own = Object.create(null) as Record<string, unknown>;
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      const close = closest(name, known);
      throw new TypeError(`${prefix}${name} is not an option${close === undefined ? '' : ` (did you mean ${prefix}${close}?)`}`);
    }
    own[name] = (options as Record<string, unknown>)[name];
  }
  return own as T;
}

/** An object option (or undefined); anything else is a TypeError. */
export function optionalObject<T extends object>(value: unknown, option: string, known: readonly string[]): Partial<T> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${option} must be an object`);
  return checkKnownOptions(value as Partial<T>, known, `${option}.`);
}

export function requiredString(value: unknown, option: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${option} is required: a non-empty string`);
  return value;
}

export function optionalString(value: unknown, option: string): string | undefined {
  return value === undefined ? undefined : requiredString(value, option);
}

/** A boolean option, false when absent. */
export function flag(value: unknown, option: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`${option} must be a boolean`);
  return value;
}

/** A function option (or undefined). */
export function optionalFunction<F extends (...args: never[]) => unknown>(value: unknown, option: string): F | undefined {
  if (value !== undefined && typeof value !== 'function') throw new TypeError(`${option} must be a function`);
  return value as F | undefined;
}

/** A duration in seconds: a positive whole number, or "15m", "1h", "30d". */
export function duration(value: unknown, option: string): number {
  const seconds = parseDuration(value);
  if (seconds === undefined) throw new TypeError(`${option} must be a positive number of seconds or a duration like "30d"`);
  return seconds;
}

/** A whole number from `min` to `max`. */
export function wholeNumber(value: unknown, option: string, min: number, max: number, unit = ''): number {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw new TypeError(`${option} must be a whole number${unit && ` of ${unit}`} from ${min} to ${max}`);
  }
  return value as number;
}

/** A positive, finite number (0 allowed when `zeroAllowed`). */
export function positiveNumber(value: unknown, option: string, unit: string, zeroAllowed = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new TypeError(`${option} must be a positive number of ${unit}`);
  }
  return value;
}

/** The clock option: a function returning milliseconds since the epoch. */
export function clock(value: unknown): () => number {
  if (value === undefined) return Date.now;
  if (typeof value !== 'function') throw new TypeError('now must be a function returning milliseconds');
  return value as () => number;
}

/** `name`'s nearest neighbour in `known` (equal but for case, a prefix of it, or within two edits), if any. */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  const lower = name.toLowerCase();
  for (const candidate of known) {
    if (candidate.toLowerCase() === lower) return candidate;
  }
  // A name cut short or run on ("memory" for "memoryCost", "queueSize" for "queue") is what was meant.
  const prefixed = known.filter((candidate) => {
    const other = candidate.toLowerCase();
    return Math.min(lower.length, other.length) >= 3 && (other.startsWith(lower) || lower.startsWith(other));
  });
  if (prefixed.length === 1) return prefixed[0];
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once it reaches `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, current[j]);
    }
    if (rowMin >= limit) return limit;
    previous = current;
  }
  return Math.min(previous[b.length], limit);
}

import fc from 'fast-check';

/**
 * Shared generators of hostile input for the fuzz suites. Each run is cheap,
 * so the suites bound their run counts (FUZZ_RUNS) rather than their time.
 *
 * Every property runs with a random seed, through `fuzzParameters`. When one
 * fails, fast-check's error (which Jest prints) names the counterexample and
 * the seed and path that replay it:
 *
 *     Property failed after 12 tests
 *     { seed: 1234567, path: "11:2:0", endOnFailure: true }
 *     Counterexample: [...]
 *
 * Replay it with `FUZZ_SEED=1234567 FUZZ_PATH=11:2:0 npx jest <file> -t '<test name>'`,
 * fix the code, and add the counterexample to that property's `examples`, so
 * that every later run tries it first, whatever its seed. Never catch what
 * `fc.assert` throws: the seed is in its message. `FUZZ_SCALE=10` runs every
 * property ten times as long, to hunt for new counterexamples.
 */

const SCALE = positiveNumber(process.env.FUZZ_SCALE) ?? 1;
// A longer hunt needs a longer test timeout than jest.config.js's 20 s.
if (SCALE > 1) jest.setTimeout(Math.ceil(20_000 * SCALE));

/** Runs per property: enough to hit the odd corners, few enough for `npm test` (the fuzz suites take seconds). */
export const FUZZ_RUNS = Math.round(300 * SCALE);
/** Runs for properties that go over HTTP or hash a password. */
export const HTTP_RUNS = Math.round(150 * SCALE);

/**
 * The fast-check parameters of a property: `numRuns` random runs after the
 * fixed `examples` (the counterexamples found so far, and cases known to be
 * hard), or the replay of one failure when FUZZ_SEED (and FUZZ_PATH) are set.
 */
export function fuzzParameters<Ts>(numRuns: number, examples: Ts[]): fc.Parameters<Ts> {
  const seed = process.env.FUZZ_SEED;
  if (seed === undefined || seed === '') return { numRuns, examples };
  if (!/^-?\d+$/.test(seed)) throw new TypeError(`FUZZ_SEED must be the integer fast-check printed, not ${JSON.stringify(seed)}`);
  const path = process.env.FUZZ_PATH || undefined;
  return { numRuns, examples, seed: Number(seed), ...(path !== undefined && { path, endOnFailure: true }) };
}

function positiveNumber(value: string | undefined): number | undefined {
  const number = value === undefined || value === '' ? NaN : Number(value);
  return Number.isFinite(number) && number > 0 ? number : undefined;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** RFC 6750 §2.1 b64token characters beyond base64url, and characters that are neither. */
const TOKEN_EXTRAS = ['.', '~', '+', '/', '='];
const OTHER = [' ', '\t', ',', '"', ';', '\\', '%', '!', '*', '\u00e9', '\u00ff'];

/** A string of base64url characters, empty included. */
export const base64urlText = (maxLength = 40) => fc.string({ unit: fc.constantFrom(...BASE64URL), maxLength });

/** Base64url of arbitrary bytes. */
export const base64urlBytes = (maxLength = 48) => fc.uint8Array({ maxLength }).map((bytes) => Buffer.from(bytes).toString('base64url'));

/** Text made of token-ish characters, with a sprinkling of characters a token may not hold. */
export const tokenish = (maxLength = 60) =>
  fc.string({
    unit: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...BASE64URL) }, { weight: 2, arbitrary: fc.constantFrom(...TOKEN_EXTRAS) }, { weight: 1, arbitrary: fc.constantFrom(...OTHER) }),
    maxLength,
  });

/** A compact-JWS-looking string: 0 to 5 segments of base64url-ish text. */
export const jwsLike = fc.array(fc.oneof(base64urlText(), base64urlBytes(), tokenish(20)), { minLength: 0, maxLength: 5 }).map((parts) => parts.join('.'));

/**
 * Any value an HTTP header may carry (RFC 9110 §5.5: visible ASCII, space,
 * tab and obs-text); Node refuses to send anything else.
 */
export const headerValue = fc.string({
  unit: fc.oneof(
    { weight: 10, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
    { weight: 1, arbitrary: fc.constantFrom('\t', '\u0080', '\u00a0', '\u00ff') },
  ),
  maxLength: 120,
});

/** Keys that attack prototypes, and the keys of the OAuth endpoints. */
export const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'polluted'];
export const OAUTH_KEYS = ['grant_type', 'username', 'password', 'scope', 'refresh_token', 'client_id', 'access_token'];

export const objectKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...DANGEROUS_KEYS) },
  { weight: 4, arbitrary: fc.constantFrom(...OAUTH_KEYS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
);

/**
 * JSON values whose objects may have `__proto__`, `constructor` and OAuth
 * keys (as own keys: JSON.stringify writes them out literally), nested a few
 * levels deep.
 */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'json' },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.string({ maxLength: 30 }),
    fc.array(tie('value'), { maxLength: 4, depthIdentifier: 'json' }),
    fc.dictionary(objectKey, tie('value'), { maxKeys: 6, depthIdentifier: 'json' }),
  ),
})).value;

/** The names Object.prototype has now; compare after a run to see it was not polluted. */
export function prototypeSnapshot(): string[] {
  return Reflect.ownKeys(Object.prototype).map(String).sort();
}

/** True when nothing was added to Object.prototype since `before` and no lookup finds `polluted`. */
export function prototypeIntact(before: readonly string[]): boolean {
  const probe: Record<string, unknown> = {};
  return JSON.stringify(prototypeSnapshot()) === JSON.stringify(before) && probe.polluted === undefined && probe.isAdmin === undefined;
}

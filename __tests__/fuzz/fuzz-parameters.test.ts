import fc from 'fast-check';
import { fuzzParameters } from './arbitraries';

/** The error a failing property ends in, as Jest would print it. */
function failure(run: () => void): Error {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('the property did not fail');
}

/** A property that fails for any n of 1000 or more, recording what it was given. */
function property(seen: number[]) {
  return fc.property(fc.integer({ min: 0, max: 1_000_000 }), (n) => {
    seen.push(n);
    expect(n).toBeLessThan(1000);
  });
}

describe('fuzzParameters: what a failing property tells, and how it is replayed', () => {
  const saved = { seed: process.env.FUZZ_SEED, path: process.env.FUZZ_PATH };
  afterEach(() => {
    for (const [name, value] of [['FUZZ_SEED', saved.seed], ['FUZZ_PATH', saved.path]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('lets fast-check report the seed, the path and the counterexample of a failure', () => {
    delete process.env.FUZZ_SEED;
    const error = failure(() => fc.assert(property([]), fuzzParameters<[number]>(100, [])));
    expect(error.message).toMatch(/\{ seed: -?\d+, path: "[\d:]+", endOnFailure: true \}/);
    expect(error.message).toMatch(/Counterexample: \[1000\]/); // shrunk to the smallest failing value
    expect(String(error.cause)).toContain('toBeLessThan'); // and the assertion that failed (Jest prints it as "Cause:")
  });

  it('tries the fixed examples before any random value', () => {
    delete process.env.FUZZ_SEED;
    const seen: number[] = [];
    const error = failure(() => fc.assert(property(seen), fuzzParameters<[number]>(100, [[5], [123_456]])));
    expect(seen.slice(0, 2)).toEqual([5, 123_456]);
    expect(error.message).toMatch(/Counterexample: \[1000\]/);
  });

  it('replays a failure from FUZZ_SEED and FUZZ_PATH: the counterexample comes first', () => {
    delete process.env.FUZZ_SEED;
    const first = failure(() => fc.assert(property([]), fuzzParameters<[number]>(100, [])));
    const [, seed, path] = /seed: (-?\d+), path: "([\d:]+)"/.exec(first.message)!;

    process.env.FUZZ_SEED = seed;
    process.env.FUZZ_PATH = path;
    const seen: number[] = [];
    const replayed = failure(() => fc.assert(property(seen), fuzzParameters<[number]>(100, [])));
    expect(seen).toEqual([1000]);
    expect(replayed.message).toMatch(/Counterexample: \[1000\]/);
  });

  it('refuses a FUZZ_SEED that is not a number', () => {
    process.env.FUZZ_SEED = 'abc';
    expect(() => fuzzParameters(1, [])).toThrow(/FUZZ_SEED must be the integer fast-check printed/);
  });
});

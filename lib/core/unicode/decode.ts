/**
 * Decoders for the compact tables that scripts/generate-case-folding.mjs
 * writes beside this file. Hand-written (the tables are generated); total
 * over the tables' own format and nothing else.
 */

/**
 * A code point to string mapping from runs and multi-code-point entries.
 *
 * `runs`: space-separated `start:count:step:delta` (hex, delta signed), each
 * meaning that `count` code points `start`, `start + step`, … map to the code
 * point `delta` above themselves. `multi`: space-separated `from>to,to,…`
 * (hex) for the entries that map to more than one code point.
 */
export function decodeMapping(runs: string, multi: string): ReadonlyMap<number, string> {
  const map = new Map<number, string>();
  for (const run of runs.split(' ')) {
    if (run === '') continue;
    const [start, count, step, delta] = run.split(':').map((field) => parseInt(field, 16));
    for (let i = 0; i < count; i++) {
      const from = start + i * step;
      map.set(from, String.fromCodePoint(from + delta));
    }
  }
  for (const entry of multi.split(' ')) {
    if (entry === '') continue;
    const [from, to] = entry.split('>');
    map.set(parseInt(from, 16), String.fromCodePoint(...to.split(',').map((cp) => parseInt(cp, 16))));
  }
  return map;
}

/** Sorted, disjoint inclusive ranges with a one-letter class each, for binary search. */
export interface RangeTable {
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  readonly classes: string;
}

/**
 * Ranges from space-separated `gap.length.class` entries: `gap` (base 36) is
 * the distance from the end of the previous range (from -1 for the first),
 * `length` (base 36) the number of code points, `class` one letter.
 */
export function decodeRanges(encoded: string): RangeTable {
  const entries = encoded.split(' ').filter((entry) => entry !== '');
  const starts = new Uint32Array(entries.length);
  const ends = new Uint32Array(entries.length);
  let classes = '';
  let end = -1;
  entries.forEach((entry, i) => {
    const [gap, length, cls] = entry.split('.');
    starts[i] = end + parseInt(gap, 36);
    end = starts[i] + parseInt(length, 36) - 1;
    ends[i] = end;
    classes += cls;
  });
  return { starts, ends, classes };
}

/** The class of `codePoint` in `table`, or `fallback` outside every range. */
export function lookupRange(table: RangeTable, codePoint: number, fallback: string): string {
  let low = 0;
  let high = table.starts.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if (codePoint < table.starts[mid]) high = mid - 1;
    else if (codePoint > table.ends[mid]) low = mid + 1;
    else return table.classes[mid];
  }
  return fallback;
}

/**
 * A code point to string mapping grouped by target: space-separated
 * `to,to,…:from,from,…` entries, all base 36. The first `from` of a group is
 * a code point, each next one the distance from the one before.
 */
export function decodeGroups(encoded: string): ReadonlyMap<number, string> {
  const map = new Map<number, string>();
  for (const entry of encoded.split(' ')) {
    if (entry === '') continue;
    const [to, froms] = entry.split(':');
    const target = String.fromCodePoint(...to.split(',').map((cp) => parseInt(cp, 36)));
    let from = 0;
    for (const step of froms.split(',')) {
      from += parseInt(step, 36);
      map.set(from, target);
    }
  }
  return map;
}

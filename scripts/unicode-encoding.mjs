// What scripts/generate-case-folding.mjs and scripts/generate-confusables.mjs share: the text
// encoding of code point mappings that lib/core/unicode/decode.ts reads back, its round-trip check,
// and the layout of long string literals in the generated files.

export const hex = (n) => n.toString(16).toUpperCase();

/**
 * Single code point mappings as runs `start:count:step:delta`: consecutive
 * entries (step 1) or alternating ones (step 2, the upper/lower pairs of
 * Latin Extended-A and friends) with the same delta share a run. Any other
 * mapping (to several code points, or to none) is listed as `from>to,to`.
 */
export function encodeMapping(map) {
  const singles = [...map].filter(([, to]) => to.length === 1).map(([from, to]) => [from, to[0] - from]);
  singles.sort((a, b) => a[0] - b[0]);
  const runs = [];
  for (let i = 0; i < singles.length; ) {
    const [start, delta] = singles[i];
    let step = 1;
    const next = singles[i + 1];
    if (next && next[1] === delta && (next[0] - start === 1 || next[0] - start === 2)) step = next[0] - start;
    let count = 1;
    while (singles[i + count] && singles[i + count][1] === delta && singles[i + count][0] === start + count * step) count++;
    runs.push(`${hex(start)}:${hex(count)}:${step}:${delta < 0 ? '-' : ''}${hex(Math.abs(delta))}`);
    i += count;
  }
  const multi = [...map]
    .filter(([, to]) => to.length !== 1)
    .sort((a, b) => a[0] - b[0])
    .map(([from, to]) => `${hex(from)}>${to.map(hex).join(',')}`);
  return { runs, multi };
}

/** Decodes what encodeMapping wrote, the way lib/core/unicode/decode.ts does. */
export function decodeMapping(runs, multi) {
  const map = new Map();
  for (const run of runs) {
    const [start, count, step, delta] = run.split(':').map((f) => parseInt(f, 16));
    for (let i = 0; i < count; i++) map.set(start + i * step, [start + i * step + delta]);
  }
  for (const entry of multi) {
    const [from, to] = entry.split('>');
    map.set(parseInt(from, 16), to.split(',').map((cp) => parseInt(cp, 16)));
  }
  return map;
}

/** Throws unless `encoded` decodes back to exactly `map`. */
export function checkRoundTrip(name, map, encoded) {
  const back = decodeMapping(encoded.runs, encoded.multi);
  if (back.size !== map.size) throw new Error(`${name} does not round-trip`);
  for (const [k, v] of map) if (back.get(k)?.join() !== v.join()) throw new Error(`${name} does not round-trip at U+${hex(k)}`);
}

/** Space-separated items as string literals of about 110 characters, joined with +. */
export function literal(items, indent = '  ') {
  const lines = [];
  let line = '';
  for (const item of items) {
    if (line && line.length + item.length + 1 > 110) {
      lines.push(line);
      line = '';
    }
    line += (line ? ' ' : '') + item;
  }
  if (line) lines.push(line);
  if (lines.length === 0) return `${indent}''`;
  return lines.map((l, i) => `${indent}'${l}${i < lines.length - 1 ? ' ' : ''}'`).join(' +\n');
}

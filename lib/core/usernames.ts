/**
 * # Usernames: one stored form, one key, and what a new name may hold
 *
 * Three questions, three functions, all total (no input makes them throw):
 *
 * - **How is a name stored and shown?** `normalizeUsername`: the mapping
 *   rules of RFC 8265 §3.4 (UsernameCasePreserved, which has no case
 *   mapping). The width mapping rule maps each fullwidth or halfwidth code
 *   point to its `<wide>`/`<narrow>` decomposition (`ａｌｉｃｅ` → `alice`,
 *   `ｱ` → `ア`, U+3000 IDEOGRAPHIC SPACE → U+0020), then NFC.
 * - **When are two names one account?** `usernameKey`: RFC 8265 §3.3
 *   (UsernameCaseMapped): width mapping, case mapping, NFC, in the order of
 *   RFC 8264 §7 (width, additional mapping (none here), case, normalization,
 *   then directionality and the code point rules, which only registration
 *   applies). Stores index the key and logins compare it. Case folding is
 *   applied to the NFD form, as in the Unicode canonical caseless match
 *   (Unicode §3.13, D145): folding alone does not respect canonical
 *   equivalence (`A` + U+0345 + U+0301 and its reordering `A` + U+0301 +
 *   U+0345 would get different keys), folding the NFD form does.
 * - **May a new account have this name?** `usernameProblem`: the RFC 8265
 *   §3.3.1 preparation (every code point valid in the PRECIS IdentifierClass,
 *   RFC 8264 §4.2, whose derived property is computed by the ladder of §8
 *   from the categories of §9), the directionality rule (RFC 8265 §3.3.2
 *   step 5: the RFC 5893 Bidi Rule), and the UTS #39 §5.2 "Highly
 *   Restrictive" level, all on `normalizeUsername(name)`.
 * - **Does it look like another account's name?** `usernameSkeletons`: the
 *   UTS #39 §4 skeletons of the name as stored, case-folded, in lower case
 *   and in capitals. Stores refuse a new name that shares one with another
 *   account (whole-script confusables such as the Cyrillic `аӏісе`, and
 *   look-alikes within one script such as `aIice`), as they refuse a taken
 *   key; logins still go by the key alone.
 *
 * ## Choices, and where they depart from the letter of the RFCs
 *
 * - **Case folding, not toLowerCase.** RFC 8265 §3.3.2 step 3 maps case
 *   "preferably using the Unicode toLowerCase() operation". The key uses full
 *   default case folding instead (CaseFolding.txt statuses C and F; what RFC
 *   7613 had): `STRASSE`/`straße`, `ΟΔΟΣ`/`οδος`/`οδοσ`, `Ǆ`/`ǅ`/`ǆ` each
 *   get one key. Folding equates more pairs than lower-casing does, which
 *   is the safe direction for a uniqueness key: names that differ only so
 *   cannot be two accounts. Turkic (T) and simple (S) foldings are not used,
 *   so `İ` folds to `i̇` (i + U+0307) whatever the locale.
 * - **Deterministic across Node.js versions.** Case folding and width
 *   mapping come from tables generated from Unicode 17.0.0
 *   (./unicode/, scripts/generate-case-folding.mjs), not from ICU. NFD and
 *   NFC are the engine's: Unicode's normalization stability policy keeps
 *   them fixed for assigned characters, and registration refuses unassigned
 *   ones (and, on an engine newer than the tables, case-changing characters
 *   the tables do not know). So a name made of characters that every
 *   engine in use knows has the same key on all of them; only a character
 *   newer than some engine's Unicode (which that engine refuses to
 *   register) could normalize differently there. The code point checks of
 *   `usernameProblem` use the engine's regular expression properties, so
 *   which new names are accepted can differ a little between engines.
 * - **Stricter than IdentifierClass** (RFC 8264 §5 lets a profile exclude
 *   more): every Default_Ignorable_Code_Point is refused, including the
 *   CONTEXTJ joiners U+200C/U+200D the class allows in context, and
 *   invisible look-alikes that are letters or symbols (U+2800 BRAILLE
 *   PATTERN BLANK, U+1D159, U+FFFC, U+16FE4); all format (Cf) and bidi
 *   control characters; spaces other than single U+0020 between parts
 *   (RFC 8265 §3.1 `userpart *(%x20 userpart)`, §3.5); a combining mark at
 *   the start of a part, more than four in a row or one repeated (UTS #39
 *   §5.4). What the class itself disallows is refused as it says: unassigned
 *   (Cn, with noncharacters), private use, surrogates, controls, old Hangul
 *   jamo, the RFC 5892 §2.6 exceptions, every code point NFKC changes
 *   (HasCompat: ligatures, superscripts, `ſ`, `µ`, `ǅ`, halfwidth jamo…,
 *   i.e. what NFKC changes beyond the width mapping already done), titlecase
 *   letters, letter and other numerals, enclosing marks, and symbols,
 *   punctuation and spaces outside ASCII. The CONTEXTO characters (U+00B7,
 *   U+0375, U+05F3, U+05F4, U+30FB, Arabic-Indic digits) follow the RFC 5892
 *   appendix A rules. Printable ASCII is all allowed, as in the class.
 * - **Mixed scripts** (UTS #39 §5.1, §5.2): the resolved script set (each
 *   character's Script_Extensions, augmented with Jpan/Hanb/Kore, Common and
 *   Inherited matching every script) must be non-empty, or the characters
 *   outside Latin must resolve to Japanese, Chinese (Han with Bopomofo) or
 *   Korean. `\u0430lice` (Cyrillic а) is refused; `山田taro`, `ｱlice`
 *   (`アlice` once width-mapped: Katakana with Latin) are accepted.
 * - **Bounds.** A name has at most `MAX_USERNAME_LENGTH` code points after
 *   normalization. Its key has at most `MAX_KEY_EXPANSION` (4) code points
 *   per code point of the input: NFC(s) is never longer than NFD(s), NFD
 *   works code point by code point (then only reorders), and no code point
 *   c has NFD(fold(NFD(width(c)))) longer than 4 (U+1F82 is one that
 *   reaches it; the generator computes the maximum and a test re-checks
 *   every code point). So the key of an accepted name is at most 256 code
 *   points (512 UTF-16 code units). Inputs longer than `MAX_PROCESSED_LENGTH` UTF-16 code units
 *   cannot be names (their normalization is over 64 code points whatever
 *   they hold: NFC at most quarters a string), so they are returned as they
 *   are instead of being processed: still deterministic and idempotent, and
 *   never equal to the key of a real name.
 */
import { bidiGroup, type BidiGroup } from './unicode/bidi-class';
import { CASE_FOLDING, MAX_KEY_EXPANSION, UNICODE_VERSION } from './unicode/case-folding';
import { CONFUSABLES, UPPERCASE, isDefaultIgnorable, isSoftDotted } from './unicode/confusables';
import { SCRIPT_NAMES } from './unicode/scripts';
import { WIDTH_MAPPING } from './unicode/width-mapping';

export { MAX_KEY_EXPANSION, UNICODE_VERSION };

/** Longest username accepted anywhere, in code points after normalizeUsername. */
export const MAX_USERNAME_LENGTH = 64;

/**
 * Inputs longer than this (UTF-16 code units) are not processed: no such
 * string normalizes to 64 code points or fewer, and mapping an unbounded one
 * could exceed the engine's longest string.
 */
export const MAX_PROCESSED_LENGTH = 1 << 16;

/**
 * The stored and displayed form of a username: fullwidth and halfwidth
 * characters mapped to their decompositions, then NFC (RFC 8265 §3.4,
 * UsernameCasePreserved, without its code point checks). Idempotent; never
 * throws (a non-string from an untyped caller gives '').
 *
 * @example
 * normalizeUsername('ＡＬＩＣＥ'); // 'ALICE' (case is kept for display)
 * normalizeUsername('Ame\u0301lie'); // 'Amélie' (NFC)
 */
export function normalizeUsername(username: string): string {
  if (typeof username !== 'string') return '';
  if (username.length > MAX_PROCESSED_LENGTH) return username;
  return mapCodePoints(username, WIDTH_MAPPING).normalize('NFC');
}

/**
 * The key that makes usernames unique and finds them at login (RFC 8265
 * §3.3, UsernameCaseMapped): width mapping, full default case folding
 * (Unicode 17.0.0 tables) of the NFD form, NFC. Canonically equivalent
 * inputs get one key; idempotent and deterministic; never throws (a
 * non-string from an untyped caller gives '', which no name has).
 *
 * Stores index this key. Changing what it returns for any stored name
 * changes keys already stored: it needs a schema step in every SQL store
 * that recomputes them (see lib/stores/username-keys.ts).
 *
 * @example
 * usernameKey('ＡＬＩＣＥ') === usernameKey('alice'); // true
 * usernameKey('STRASSE') === usernameKey('straße'); // true: both 'strasse'
 */
export function usernameKey(username: string): string {
  if (typeof username !== 'string') return '';
  if (username.length > MAX_PROCESSED_LENGTH) return username;
  return mapCodePoints(mapCodePoints(username, WIDTH_MAPPING).normalize('NFD'), CASE_FOLDING).normalize('NFC');
}

/** True when `a` and `b` name the same account. */
export function sameUsername(a: string, b: string): boolean {
  return usernameKey(a) === usernameKey(b);
}

/** `text` with each code point that `table` has replaced by its mapping; lone surrogates pass through. */
function mapCodePoints(text: string, table: ReadonlyMap<number, string>): string {
  let out = '';
  for (const ch of text) out += table.get(ch.codePointAt(0) as number) ?? ch;
  return out;
}

// ---- Look-alikes (UTS #39 §4: confusable detection) -------------------------------------------------

/**
 * The skeletons of `username`: what the name can look like, as strings that
 * are equal exactly when two names look alike (UTS #39 §4, "X and Y are
 * confusable if skeleton(X) = skeleton(Y)"). A new name whose skeletons share
 * one with an existing account's is refused like a taken name: stores index
 * them (`UserStore.create` and `update` reject with UsernameTakenError).
 *
 * A name is shown as stored (normalizeUsername, case kept) but is one account
 * in any case, and an app may show it in any case (capitals in a heading,
 * say). So there are up to four skeletons, each the UTS #39 skeleton of one
 * way to write the name:
 *
 * 1. as stored: `aIice` (capital I) looks like `alice`;
 * 2. as stored, then case-folded: the Cherokee `ᎪᏞᎥᏟᎬ` looks like `ALiCE`,
 *    which is the name `alice`;
 * 3. its key (lower case): `rnary` looks like `mary`;
 * 4. its key in capitals: the Lisu `ꓮꓡꓲꓚꓰ` looks like `ALICE`, and `τομ`
 *    is `ΤΟΜ` in capitals, which looks like `TOM`.
 *
 * The skeleton of a string: NFD, without Default_Ignorable_Code_Points, each
 * code point replaced by its prototype in confusables.txt (Unicode 17.0,
 * ./unicode/confusables.ts), NFD again. Tailored (UTS #39 §4 allows declared
 * changes): U+30FC (the prototype of U+4E00 一 and the other long strokes)
 * looks like `-`; and a U+0307 COMBINING DOT ABOVE on a Soft_Dotted letter
 * (the After_Soft_Dotted context of Unicode §3.13) is left out, since it only
 * puts back the dot that `i` or `j` has (`i̇` and `ı̇` look like `i`).
 * Accents are not confusables in the data: `José` and `Jose` are two names.
 *
 * Looking alike is not transitive: `ꓮꓡꓲꓚꓰ` and `aIice` each look like
 * `alice` (in capitals, and as written) but not like each other, so with no
 * `alice` both can register, and then `alice` cannot. One skeleton per name
 * would make it transitive only by also merging names that do not look
 * alike (`i` and `l` everywhere, since `I` is both `i` in capitals and a
 * look-alike of `l`: `ali` and `all`).
 *
 * Total: a non-string or '' gives [], so it looks like nothing; deterministic
 * across Node.js versions (generated tables only, and the normalization that
 * usernameKey already relies on).
 *
 * The SQL stores keep these in `username_skeletons` (SQLite schema step 7,
 * PostgreSQL migration 6). Changing what this returns for a stored name (new
 * confusables data, another tailoring) changes rows already stored: it needs
 * a schema step that recomputes them, as usernameKey's changes do.
 *
 * @example
 * usernameSkeletons('alice'); // ['ALlCE', 'alice']
 * usernamesLookAlike('\u0430\u04cf\u0456\u0441\u0435', 'alice'); // true: Cyrillic аӏісе
 */
export function usernameSkeletons(username: string): string[] {
  if (typeof username !== 'string' || username === '') return [];
  if (username.length > MAX_PROCESSED_LENGTH) return [username];
  const stored = skeleton(normalizeUsername(username));
  const key = usernameKey(username);
  const skeletons = new Set([stored, fold(stored), fold(skeleton(key)), skeleton(mapCodePoints(key.normalize('NFD'), UPPERCASE))]);
  return [...skeletons].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * True when `a` and `b` look alike: they share a skeleton (`usernameSkeletons`).
 * Names that are one account (`sameUsername`) always do.
 *
 * @example
 * usernamesLookAlike('aIice', 'alice'); // true
 * usernamesLookAlike('José', 'Jose'); // false
 */
export function usernamesLookAlike(a: string, b: string): boolean {
  const theirs = new Set(usernameSkeletons(b));
  return usernameSkeletons(a).some((s) => theirs.has(s));
}

/** The UTS #39 skeleton of `text`, tailored (see usernameSkeletons). */
function skeleton(text: string): string {
  let mapped = '';
  for (const ch of text.normalize('NFD')) {
    const cp = ch.codePointAt(0) as number;
    if (!isDefaultIgnorable(cp)) mapped += CONFUSABLES.get(cp) ?? ch;
  }
  const chars = [...mapped.normalize('NFD')];
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === '\u0307' && afterSoftDotted(chars, i)) continue;
    out += chars[i];
  }
  return out;
}

/**
 * Unicode §3.13 After_Soft_Dotted: a Soft_Dotted letter before `chars[i]`,
 * with no code point of combining class 0 or 230 (Above) in between. In NFD
 * the marks in between come before U+0307 (class 230), so they are of class
 * 1 to 230; one of class 230 keeps its place after U+0307 when the two are
 * normalized in that order, one of a lower class moves before it.
 */
function afterSoftDotted(chars: readonly string[], i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const ch = chars[j];
    if (isSoftDotted(ch.codePointAt(0) as number)) return true;
    if (!/\p{M}/u.test(ch)) return false;
    if (('\u0307' + ch).normalize('NFD') === '\u0307' + ch) return false;
  }
  return false;
}

/** Full default case folding of `text`, in NFD (as usernameKey folds). */
function fold(text: string): string {
  return mapCodePoints(text.normalize('NFD'), CASE_FOLDING).normalize('NFD');
}

/**
 * Why `username` cannot be a new account's name (registration, adding a
 * user, renaming), or undefined when it can. Checks normalizeUsername(username);
 * see the module comment for the rules and their sources. Logins do not
 * check it: an account made under older rules can still log in.
 *
 * @example
 * usernameProblem('alice'); // undefined
 * usernameProblem('\u0430lice'); // 'a username cannot mix scripts (here Cyrillic and Latin)'
 * usernameProblem('alice\u3164'); // 'a username cannot contain invisible or formatting characters (U+3164)'
 */
export function usernameProblem(username: unknown): string | undefined {
  if (typeof username !== 'string' || username.length === 0) return 'a username is required';
  const name = normalizeUsername(username);
  let length = 0;
  for (const _ of name) if (++length > MAX_USERNAME_LENGTH) return `a username has at most ${MAX_USERNAME_LENGTH} characters`;
  const chars = [...name];
  for (const ch of chars) {
    const problem = characterProblem(ch);
    if (problem !== undefined) return problem;
  }
  return spacingProblem(name) ?? contextProblem(chars) ?? markProblem(name) ?? scriptProblem(chars) ?? bidiProblem(name);
}

// ---- Code points (RFC 8264 §8, §9; RFC 5892 §2.6; stricter where noted) ------------------------

/** RFC 5892 §2.6 exceptions that are PVALID although their category is not. */
const EXCEPTIONS_PVALID = new Set([0x00df, 0x03c2, 0x06fd, 0x06fe, 0x0f0b, 0x3007]);
/** RFC 5892 §2.6 exceptions that are DISALLOWED: tatweel, NKo lajanyalan, Hangul tone marks, vertical kana repeat marks. */
const EXCEPTIONS_DISALLOWED = new Set([0x0640, 0x07fa, 0x302e, 0x302f, 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x303b]);
/** RFC 5892 §2.6 CONTEXTO code points, allowed only where contextProblem finds their rule met. */
const CONTEXTO = /[\u00b7\u0375\u05f3\u05f4\u30fb\u0660-\u0669\u06f0-\u06f9]/u;
/** RFC 5892 §2.9 OldHangulJamo: Hangul_Syllable_Type L, V or T (conjoining jamo that NFC did not compose). */
const OLD_HANGUL_JAMO = /[\u1100-\u11ff\ua960-\ua97c\ud7b0-\ud7c6\ud7cb-\ud7fb]/u;
/** Blank or invisible characters that are neither default-ignorable nor format characters. */
const BLANK_LOOKALIKES = /[\u2800\ufffc\u{1d159}\u{16fe4}]/u;
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/u;
const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/u;
const LETTER_DIGIT_MARK = /[\p{Ll}\p{Lu}\p{Lo}\p{Lm}\p{Mn}\p{Mc}\p{Nd}]/u;
const PRINTABLE_ASCII = /[\x20-\x7e]/;

/** U+XXXX, for messages (the character itself may be invisible or misleading). */
function codePointName(ch: string): string {
  return `U+${(ch.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
}

function characterProblem(ch: string): string | undefined {
  const cp = ch.codePointAt(0) as number;
  if (PRINTABLE_ASCII.test(ch)) return undefined;
  if (/\p{Cs}/u.test(ch)) return 'a username cannot contain unpaired surrogates';
  if (/\p{Bidi_Control}/u.test(ch)) return `a username cannot contain bidirectional control characters (${codePointName(ch)})`;
  if (CONTROL.test(ch)) return `a username cannot contain control characters (${codePointName(ch)})`;
  if (INVISIBLE.test(ch) || BLANK_LOOKALIKES.test(ch)) return `a username cannot contain invisible or formatting characters (${codePointName(ch)})`;
  if (/\p{Zs}/u.test(ch)) return `a username cannot contain spaces other than the ordinary space (${codePointName(ch)})`;
  if (/\p{Co}/u.test(ch)) return `a username cannot contain private-use characters (${codePointName(ch)})`;
  if (/\p{Cn}/u.test(ch)) return `a username cannot contain unassigned code points or noncharacters (${codePointName(ch)})`;
  // An engine on a newer Unicode than the tables: a case-changing character the
  // folding table does not know would get a key of its own in each case.
  if (/\p{Changes_When_Casefolded}/u.test(ch) && !CASE_FOLDING.has(cp)) {
    return `a username cannot contain characters newer than Unicode ${UNICODE_VERSION} (${codePointName(ch)})`;
  }
  if (EXCEPTIONS_PVALID.has(cp) || CONTEXTO.test(ch)) return undefined;
  if (EXCEPTIONS_DISALLOWED.has(cp)) return `a username cannot contain elongation, tone or repeat marks (${codePointName(ch)})`;
  if (OLD_HANGUL_JAMO.test(ch)) return `a username cannot contain conjoining Hangul jamo (${codePointName(ch)})`;
  if (ch.normalize('NFKC') !== ch) {
    return `a username cannot contain compatibility characters such as ligatures, superscripts or letter-like symbols (${codePointName(ch)})`;
  }
  if (LETTER_DIGIT_MARK.test(ch)) return undefined;
  return `a username cannot contain ${codePointName(ch)}: only letters, digits, combining marks and ASCII symbols are allowed`;
}

// ---- Spaces (RFC 8265 §3.1, §3.5: userparts separated by one U+0020) -----------------------------

function spacingProblem(name: string): string | undefined {
  if (name.startsWith(' ') || name.endsWith(' ')) return 'a username cannot start or end with a space';
  if (name.includes('  ')) return 'a username cannot contain two spaces in a row';
  return undefined;
}

// ---- CONTEXTO rules (RFC 5892 appendix A.3 to A.9) -------------------------------------------------

function contextProblem(chars: string[]): string | undefined {
  const hasArabicIndic = chars.some((ch) => /[\u0660-\u0669]/.test(ch));
  const hasExtendedArabicIndic = chars.some((ch) => /[\u06f0-\u06f9]/.test(ch));
  if (hasArabicIndic && hasExtendedArabicIndic) return 'a username cannot mix Arabic-Indic and extended Arabic-Indic digits';
  for (let i = 0; i < chars.length; i++) {
    const before = chars[i - 1] ?? '';
    const after = chars[i + 1] ?? '';
    switch (chars[i]) {
      case '\u00b7':
        if (before !== 'l' || after !== 'l') return 'a username can have a middle dot (U+00B7) only between two l letters, as in Catalan';
        break;
      case '\u0375':
        if (!/\p{Script=Greek}/u.test(after)) return 'a username can have a Greek lower numeral sign (U+0375) only before a Greek letter';
        break;
      case '\u05f3':
      case '\u05f4':
        if (!/\p{Script=Hebrew}/u.test(before)) return 'a username can have a Hebrew geresh or gershayim only after a Hebrew letter';
        break;
      case '\u30fb':
        if (!chars.some((ch) => /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u.test(ch))) {
          return 'a username can have a katakana middle dot (U+30FB) only with Japanese or Chinese characters';
        }
        break;
    }
  }
  return undefined;
}

// ---- Combining marks (UTS #39 §5.4) ---------------------------------------------------------------

function markProblem(name: string): string | undefined {
  if (name.split(' ').some((part) => /^\p{M}/u.test(part))) return 'a username cannot start a word with a combining mark';
  let run = 0;
  let previous = '';
  for (const ch of name.normalize('NFD')) {
    if (/[\p{Mn}\p{Me}]/u.test(ch)) {
      if (ch === previous) return 'a username cannot repeat a combining mark on one letter';
      if (++run > 4) return 'a username cannot stack more than 4 combining marks on one letter';
    } else {
      run = 0;
    }
    previous = ch;
  }
  return undefined;
}

// ---- Mixed scripts (UTS #39 §5.1 resolved script set, §5.2 Highly Restrictive) ---------------------

/** `\p{Script_Extensions=…}` for each script this engine knows, built on first use. */
let scriptPatterns: Array<[string, RegExp]> | undefined;
function scriptsOf(ch: string): string[] {
  if (scriptPatterns === undefined) {
    scriptPatterns = [];
    for (const script of SCRIPT_NAMES) {
      try {
        scriptPatterns.push([script, new RegExp(`\\p{Script_Extensions=${script}}`, 'u')]);
      } catch {
        // A script newer than this engine's Unicode: its characters are unassigned here, refused earlier.
      }
    }
  }
  return scriptPatterns.filter(([, pattern]) => pattern.test(ch)).map(([script]) => script);
}

const JAPANESE = 'Japanese';
const HAN_WITH_BOPOMOFO = 'Han with Bopomofo';
const KOREAN = 'Korean';

/** A character's augmented script set (UTS #39 §5.1), or undefined for Common and Inherited ones, which match every script. */
function augmentedScripts(ch: string): Set<string> | undefined {
  if (/[\p{Script_Extensions=Common}\p{Script_Extensions=Inherited}]/u.test(ch)) return undefined;
  const scripts = new Set(scriptsOf(ch));
  if (scripts.has('Han')) [JAPANESE, HAN_WITH_BOPOMOFO, KOREAN].forEach((s) => scripts.add(s));
  if (scripts.has('Hiragana') || scripts.has('Katakana')) scripts.add(JAPANESE);
  if (scripts.has('Hangul')) scripts.add(KOREAN);
  if (scripts.has('Bopomofo')) scripts.add(HAN_WITH_BOPOMOFO);
  return scripts;
}

function intersect(a: Set<string> | undefined, b: Set<string>): Set<string> {
  return a === undefined ? b : new Set([...a].filter((s) => b.has(s)));
}

function scriptProblem(chars: string[]): string | undefined {
  let resolved: Set<string> | undefined;
  let withoutLatin: Set<string> | undefined;
  let first: string | undefined;
  let clash: string | undefined;
  for (const ch of chars) {
    const scripts = augmentedScripts(ch);
    if (scripts === undefined) continue;
    first ??= ch;
    resolved = intersect(resolved, scripts);
    if (resolved.size === 0) clash ??= ch;
    if (!scripts.has('Latin')) withoutLatin = intersect(withoutLatin, scripts);
  }
  // Single script: nothing left that some script does not cover.
  if (resolved === undefined || resolved.size > 0) return undefined;
  // Highly restrictive: Latin plus Han with Hiragana and Katakana, with Bopomofo, or with Hangul.
  if (withoutLatin !== undefined && (withoutLatin.has(JAPANESE) || withoutLatin.has(HAN_WITH_BOPOMOFO) || withoutLatin.has(KOREAN))) {
    return undefined;
  }
  const name = (ch: string | undefined) => (ch === undefined ? 'other' : (scriptsOf(ch)[0] ?? 'other').replace(/_/g, ' '));
  return `a username cannot mix scripts (here ${name(first)} and ${name(clash)})`;
}

// ---- Directionality (RFC 8265 §3.3.2 step 5: the RFC 5893 Bidi Rule, per space-separated part) --------

function bidiProblem(name: string): string | undefined {
  const groups = (part: string): BidiGroup[] => [...part].map((ch) => bidiGroup(ch.codePointAt(0) as number));
  const parts = name.split(' ').map(groups);
  // Only names with right-to-left code points (R, AL or AN) are held to the rule.
  if (!parts.some((part) => part.some((g) => g === 'R' || g === 'A'))) return undefined;
  for (const part of parts) {
    const last = [...part].reverse().find((g) => g !== 'M');
    if (part[0] === 'R') {
      if (part.some((g) => g !== 'R' && g !== 'A' && g !== 'E' && g !== 'N' && g !== 'M')) {
        return 'a username cannot mix left-to-right and right-to-left letters in one word';
      }
      if (last !== 'R' && last !== 'E' && last !== 'A') return 'a username with right-to-left letters must end each word with a letter or digit';
      if (part.includes('E') && part.includes('A')) return 'a username cannot mix Arabic-Indic and European digits';
    } else if (part[0] === 'L') {
      if (part.some((g) => g !== 'L' && g !== 'E' && g !== 'N' && g !== 'M')) {
        return 'a username cannot mix left-to-right and right-to-left letters in one word';
      }
      if (last !== 'L' && last !== 'E') return 'a username with right-to-left letters must end each word with a letter or digit';
    } else {
      return 'a username with right-to-left letters must start each word with a letter';
    }
  }
  return undefined;
}

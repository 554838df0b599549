import fc from 'fast-check';
import { usernameKey, usernameProblem, usernameSkeletons, usernamesLookAlike } from '../../lib/core/usernames';
import { CONFUSABLES, CONFUSABLES_VERSION, UPPERCASE } from '../../lib/core/unicode/confusables';
import { UNICODE_VERSION } from '../../lib/core/unicode/case-folding';
import { FUZZ_RUNS } from '../fuzz/arbitraries';
import { LOOKALIKES } from '../lookalikes';


describe('usernames: look-alikes (UTS #39 §4 skeletons)', () => {
  it('takes its data from the Unicode version of the other tables', () => {
    expect(CONFUSABLES_VERSION).toBe(UNICODE_VERSION);
    expect(CONFUSABLES.get(0x0430)).toBe('a');
    expect(CONFUSABLES.get(0x0049)).toBe('l'); // I → l, as confusables.txt has it
    expect(UPPERCASE.get(0x00df)).toBe('SS');
  });

  it('has prototypes that are their own prototypes, so one pass makes a skeleton', () => {
    for (const [from, to] of CONFUSABLES) {
      for (const ch of to.normalize('NFD')) expect([from, ch.codePointAt(0), CONFUSABLES.has(ch.codePointAt(0)!)]).toEqual([from, ch.codePointAt(0), false]);
    }
    // Only code points that NFD leaves alone are looked up, so only they are kept.
    for (const from of CONFUSABLES.keys()) expect(String.fromCodePoint(from).normalize('NFD')).toBe(String.fromCodePoint(from));
  });

  it.each(LOOKALIKES)('finds %s and %s alike (%s), though each is a valid new name', (existing, lookalike) => {
    expect(usernameProblem(existing)).toBeUndefined();
    expect(usernameProblem(lookalike)).toBeUndefined();
    expect(usernameKey(lookalike)).not.toBe(usernameKey(existing));
    expect(usernamesLookAlike(lookalike, existing)).toBe(true);
    expect(usernamesLookAlike(existing, lookalike)).toBe(true);
  });

  it.each([
    ['tom', '\u03a4\u039f\u039c', 'TOM in capitals is the Greek ΤΟΜ'],
    ['tom', '\u03c4\u03bf\u03bc', 'the Greek τομ is ΤΟΜ in capitals'],
    ['BOB', '\u0412\u041e\u0412', 'Cyrillic ВОВ'],
    ['mary', 'rnary', 'rn for m'],
    ['ali', 'ALl', 'ALl for ALI'],
    ['alice', 'ALlCE', 'ALlCE for ALICE'],
    ['Ian', 'lan', 'I for l'],
    ['alice', 'ALİCE', 'İ, whose lower case is i with a dot above'],
    ['aliceーbob', 'alice一bob', 'one long stroke for another'],
  ])('also finds %s and %s alike (%s)', (a, b) => {
    expect(usernamesLookAlike(a, b)).toBe(true);
  });

  it.each([
    ['bob', 'rob'],
    ['anna', 'hanna'],
    ['alice', 'alicia'],
    ['ali', 'all'],
    ['ivan', 'lvan'],
    ['bill', 'biii'],
    ['van', 'nan'],
    ['mary', 'rnarv'],
    // The data has no accent among its confusables: an accent makes another name.
    ['José', 'Jose'],
    ['Zoë', 'Zoe'],
    ['Łukasz', 'Lukasz'],
  ])('keeps %s and %s apart', (a, b) => {
    expect(usernamesLookAlike(a, b)).toBe(false);
  });

  it('is not transitive: two look-alikes of alice need not look like each other', () => {
    // ꓮꓡꓲꓚꓰ looks like ALICE in capitals, aIice like alice as written; in capitals aIice is AIICE.
    expect(usernamesLookAlike('ꓮꓡꓲꓚꓰ', 'alice')).toBe(true);
    expect(usernamesLookAlike('aIice', 'alice')).toBe(true);
    expect(usernamesLookAlike('ꓮꓡꓲꓚꓰ', 'aIice')).toBe(false);
  });

  it('gives names that are one account (one key) a common skeleton', () => {
    for (const [a, b] of [['alice', 'ALICE'], ['straße', 'STRASSE'], ['ａｌｉｃｅ', 'Alice'], ['ΟΔΟΣ', 'οδος']]) {
      expect(usernamesLookAlike(a, b)).toBe(true);
    }
  });

  it('never throws, answers at most four skeletons, and is total over anything', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-composite' }), fc.anything()), (value) => {
        const skeletons = usernameSkeletons(value as string);
        expect(Array.isArray(skeletons)).toBe(true);
        expect(skeletons.length).toBeLessThanOrEqual(4);
        if (typeof value === 'string' && value !== '') expect(skeletons.length).toBeGreaterThan(0);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('answers no skeleton for what is not a name, so such a value is alike nothing', () => {
    expect(usernameSkeletons('')).toEqual([]);
    expect(usernameSkeletons(42 as unknown as string)).toEqual([]);
    expect(usernamesLookAlike('', '')).toBe(false);
  });
});

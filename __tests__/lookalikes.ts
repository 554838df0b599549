/**
 * Usernames that a black-box review registered next to the first name of
 * each pair (every one got 201 then): each looks like the other (UTS #39 §4),
 * and each is a valid new name on its own (usernameProblem).
 */
export const LOOKALIKES: ReadonlyArray<[existing: string, lookalike: string, why: string]> = [
  ['alice', '\u0430\u04cf\u0456\u0441\u0435', 'all Cyrillic (а ӏ і с е): a whole-script confusable'],
  ['alice', 'ᎪᏞᎥᏟᎬ', 'Cherokee, read without case'],
  ['alice', 'ꓮꓡꓲꓚꓰ', 'Lisu, like ALICE in capitals'],
  ['alice', 'al\u0131\u0307ce', 'dotless ı with a combining dot above'],
  ['alice', 'ali\u0307ce', 'i with a combining dot above, which only restores its dot'],
  ['alice', 'a\u01c0ice', 'U+01C0 LATIN LETTER DENTAL CLICK for l'],
  ['alice', '\u0251lice', 'U+0251 LATIN SMALL LETTER ALPHA for a'],
  ['alice', 'aIice', 'capital I for l'],
  ['alice-bob', 'alice\u4e00bob', 'U+4E00 (Han one) for the hyphen'],
  ['alice-bob', 'alice\u30fcbob', 'U+30FC (prolonged sound mark) for the hyphen'],
  ['TOM', '\u03a4\u039f\u039c', 'Greek capitals'],
  ['TOM', '\u0422\u041e\u041c', 'Cyrillic capitals'],
  ['ao', 'a\u3007', 'U+3007 IDEOGRAPHIC NUMBER ZERO for o'],
];

import { emailProblem } from '../../lib/login/accounts';

describe('emailProblem', () => {
  it.each([
    'alice@example.com',
    'first.last+tag@mail.example.co.uk',
    "o'brien@example.ie",
    'x@localhost',
    '!#$%&*+/=?^_`{|}~-@example.com',
    'a@xn--bcher-kva.example',
    // RFC 6531 / RFC 6532: UTF-8 in the local part and the domain.
    'δοκιμή@παράδειγμα.δοκιμή',
    '用户@例子.广告',
    'josé@bücher.example',
    'अजय@डाटा.भारत',
    `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`, // 254 octets
  ])('accepts %s', (email) => {
    expect(emailProblem(email)).toBeUndefined();
  });

  it.each([
    ['U+0000 NUL (PostgreSQL text cannot hold it)', 'a@b.c\u0000'],
    ['U+0001', 'a\u0001@b.c'],
    ['DEL', 'a@b.c\u007f'],
    ['U+0085 NEXT LINE', 'a\u0085@b.c'],
    ['a tab', 'a\t@b.c'],
    ['a line feed', 'a@b.c\n'],
    ['U+2028 LINE SEPARATOR', 'a\u2028@b.c'],
    ['U+202E RIGHT-TO-LEFT OVERRIDE', '\u202Emoc.elpmaxe@b.c'],
    ['U+2066 LEFT-TO-RIGHT ISOLATE', 'a\u2066@b.c'],
    ['U+200F RIGHT-TO-LEFT MARK', 'a@b.c\u200F'],
    ['U+061C ARABIC LETTER MARK', 'a\u061C@b.c'],
    ['U+200B ZERO WIDTH SPACE', 'ali\u200Bce@b.c'],
    ['U+200D ZERO WIDTH JOINER', 'a@b\u200Dc.d'],
    ['U+FEFF BYTE ORDER MARK', '\uFEFFa@b.c'],
    ['U+00AD SOFT HYPHEN', 'a\u00AD@b.c'],
    ['U+3164 HANGUL FILLER', 'a\u3164@b.c'],
    ['U+00A0 NO-BREAK SPACE', 'a\u00A0@b.c'],
    ['a space', 'a b@c.d'],
    ['a leading space', ' a@b.c'],
    ['a lone high surrogate', 'a\uD800@b.c'],
    ['a lone low surrogate', 'a@b\uDC00.c'],
    ['a private-use character', 'a\uE000@b.c'],
    ['a noncharacter', 'a\uFFFF@b.c'],
    ['an empty domain label', 'a@b..c'],
    ['a trailing dot in the domain', 'a@b.c.'],
    ['a leading dot in the domain', 'a@.b.c'],
    ['a leading dot in the local part', '.a@b.c'],
    ['a trailing dot in the local part', 'a.@b.c'],
    ['two dots in the local part', 'a..b@c.d'],
    ['no @', 'alice.example.com'],
    ['two @', 'a@b@c.d'],
    ['an empty local part', '@b.c'],
    ['an empty domain', 'a@'],
    ['a quoted local part', '"a b"@c.d'],
    ['a backslash', 'a\\b@c.d'],
    ['angle brackets', '<a@b.c>'],
    ['an address literal', 'a@[192.0.2.1]'],
    ['a domain label starting with a hyphen', 'a@-b.c'],
    ['a domain label ending with a hyphen', 'a@b-.c'],
    ['an underscore in the domain', 'a@b_c.d'],
    ['a symbol in the domain', 'a@b☃.c'],
    ['a domain label starting with a combining mark', 'a@\u0301b.c'],
    ['a domain label of 64 octets', `a@${'b'.repeat(64)}.c`],
    ['a local part of 65 octets', `${'a'.repeat(65)}@b.c`],
    ['a local part of 33 two-octet characters', `${'é'.repeat(33)}@b.c`],
    ['255 octets', `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`],
    ['an empty string', ''],
    ['a number', 42],
    ['null', null],
  ])('refuses %s', (_name, email) => {
    expect(emailProblem(email)).toEqual(expect.stringMatching(/^the (email address|local part|domain)|^a domain label/));
  });

  it('says why, naming an invisible character by its code point', () => {
    expect(emailProblem('\u202Emoc.elpmaxe@b.c')).toBe('the email address cannot contain control, formatting, invisible or space characters (U+202E)');
    expect(emailProblem('a@b..c')).toBe('the email address has an empty domain label');
  });

  it('refuses a very long string without looking at each character', () => {
    expect(emailProblem(`${'a'.repeat(1_000_000)}@b.c`)).toBe('the email address must have at most 254 octets (UTF-8)');
  });
});

import { PasswordHasher } from '../../lib/login/passwords';

describe('PasswordHasher', () => {
  const passwords = new PasswordHasher();

  it('hashes with argon2id at the OWASP minimum by default (m=19456 KiB, t=2, p=1)', async () => {
    const hash = await passwords.hash('correct horse');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await passwords.verify(hash, 'correct horse')).toBe(true);
    expect(await passwords.verify(hash, 'correct horsE')).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await passwords.hash('same')).not.toBe(await passwords.hash('same'));
  });

  it('normalises to NFC and never truncates', async () => {
    const hash = await passwords.hash('caf\u00e9');
    expect(await passwords.verify(hash, 'cafe\u0301')).toBe(true);
    const long = 'x'.repeat(1000);
    const longHash = await passwords.hash(long);
    expect(await passwords.verify(longHash, long.slice(0, 999))).toBe(false);
  });

  it('keeps NUL bytes as characters', async () => {
    const hash = await passwords.hash('a\u0000b');
    expect(await passwords.verify(hash, 'a')).toBe(false);
    expect(await passwords.verify(hash, 'a\u0000b')).toBe(true);
  });

  it('counts the maximum length in characters', () => {
    const short = new PasswordHasher({}, 4);
    expect(short.isTooLong('\u{1F511}'.repeat(4))).toBe(false); // 8 UTF-16 units, 4 characters
    expect(short.isTooLong('\u{1F511}'.repeat(5))).toBe(true);
    expect(short.isTooLong('abcde')).toBe(true);
  });

  it('asks for a rehash when parameters or variant differ', async () => {
    const old = new PasswordHasher({ memoryCost: 8192, timeCost: 1 });
    expect(passwords.needsRehash(await old.hash('pw'))).toBe(true);
    expect(passwords.needsRehash(await passwords.hash('pw'))).toBe(false);
    expect(passwords.needsRehash('$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA')).toBe(true);
  });

  it('runs a real verify for unknown users and always says no', async () => {
    expect(await passwords.verifyDummy('anything')).toBe(false);
  });

  it('refuses cost parameters argon2 cannot use, naming them', () => {
    expect(() => new PasswordHasher({ timeCost: 0 })).toThrow(/argon2.timeCost/);
    expect(() => new PasswordHasher({ parallelism: 1.5 })).toThrow(/argon2.parallelism/);
  });
});

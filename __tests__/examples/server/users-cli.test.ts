import { CliError, runUsersCli } from '../../../examples/server/users-cli';
import { PasswordHasher } from '../../../lib/login/passwords';
import { SqliteUserStore } from '../../../lib/stores/sqlite/users';
import { authenticatePassword } from '../../../lib/login/authenticate-password';
import { PausingUserStore } from '../../stores/pausing-user-store';
import { LOOKALIKES } from '../../lookalikes';

const PASSWORD = 'first-Pa55word';
const NEW_PASSWORD = 'second-Pa55word';

describe('users CLI (runUsersCli)', () => {
  /** Cheap argon2: these tests are about the CLI, not the hashing cost. */
  const hasher = new PasswordHasher({ memoryCost: 8192, timeCost: 1 });
  let users: SqliteUserStore;
  let out: string[];
  let stdinReads: number;

  beforeEach(() => {
    users = new SqliteUserStore(':memory:');
    out = [];
    stdinReads = 0;
  });

  afterEach(async () => {
    await users.close();
  });

  /** Runs one command with `stdin` as what the user piped in. */
  function run(argv: string[], stdin = `${PASSWORD}\n`): Promise<void> {
    const io = {
      readStdin: async () => {
        stdinReads += 1;
        return stdin;
      },
      out: (line: string) => void out.push(line),
    };
    return runUsersCli(argv, users, io, hasher);
  }

  /** The CliError a command fails with (fails the test when it succeeds or throws something else). */
  async function cliError(argv: string[], stdin?: string): Promise<CliError> {
    const error = await run(argv, stdin).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }

  async function passwordHashOf(username: string): Promise<string> {
    const user = await users.findByUsername(username);
    if (!user) throw new Error(`${username} is not in the store`);
    return user.passwordHash;
  }

  it('adds a user with the password from stdin, its trailing newline stripped', async () => {
    await run(['add', 'alice', '--email', 'alice@example.com', '--scopes', 'admin read', '--password-stdin'], `${PASSWORD}\n`);

    const alice = await users.findByUsername('alice');
    expect(alice).toMatchObject({ username: 'alice', email: 'alice@example.com', scopes: ['admin', 'read'], disabled: false });
    expect(out).toEqual([`added alice (id ${alice!.id})`]);
    expect(alice!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await hasher.verify(alice!.passwordHash, PASSWORD)).toBe(true);
    expect(await hasher.verify(alice!.passwordHash, `${PASSWORD}\n`)).toBe(false);
  });

  it('strips a CRLF line end from the password too, and only one line end', async () => {
    await run(['add', 'alice', '--password-stdin'], `${PASSWORD}\r\n`);
    expect(await hasher.verify(await passwordHashOf('alice'), PASSWORD)).toBe(true);

    await run(['add', 'bob', '--password-stdin'], `${PASSWORD}\n\n`);
    expect(await hasher.verify(await passwordHashOf('bob'), `${PASSWORD}\n`)).toBe(true);
  });

  it('hashes with the default argon2 cost when given no hasher', async () => {
    await runUsersCli(['add', 'alice', '--password-stdin'], users, { readStdin: async () => PASSWORD, out: () => undefined });
    const hash = await passwordHashOf('alice');
    expect(new PasswordHasher().needsRehash(hash)).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(true);
    expect(await hasher.verify(hash, PASSWORD)).toBe(true);
  });

  it('refuses add without --password-stdin, naming the flag, and reads no stdin', async () => {
    const error = await cliError(['add', 'alice']);
    expect(error.message).toContain('--password-stdin');
    expect(error.exitCode).toBe(1);
    expect(stdinReads).toBe(0);
    expect(await users.list()).toEqual([]);
  });

  it('refuses a password shorter than 8 characters', async () => {
    const error = await cliError(['add', 'alice', '--password-stdin'], 'short7!\n');
    expect(error.message).toMatch(/at least 8 characters/);
    expect(await users.list()).toEqual([]);
  });

  it('counts the 8 characters after stripping the newline', async () => {
    expect((await cliError(['add', 'alice', '--password-stdin'], '1234567\n')).message).toMatch(/at least 8 characters/);
    await run(['add', 'alice', '--password-stdin'], '12345678\n');
    expect(await users.findByUsername('alice')).not.toBeNull();
  });

  it('refuses a username already taken in another case', async () => {
    await run(['add', 'alice', '--password-stdin']);
    const error = await cliError(['add', 'ALICE', '--password-stdin']);
    expect(error.message).toMatch(/already taken/);
    expect(error.exitCode).toBe(1);
    expect((await users.list()).map((u) => u.username)).toEqual(['alice']);
  });

  it.each([
    ['full-width ａｌｉｃｅ', 'ａｌｉｃｅ'],
    ['STRASSE beside straße', 'STRASSE', 'straße'],
    ['ΟΔΟΣ beside οδοσ', 'ΟΔΟΣ', 'οδοσ'],
  ])('refuses %s as already taken (one key: width, case folding)', async (_name, name, existing = 'alice') => {
    await run(['add', existing, '--password-stdin']);
    const error = await cliError(['add', name, '--password-stdin']);
    expect(error.message).toBe(`username already taken: ${name}`);
    expect(error.exitCode).toBe(1);
    expect((await users.list()).map((u) => u.username)).toEqual([existing]);
  });

  it.each(LOOKALIKES)('refuses %s then its look-alike %s, naming the account it looks like (%s)', async (existing, lookalike) => {
    await run(['add', existing, '--password-stdin']);
    const error = await cliError(['add', lookalike, '--password-stdin']);
    expect(error.message).toBe(`username looks like an existing one: ${lookalike} looks like ${existing}`);
    expect(error.exitCode).toBe(1);
    expect((await users.list()).map((u) => u.username)).toEqual([existing]);
  });

  it.each([
    ['a Cyrillic а', '\u0430lice', /mix scripts/],
    ['a HANGUL FILLER', 'alice\u3164', /invisible or formatting characters \(U\+3164\)/],
    ['a COMBINING GRAPHEME JOINER', 'ali\u034Fce', /invisible or formatting characters \(U\+034F\)/],
    ['a VARIATION SELECTOR-16', 'alice\uFE0F', /invisible or formatting characters \(U\+FE0F\)/],
    ['a BRAILLE PATTERN BLANK', 'alice\u2800', /invisible or formatting characters \(U\+2800\)/],
  ])('refuses alice with %s, saying why, before reading the password', async (_name, name, why) => {
    await run(['add', 'alice', '--password-stdin']);
    stdinReads = 0;
    const error = await cliError(['add', name, '--password-stdin']);
    expect(error.message).toMatch(why);
    expect(error.exitCode).toBe(1);
    expect(stdinReads).toBe(0);
    expect((await users.list()).map((u) => u.username)).toEqual(['alice']);
  });

  it('refuses an invalid scope before reading the password', async () => {
    const error = await cliError(['add', 'alice', '--scopes', 'admin bad"scope', '--password-stdin']);
    expect(error.message).toBe('not a valid scope (RFC 6749 §3.3): "bad\\"scope"');
    expect(stdinReads).toBe(0);
    expect(await users.list()).toEqual([]);
  });

  it('refuses an email with a terminal escape before reading the password, saying why without echoing it', async () => {
    const error = await cliError(['add', 'alice', '--email', 'a\u001b]0;pwned\u0007@example.com', '--password-stdin']);
    expect(error.message).toBe('not an email address: the email address cannot contain control, formatting, invisible or space characters (U+001B)');
    expect(stdinReads).toBe(0);
    expect(await users.list()).toEqual([]);
  });

  it('refuses an unknown command with exit code 2 and the usage', async () => {
    const error = await cliError(['frobnicate', 'alice']);
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^unknown command: frobnicate\n/);
    expect(error.message).toContain('usage:');
  });

  it('refuses an unknown option with exit code 2 and one line of its own, echoing no value', async () => {
    const error = await cliError(['add', 'alice', `--password=${PASSWORD}`]);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('unknown option --password: passwords are read from standard input, with --password-stdin');
    expect(stdinReads).toBe(0);

    const other = await cliError(['list', '-x']);
    expect(other.exitCode).toBe(2);
    expect(other.message).toBe('unknown option -x (npm run --silent users -- --help lists the options)');
  });

  it.each([
    [['add', 'alice', '--email'], '--email needs a value'],
    [['add', 'alice', '--scopes', '--password-stdin'], '--scopes needs a value'],
    [['add', 'alice', '--password-stdin=yes'], '--password-stdin takes no value'],
  ])('refuses %j with exit code 2 and one line: %s', async (argv, message) => {
    const error = await cliError(argv);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(message);
  });

  it.each([
    ['empty', ''],
    ['a bare line end', '\n'],
  ])('says that standard input was empty (%s), not that the password is too short', async (_name, stdin) => {
    const error = await cliError(['add', 'alice', '--password-stdin'], stdin);
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe("standard input was empty: pipe the password in, as in echo '<password>' | npm run --silent users -- add alice --password-stdin");
    expect(await users.list()).toEqual([]);
  });

  it('refuses add without a username with exit code 2', async () => {
    const error = await cliError(['add', '--password-stdin']);
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^add needs a username/);
  });

  it('refuses no command with exit code 2 and the usage', async () => {
    const error = await cliError([]);
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^no command given\nusage: /);
    expect(out).toEqual([]);
  });

  it('prints the usage on --help, as a success', async () => {
    await run(['--help']);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^usage: /);
  });

  it('changes the password with passwd: the old one no longer verifies, the new one does', async () => {
    await run(['add', 'alice', '--password-stdin'], `${PASSWORD}\n`);
    out = [];
    await run(['passwd', 'alice', '--password-stdin'], `${NEW_PASSWORD}\n`);

    expect(out).toEqual(['changed the password of alice; signed out everywhere']);
    const hash = await passwordHashOf('alice');
    expect(await hasher.verify(hash, PASSWORD)).toBe(false);
    expect(await hasher.verify(hash, NEW_PASSWORD)).toBe(true);
  });

  it('keeps a passwd that lands while a login with the old password rehashes it', async () => {
    await run(['add', 'alice', '--password-stdin'], `${PASSWORD}\n`);
    const before = (await users.findByUsername('alice'))!;
    // The server hashes with other parameters than the CLI did: a login rehashes alice's hash.
    const serverHasher = new PasswordHasher({ memoryCost: 1024, timeCost: 1 });
    expect(serverHasher.needsRehash(before.passwordHash)).toBe(true);
    const pausing = new PausingUserStore(users);
    const held = pausing.holdNext((patch) => patch.passwordHash !== undefined && patch.tokenEpoch === undefined);

    const login = authenticatePassword({ users: pausing, passwords: serverHasher, rateLimits: undefined, deviceCookies: undefined }, 'alice', PASSWORD, { ip: '192.0.2.1' });
    await held.reached;
    await runUsersCli(['passwd', 'alice', '--password-stdin'], pausing, { readStdin: async () => `${NEW_PASSWORD}\n`, out: () => undefined }, hasher);
    held.release();
    const loggedIn = await login;

    const after = (await users.findByUsername('alice'))!;
    expect(await hasher.verify(after.passwordHash, NEW_PASSWORD)).toBe(true);
    expect(await hasher.verify(after.passwordHash, PASSWORD)).toBe(false);
    expect(after.tokenEpoch).toBe(before.tokenEpoch + 1);
    // The login verified the old password at the old epoch: the tokens it gets are of an ended epoch.
    expect(loggedIn.tokenEpoch).toBe(before.tokenEpoch);
  });

  it('refuses passwd for an unknown user and without --password-stdin', async () => {
    expect((await cliError(['passwd', 'nobody', '--password-stdin'])).message).toBe('no such user: nobody');
    await run(['add', 'alice', '--password-stdin']);
    expect((await cliError(['passwd', 'alice'])).message).toContain('--password-stdin');
    expect(await hasher.verify(await passwordHashOf('alice'), PASSWORD)).toBe(true);
  });

  it('flips disabled with disable and enable, finding the user in any case', async () => {
    await run(['add', 'alice', '--password-stdin']);
    out = [];

    await run(['disable', 'Alice']);
    expect((await users.findByUsername('alice'))?.disabled).toBe(true);
    await run(['enable', 'ALICE']);
    expect((await users.findByUsername('alice'))?.disabled).toBe(false);
    expect(out).toEqual(['disabled alice', 'enabled alice']);
  });

  it('removes a user with remove', async () => {
    await run(['add', 'alice', '--password-stdin']);
    await run(['add', 'bob', '--password-stdin']);
    out = [];

    await run(['remove', 'alice']);
    expect(out).toEqual(['removed alice']);
    expect(await users.findByUsername('alice')).toBeNull();
    expect((await users.list()).map((u) => u.username)).toEqual(['bob']);
    expect((await cliError(['remove', 'alice'])).message).toBe('no such user: alice');
  });

  it('lists one line per user, ordered by name, without password hashes', async () => {
    await run(['add', 'bob', '--password-stdin']);
    await run(['add', 'alice', '--email', 'alice@example.com', '--scopes', 'admin read', '--password-stdin']);
    await run(['disable', 'bob']);
    out = [];

    await run(['list']);
    expect(out).toEqual(['alice\talice@example.com\tadmin read\tactive', 'bob\t-\t-\tdisabled']);
    expect(out.join('\n')).not.toContain('$argon2');
    expect((await cliError(['list', 'extra'])).exitCode).toBe(2);
  });
});

import { parseArgs } from 'node:util';
import {
  emailProblem,
  endAllSessions,
  newPasswordProblem,
  PasswordHasher,
  scopeProblem,
  usernameKey,
  usernameProblem,
  UsernameTakenError,
  type UserStore,
} from 'express-jwt-auth';
import { ConfigError, loadConfig } from './config';
import { errorMessage, openUserStore } from './store';

const USAGE = `usage: npm run --silent users -- <command>
  add <username> [--email E] [--scopes "a b"] --password-stdin
  passwd <username> --password-stdin
  disable <username>
  enable <username>
  remove <username>
  list
The database is DATABASE_URL (default sqlite:data/example.db; postgres://… for PostgreSQL).
Exit status: 0 done; 1 refused (no such user, a taken name, a bad password…); 2 a usage mistake.`;

/** A mistake of the caller's: printed as one line, exit 1 (usage mistakes exit 2). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export interface CliIo {
  readStdin(): Promise<string>;
  out(line: string): void;
}

const OPTIONS = {
  email: { type: 'string' },
  scopes: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The options and positionals of `argv`. A mistake is one line of our own
 * (exit 2) rather than Node's parseArgs text, and names only the option:
 * never its value, which may be a password typed as `--password=…`.
 */
function parseCli(argv: string[]) {
  const { tokens } = parseArgs({ args: argv, allowPositionals: true, strict: false, tokens: true, options: OPTIONS });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option = (OPTIONS as Record<string, { type: 'string' | 'boolean' }>)[token.name];
    if (option === undefined) {
      throw new CliError(
        token.name === 'password'
          ? 'unknown option --password: passwords are read from standard input, with --password-stdin'
          : `unknown option ${token.rawName} (npm run --silent users -- --help lists the options)`,
        2,
      );
    }
    // parseArgs (strict) takes `--email --scopes x` as ambiguous: the next option is not a value.
    if (option.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))) {
      throw new CliError(`${token.rawName} needs a value`, 2);
    }
    if (option.type === 'boolean' && token.value !== undefined) throw new CliError(`${token.rawName} takes no value`, 2);
  }
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch {
    // Every strict refusal is caught above; should Node add one, still one line of ours.
    throw new CliError('cannot read the options (npm run --silent users -- --help lists them)', 2);
  }
}

/** Runs one CLI command against `users`; throws CliError for bad input (exit 2 for a usage mistake). */
export async function runUsersCli(argv: string[], users: UserStore, io: CliIo, passwords = new PasswordHasher()): Promise<void> {
  const { values, positionals } = parseCli(argv);
  const [command, username, ...rest] = positionals;
  if (values.help) return io.out(USAGE);
  // No command is a usage mistake like any other: exit 2, so a script that forgot it does not pass.
  if (command === undefined) throw new CliError(`no command given\n${USAGE}`, 2);
  if (rest.length > 0) throw new CliError(`unexpected argument: ${rest[0]}\n${USAGE}`, 2);

  const needUser = async () => {
    if (username === undefined) throw new CliError(`${command} needs a username\n${USAGE}`, 2);
    const user = await users.findByUsername(username);
    if (!user) throw new CliError(`no such user: ${username}`);
    return user;
  };
  const readPassword = async () => {
    if (!values['password-stdin']) {
      throw new CliError('--password-stdin is required: a password given as an argument would show in the process list and shell history');
    }
    // One trailing newline is the end of the line, not part of the password.
    const password = (await io.readStdin()).replace(/\r?\n$/, '');
    // Nothing piped in (or an empty line) is a different mistake from a short password.
    if (password === '') {
      throw new CliError(`standard input was empty: pipe the password in, as in echo '<password>' | npm run --silent users -- ${command} ${username} --password-stdin`);
    }
    const problem = newPasswordProblem(passwords, password);
    if (problem) throw new CliError(problem);
    return passwords.hash(password);
  };

  /** A CliError naming the account that has `name`, or one that looks like it; nothing when there is none. */
  const refuseTaken = async (name: string): Promise<void> => {
    const existing = (await users.findLookalike?.(name)) ?? (await users.findByUsername(name));
    if (!existing) return;
    if (usernameKey(existing.username) === usernameKey(name)) throw new CliError(`username already taken: ${name}`);
    throw new CliError(`username looks like an existing one: ${name} looks like ${existing.username}`);
  };

  switch (command) {
    case 'add': {
      if (username === undefined) throw new CliError(`add needs a username\n${USAGE}`, 2);
      const problem = usernameProblem(username);
      if (problem) throw new CliError(problem);
      const scopes = values.scopes === undefined ? [] : values.scopes.split(/\s+/).filter(Boolean);
      const badScope = scopeProblem(scopes);
      if (badScope !== undefined) throw new CliError(badScope);
      // The reason, not the value: an address that fails may hold terminal escapes.
      const badEmail = values.email === undefined ? undefined : emailProblem(values.email);
      if (badEmail !== undefined) throw new CliError(`not an email address: ${badEmail}`);
      // Before the password is read: a taken name, or one that looks like it (UTS #39), is refused anyway.
      await refuseTaken(username);
      const passwordHash = await readPassword();
      try {
        const user = await users.create({ username, email: values.email ?? null, passwordHash, scopes });
        io.out(`added ${user.username} (id ${user.id})`);
      } catch (err) {
        // Someone else took it meanwhile.
        if (err instanceof UsernameTakenError) await refuseTaken(username);
        throw err;
      }
      return;
    }
    case 'passwd': {
      const user = await needUser();
      // A new password ends every session: earlier access and refresh tokens stop working.
      await endAllSessions(users, user, { passwordHash: await readPassword() });
      return io.out(`changed the password of ${user.username}; signed out everywhere`);
    }
    case 'disable':
    case 'enable': {
      const user = await needUser();
      if (command === 'disable') await endAllSessions(users, user, { disabled: true });
      else await users.update(user.id, { disabled: false });
      return io.out(`${command}d ${user.username}`);
    }
    case 'remove': {
      const user = await needUser();
      await users.delete(user.id);
      return io.out(`removed ${user.username}`);
    }
    case 'list': {
      if (username !== undefined) throw new CliError(`list takes no argument\n${USAGE}`, 2);
      for (const user of await users.list()) {
        io.out([user.username, user.email ?? '-', user.scopes.join(' ') || '-', user.disabled ? 'disabled' : 'active'].join('\t'));
      }
      return;
    }
    default:
      throw new CliError(`unknown command: ${command}\n${USAGE}`, 2);
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

if (require.main === module) {
  (async () => {
    let users: UserStore | undefined;
    try {
      users = openUserStore(loadConfig().databaseUrl);
      await runUsersCli(process.argv.slice(2), users, { readStdin, out: (line) => process.stdout.write(line + '\n') });
    } catch (err) {
      if (err instanceof CliError || err instanceof ConfigError) {
        process.stderr.write(`users: ${err.message}\n`);
        process.exitCode = err instanceof CliError ? err.exitCode : 1;
      } else {
        process.stderr.write(`users: failed: ${errorMessage(err)}\n`);
        process.exitCode = 1;
      }
    } finally {
      await users?.close?.();
    }
  })();
}

import { parseArgs } from 'node:util';
import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm, type JwsAlgorithm } from 'express-jwt-auth';

const isAsymmetricAlgorithm = (value: unknown): value is AsymmetricAlgorithm => ASYMMETRIC_ALGORITHMS.includes(value as AsymmetricAlgorithm);
import { ConfigError, loadConfig, loadKeysConfig } from './config';
import { KeyDirectory, KeyDirectoryError } from './key-directory';

// createAuth's default clock tolerance: a token is accepted up to this long after its exp.
const CLOCK_TOLERANCE = 30;
/**
 * Seconds between `stage` and `rotate` that let every verify-only service
 * see the staged key first: the server's reload (60 s), the JWKS response's
 * Cache-Control max-age (300 s), and a verifier's jwksMaxAge (300 s), each at
 * its default.
 */
const STAGE_WAIT = 660;

const USAGE = `usage: npm run --silent keys -- <command>
  generate [--alg ES256]   make the first signing key
  stage [--alg ES256]      make the next signing key and publish it in the JWKS,
                           verify only, ahead of the rotation
  unstage                  remove the staged key
  rotate [--alg ES256]     make the staged key sign (or, with none staged, a new
                           one); the old one verifies until every token it signed
                           has expired, then is deleted
  list                     every key: kid, alg, status, created
--alg is one of ${ASYMMETRIC_ALGORITHMS.join(', ')}; default JWT_ALGORITHM when it is one of them,
else the active key's (stage, rotate) or ES256 (generate).
The directory is JWT_KEYS_DIR (default <DATA_DIR>/keys). A running server reloads it on SIGHUP
and every minute. Stage, wait for verify-only services to refetch the JWKS (${STAGE_WAIT / 60} min
with the default cache lifetimes), then rotate.`;

/** A mistake of the caller's: printed as one line, exit 1 (usage mistakes exit 2). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface KeysCliSettings {
  /** The key directory. */
  keysDir: string;
  /** JWT_ALGORITHM. */
  algorithm: JwsAlgorithm;
  /** ACCESS_TOKEN_TTL in seconds: how long a rotated-out key must keep verifying. */
  accessTokenTtl: number;
  /** Clock in milliseconds. Default Date.now. */
  now?: () => number;
}

/** Runs one keys command; throws CliError for bad input. */
export function runKeysCli(argv: string[], settings: KeysCliSettings, out: (line: string) => void): void {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { alg: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) return out(USAGE);
  if (rest.length > 0) throw new CliError(`unexpected argument: ${rest[0]}\n${USAGE}`, 2);
  if (values.alg !== undefined && !isAsymmetricAlgorithm(values.alg)) {
    throw new CliError(`--alg must be one of ${ASYMMETRIC_ALGORITHMS.join(', ')}, not "${values.alg}"`, 2);
  }
  const configured = isAsymmetricAlgorithm(settings.algorithm) ? settings.algorithm : undefined;
  const now = settings.now ?? Date.now;
  const dir = new KeyDirectory(settings.keysDir, now);

  try {
    switch (command) {
      case 'generate': {
        const alg: AsymmetricAlgorithm = (values.alg as AsymmetricAlgorithm | undefined) ?? configured ?? 'ES256';
        const key = dir.generate(alg);
        return out(`generated ${alg} key ${key.kid} in ${settings.keysDir}`);
      }
      case 'stage': {
        const alg: AsymmetricAlgorithm = (values.alg as AsymmetricAlgorithm | undefined) ?? configured ?? activeAlg(dir);
        const { key, deleted } = dir.stage(alg);
        out(`staged: ${alg} key ${key.kid} is published in the JWKS and verifies; it signs after \`keys rotate\` (wait ${STAGE_WAIT / 60} min, so every verify-only service has fetched it)`);
        for (const kid of deleted) out(`deleted ${kid}: every token it signed has expired`);
        return;
      }
      case 'unstage': {
        const kid = dir.unstage();
        return out(kid === undefined ? 'no key was staged' : `unstaged and deleted ${kid}`);
      }
      case 'rotate': {
        const manifest = dir.manifest();
        const staged = manifest.keys.find((k) => k.kid === manifest.next);
        const alg = staged ? (values.alg as AsymmetricAlgorithm | undefined) : ((values.alg as AsymmetricAlgorithm | undefined) ?? configured ?? activeAlg(dir));
        const { key, retired, deleted } = dir.rotate(settings.accessTokenTtl + CLOCK_TOLERANCE, alg);
        out(`rotated: ${key.alg} key ${key.kid} signs once the server reloads its keys (SIGHUP, or within a minute); ${retired.kid} verifies until ${retired.dropAt}`);
        if (!staged) {
          out('note: this key was not staged, so a verify-only service refuses its tokens until it refetches the JWKS; next time run `keys stage` first');
        } else {
          const waited = (now() - Date.parse(staged.created)) / 1000;
          if (waited < STAGE_WAIT) out(`note: ${key.kid} was staged only ${Math.floor(waited)} s ago; a verify-only service that has not refetched the JWKS since refuses its tokens until it does`);
        }
        for (const kid of deleted) out(`deleted ${kid}: every token it signed has expired`);
        return;
      }
      case 'list': {
        const manifest = dir.manifest();
        for (const key of manifest.keys) {
          const status =
            key.kid === manifest.active
              ? 'active'
              : key.kid === manifest.next
                ? 'staged'
                : Date.parse(key.dropAt!) <= now()
                  ? 'expired'
                  : `verifies until ${key.dropAt}`;
          out([key.kid, key.alg, status, key.created].join('\t'));
        }
        return;
      }
      default:
        throw new CliError(`unknown command: ${command}\n${USAGE}`, 2);
    }
  } catch (err) {
    if (err instanceof KeyDirectoryError) throw new CliError(err.message);
    throw err;
  }
}

function activeAlg(dir: KeyDirectory): AsymmetricAlgorithm {
  const manifest = dir.manifest();
  return manifest.keys.find((k) => k.kid === manifest.active)!.alg;
}

if (require.main === module) {
  try {
    const config = loadConfig();
    const { algorithm, keysDir } = loadKeysConfig();
    runKeysCli(process.argv.slice(2), { keysDir, algorithm, accessTokenTtl: config.accessTokenTtl }, (line) => process.stdout.write(line + '\n'));
  } catch (err) {
    if (err instanceof CliError || err instanceof ConfigError) {
      process.stderr.write(`keys: ${err.message}\n`);
      process.exitCode = err instanceof CliError ? err.exitCode : 1;
    } else {
      process.stderr.write(`keys: failed: ${(err as Error).message}\n`);
      process.exitCode = 1;
    }
  }
}

import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm, type KeySet } from 'express-jwt-auth';
import { ConfigError, type KeysConfig, type ServerConfig } from './config';
import { KeyDirectory, KeyDirectoryError } from './key-directory';

/**
 * The asymmetric signing keys when JWT_ALGORITHM asks for them (RS256, PS256,
 * ES256, EdDSA), from JWT_KEYS_DIR; undefined for HS256/384/512, which sign
 * with JWT_SECRET. In development a first key is made on the first start;
 * in production the keys must exist (`npm run keys -- generate`). Retired
 * keys that have expired are deleted first.
 */
export function resolveSigningKeys(config: ServerConfig, keys: KeysConfig, say: (line: string) => void, now: () => number = Date.now): KeySet | undefined {
  const { keysDir } = keys;
  const algorithm = keys.algorithm as AsymmetricAlgorithm;
  if (!ASYMMETRIC_ALGORITHMS.includes(algorithm)) return undefined;
  const dir = new KeyDirectory(keysDir, now);
  try {
    if (!dir.exists()) {
      if (config.production) {
        throw new ConfigError(`JWT_ALGORITHM=${algorithm} needs signing keys in ${keysDir} when NODE_ENV=production: run \`npm run --silent keys -- generate --alg ${algorithm}\``);
      }
      const key = dir.generate(algorithm);
      say(`no signing keys: created a development ${algorithm} key ${key.kid} in ${keysDir} (run \`npm run keys -- generate\` for production)`);
    }
    for (const line of pruneExpired(dir)) say(line);
    const set = dir.keySet();
    if (set.active.alg !== algorithm) {
      throw new ConfigError(`the active key in ${keysDir} is ${set.active.alg} but JWT_ALGORITHM is ${algorithm}: run \`npm run --silent keys -- rotate --alg ${algorithm}\``);
    }
    say(`signing with ${algorithm} key ${set.active.kid} from ${keysDir} (${set.keys().length - 1} other key(s) verify)`);
    return set;
  } catch (err) {
    if (err instanceof KeyDirectoryError) throw new ConfigError(err.message);
    throw err;
  }
}

/**
 * Brings the running server's keys (`live`, the KeySet createAuth signs
 * with) to what JWT_KEYS_DIR holds now, after deleting the keys that have
 * expired: a key staged by `keys stage` is published and verifies, a key
 * promoted by `keys rotate` signs, and keys gone from the directory stop
 * verifying. main.ts calls it on SIGHUP and every minute. Resolves one line
 * per change (none when nothing changed); throws, changing nothing, when the
 * directory cannot be read or its active key is of another algorithm.
 *
 * @example
 * process.on('SIGHUP', () => reloadSigningKeys(keys, keysConfig).forEach((line) => logger.info(line)));
 */
export function reloadSigningKeys(live: KeySet, keys: KeysConfig, now: () => number = Date.now): string[] {
  const dir = new KeyDirectory(keys.keysDir, now);
  const lines = pruneExpired(dir);
  const fresh = dir.keySet();
  if (fresh.active.alg !== keys.algorithm) {
    throw new KeyDirectoryError(`the active key in ${keys.keysDir} is ${fresh.active.alg} but JWT_ALGORITHM is ${keys.algorithm}: keys not reloaded`);
  }
  const wanted = new Map(fresh.keys().map((key) => [key.kid!, key]));
  const previous = live.active.kid!;
  if (fresh.active.kid !== previous) {
    // Promotes the key when it was staged (published) already. The old one keeps verifying until the
    // manifest's dropAt for it, set at once (rotate gives it 0 s, and nothing reads the set in between).
    live.rotate(fresh.active, 0);
    const until = fresh.retiredUntil(previous);
    if (wanted.has(previous) && until !== undefined) live.retire(previous, until);
    else live.drop(previous);
    lines.push(`keys reloaded: ${fresh.active.alg} key ${fresh.active.kid} signs now`);
  }
  for (const [kid, key] of wanted) {
    if (kid === fresh.active.kid || kid === previous) continue;
    const until = fresh.retiredUntil(kid);
    if (live.find(kid) === undefined) {
      live.add(key, until);
      lines.push(until === undefined ? `keys reloaded: ${key.alg} key ${kid} is staged: published, verifies, signs after \`keys rotate\`` : `keys reloaded: ${kid} verifies until ${new Date(until).toISOString()}`);
    } else if (until !== undefined && live.retiredUntil(kid) !== until) {
      live.retire(kid, until);
      lines.push(`keys reloaded: ${kid} verifies until ${new Date(until).toISOString()}`);
    }
  }
  for (const key of live.keys()) {
    if (key.kid !== live.active.kid && !wanted.has(key.kid!)) {
      live.drop(key.kid!);
      lines.push(`keys reloaded: ${key.kid} no longer verifies`);
    }
  }
  return lines;
}

/** Deletes expired keys; a directory it may not write (a read-only volume) is left to the keys CLI. */
function pruneExpired(dir: KeyDirectory): string[] {
  try {
    return dir.prune().map((kid) => `deleted key ${kid}: it has expired, and so has every token it signed`);
  } catch (err) {
    return [`expired keys not deleted: ${(err as Error).message}`];
  }
}

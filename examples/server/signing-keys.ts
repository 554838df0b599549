import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm, type KeySet } from 'express-jwt-auth';
import { ConfigError, type KeysConfig, type ServerConfig } from './config';
import { KeyDirectory, KeyDirectoryError } from './key-directory';

/**
 * The asymmetric signing keys when JWT_ALGORITHM asks for them (RS256, PS256,
 * ES256, EdDSA), from JWT_KEYS_DIR; undefined for HS256/384/512, which sign
 * with JWT_SECRET. In development a first key is made on the first start;
 * in production the keys must exist (`npm run keys -- generate`).
 */
export function resolveSigningKeys(config: ServerConfig, keys: KeysConfig, say: (line: string) => void): KeySet | undefined {
  const { keysDir } = keys;
  const algorithm = keys.algorithm as AsymmetricAlgorithm;
  if (!ASYMMETRIC_ALGORITHMS.includes(algorithm)) return undefined;
  const dir = new KeyDirectory(keysDir);
  try {
    if (!dir.exists()) {
      if (config.production) {
        throw new ConfigError(`JWT_ALGORITHM=${algorithm} needs signing keys in ${keysDir} when NODE_ENV=production: run \`npm run --silent keys -- generate --alg ${algorithm}\``);
      }
      const key = dir.generate(algorithm);
      say(`no signing keys: created a development ${algorithm} key ${key.kid} in ${keysDir} (run \`npm run keys -- generate\` for production)`);
    }
    const set = dir.keySet();
    if (set.active.alg !== algorithm) {
      throw new ConfigError(`the active key in ${keysDir} is ${set.active.alg} but JWT_ALGORITHM is ${algorithm}: run \`npm run --silent keys -- rotate --alg ${algorithm}\``);
    }
    say(`signing with ${algorithm} key ${set.active.kid} from ${keysDir} (${set.keys().length - 1} older key(s) still verify)`);
    return set;
  } catch (err) {
    if (err instanceof KeyDirectoryError) throw new ConfigError(err.message);
    throw err;
  }
}

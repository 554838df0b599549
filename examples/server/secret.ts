import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type ServerConfig } from './config';

/**
 * The signing secret: JWT_SECRET, or in development a random one made once
 * and kept in the data folder (mode 0600). Production without JWT_SECRET is a
 * ConfigError: a secret made on the fly would change on every deployment.
 */
export function resolveSecret(config: ServerConfig, say: (line: string) => void): string {
  if (config.secret !== undefined) return config.secret;
  if (config.production) {
    throw new ConfigError('JWT_SECRET is required when NODE_ENV=production (at least 32 random bytes, e.g. `openssl rand -base64 48`)');
  }
  const file = join(config.dataDir, 'jwt-secret');
  const existing = readSecret(file);
  if (existing !== undefined) {
    say(`using the development JWT secret in ${file}`);
    return existing;
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  try {
    // flag 'wx': never overwrite a secret another process wrote meanwhile.
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process made it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readSecret(file) ?? secret;
    throw err;
  }
  chmodSync(file, 0o600);
  say(`no JWT_SECRET set: created a development secret in ${file} (set JWT_SECRET in production)`);
  return secret;
}

function readSecret(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

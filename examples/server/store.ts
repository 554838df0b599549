import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteUserStore } from '../../lib/stores/sqlite';
import type { UserStore } from '../../lib/stores/types';
import { ConfigError } from './config';

/** Opens the user store that DATABASE_URL names: `sqlite:<file>` or `sqlite::memory:`. */
export function openUserStore(databaseUrl: string): UserStore {
  if (!databaseUrl.startsWith('sqlite:')) {
    throw new ConfigError(`DATABASE_URL must start with "sqlite:" (for example sqlite:data/example.db), not "${databaseUrl.split(':')[0]}:"`);
  }
  const file = databaseUrl.slice('sqlite:'.length);
  if (file === '') throw new ConfigError('DATABASE_URL names no file: use sqlite:<file> or sqlite::memory:');
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  return new SqliteUserStore(file);
}

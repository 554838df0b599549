import { parseDuration } from '../../lib/duration';

/** The example server's settings, from the environment. */
export interface ServerConfig {
  port: number;
  host: string;
  /** `sqlite:<file>` or `sqlite::memory:`. */
  databaseUrl: string;
  /** Where the development secret and the default database live. */
  dataDir: string;
  secret: string | undefined;
  issuer: string;
  audience: string;
  accessTokenTtl: number;
  production: boolean;
}

/** A setting that cannot work; main prints its message and exits 1. */
export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number, not "${env.PORT}"`);
  const dataDir = env.DATA_DIR || 'data';
  const accessTokenTtl = parseDuration(env.ACCESS_TOKEN_TTL || '15m');
  if (accessTokenTtl === undefined) throw new ConfigError('ACCESS_TOKEN_TTL must be seconds or a duration like "15m"');
  return {
    port,
    host: env.HOST || '127.0.0.1',
    databaseUrl: env.DATABASE_URL || `sqlite:${dataDir}/example.db`,
    dataDir,
    secret: env.JWT_SECRET || undefined,
    issuer: env.JWT_ISSUER || 'express-jwt-auth-example',
    audience: env.JWT_AUDIENCE || 'example-api',
    accessTokenTtl,
    production: env.NODE_ENV === 'production',
  };
}

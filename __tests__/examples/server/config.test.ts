import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, type ServerConfig } from '../../../examples/server/config';
import { resolveSecret } from '../../../examples/server/secret';
import { openUserStore } from '../../../examples/server/store';
import type { UserStore } from '../../../lib/stores/types';

describe('loadConfig', () => {
  it('uses the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: 'sqlite:data/example.db',
      dataDir: 'data',
      secret: undefined,
      issuer: 'express-jwt-auth-example',
      audience: 'example-api',
      accessTokenTtl: 900,
      refreshTokenTtl: 30 * 86400,
      allowRegistration: false,
      production: false,
      logLevel: 'info',
      redisUrl: undefined,
      loginMaxFailures: 5,
      redisKeyPrefix: 'ejwt',
      refreshTokenGrace: 5,
      publicUrl: undefined,
      corsOrigins: [],
    });
  });

  it('reads every setting from the environment', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      DATA_DIR: '/srv/auth',
      JWT_SECRET: 's'.repeat(40),
      JWT_ISSUER: 'https://auth.example.com',
      JWT_AUDIENCE: 'api',
      ACCESS_TOKEN_TTL: '1h',
      REFRESH_TOKEN_TTL: '7d',
      ALLOW_REGISTRATION: '1',
      NODE_ENV: 'production',
      LOG_LEVEL: 'debug',
      REDIS_URL: 'redis://127.0.0.1:6379',
      LOGIN_MAX_FAILURES: '3',
      REDIS_KEY_PREFIX: 'app1',
      REFRESH_TOKEN_GRACE: '0',
      PUBLIC_URL: 'https://auth.example.com/',
      CORS_ORIGINS: 'https://app.example.com, https://admin.example.com:8443',
    });
    expect(config).toEqual({
      port: 0,
      host: '0.0.0.0',
      databaseUrl: 'sqlite:/srv/auth/example.db',
      dataDir: '/srv/auth',
      secret: 's'.repeat(40),
      issuer: 'https://auth.example.com',
      audience: 'api',
      accessTokenTtl: 3600,
      refreshTokenTtl: 7 * 86400,
      allowRegistration: true,
      production: true,
      logLevel: 'debug',
      redisUrl: 'redis://127.0.0.1:6379',
      loginMaxFailures: 3,
      redisKeyPrefix: 'app1',
      refreshTokenGrace: 0,
      publicUrl: 'https://auth.example.com',
      corsOrigins: ['https://app.example.com', 'https://admin.example.com:8443'],
    });
  });

  it.each(['auth.example.com', 'ftp://auth.example.com', 'https://auth.example.com/?x=1', 'https://auth.example.com/#top', 'http://auth.example.com'])(
    'refuses PUBLIC_URL=%s: the https URL clients reach the server at (http only on localhost)',
    (url) => {
      expect(() => loadConfig({ PUBLIC_URL: url })).toThrow(/^PUBLIC_URL must be/);
    },
  );

  it('keeps a PUBLIC_URL with a path, without its trailing slash, and http on localhost', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://example.com/auth/' }).publicUrl).toBe('https://example.com/auth');
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:3000' }).publicUrl).toBe('http://localhost:3000');
  });

  it.each(['*', 'https://app.example.com/', 'app.example.com', 'https://App.example.com', 'null'])(
    'refuses CORS_ORIGINS=%s: exact origins only, never a wildcard',
    (origins) => {
      expect(() => loadConfig({ CORS_ORIGINS: origins })).toThrow(/^CORS_ORIGINS/);
    },
  );

  it('refuses a REDIS_URL that is not redis:// and a LOGIN_MAX_FAILURES below 1', () => {
    expect(() => loadConfig({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ LOGIN_MAX_FAILURES: '0' })).toThrow(/LOGIN_MAX_FAILURES/);
  });

  it('takes ACCESS_TOKEN_TTL in plain seconds and treats an empty JWT_SECRET as none', () => {
    expect(loadConfig({ ACCESS_TOKEN_TTL: '600', JWT_SECRET: '' })).toMatchObject({ accessTokenTtl: 600, secret: undefined });
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).databaseUrl).toBe('sqlite::memory:');
  });

  it('refuses a DATABASE_URL that is neither sqlite nor postgres, and ALLOW_REGISTRATION other than 0 or 1', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://localhost/db' })).toThrow(/DATABASE_URL must be sqlite:<file>, sqlite::memory: or postgres:\/\//);
    expect(() => loadConfig({ DATABASE_URL: 'postgres:db' })).toThrow(/DATABASE_URL must be sqlite/);
    expect(() => loadConfig({ ALLOW_REGISTRATION: 'yes' })).toThrow(/ALLOW_REGISTRATION/);
  });

  it('takes a postgres:// or postgresql:// DATABASE_URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://app@db.internal:5432/auth' }).databaseUrl).toBe('postgres://app@db.internal:5432/auth');
    expect(loadConfig({ DATABASE_URL: 'postgresql://app@db/auth' }).databaseUrl).toBe('postgresql://app@db/auth');
  });

  it('does not echo a refused DATABASE_URL beyond its scheme, since it may hold a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://app:s3cret@db/auth' })).toThrow(/not "mysql:…"$/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://app:s3cret@db/auth' })).not.toThrow(/s3cret/);
  });

  it('refuses a LOG_LEVEL pino does not know, naming LOG_LEVEL and the levels it takes', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(/^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/);
  });

  it.each(['abc', '-1', '65536', '3.5', '80x'])('refuses PORT=%s with a ConfigError naming PORT', (port) => {
    expect(() => loadConfig({ PORT: port })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: port })).toThrow(/PORT/);
  });

  it.each(['0', '-5', '15 minutes', '1w', '1.5h'])('refuses ACCESS_TOKEN_TTL=%s with a ConfigError naming it', (ttl) => {
    expect(() => loadConfig({ ACCESS_TOKEN_TTL: ttl })).toThrow(ConfigError);
    expect(() => loadConfig({ ACCESS_TOKEN_TTL: ttl })).toThrow(/ACCESS_TOKEN_TTL/);
  });
});

describe('resolveSecret', () => {
  let dir: string;
  let said: string[];
  const say = (line: string) => void said.push(line);
  const config = (overrides: Partial<ServerConfig>): ServerConfig => ({ ...loadConfig({}), dataDir: path.join(dir, 'data'), ...overrides });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'express-jwt-auth-secret-'));
    said = [];
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('returns JWT_SECRET when set, even in production, and writes no file', () => {
    const secret = 'x'.repeat(48);
    expect(resolveSecret(config({ secret }), say)).toBe(secret);
    expect(resolveSecret(config({ secret, production: true }), say)).toBe(secret);
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);
    expect(said).toEqual([]);
  });

  it('creates <dataDir>/jwt-secret with mode 0600 in development, then reuses it', () => {
    const file = path.join(dir, 'data', 'jwt-secret');

    const first = resolveSecret(config({}), say);
    expect(Buffer.byteLength(first)).toBeGreaterThanOrEqual(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${first}\n`);
    expect(said).toEqual([expect.stringContaining(`created a development secret in ${file}`)]);

    const second = resolveSecret(config({}), say);
    expect(second).toBe(first);
    expect(said[1]).toBe(`using the development JWT secret in ${file}`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('makes a different secret for another data folder', () => {
    const a = resolveSecret(config({ dataDir: path.join(dir, 'a') }), say);
    const b = resolveSecret(config({ dataDir: path.join(dir, 'b') }), say);
    expect(a).not.toBe(b);
  });

  it('refuses production without JWT_SECRET with a ConfigError naming JWT_SECRET, and writes no file', () => {
    expect(() => resolveSecret(config({ production: true }), say)).toThrow(ConfigError);
    expect(() => resolveSecret(config({ production: true }), say)).toThrow(/JWT_SECRET/);
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);
  });
});

describe('openUserStore', () => {
  let dir: string;
  let opened: UserStore[];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'express-jwt-auth-store-'));
    opened = [];
  });

  afterEach(async () => {
    for (const store of opened) await store.close?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(['postgres:users', 'mysql://db/users', 'data/example.db', 'SQLITE:x.db'])(
    'refuses DATABASE_URL=%s with a ConfigError asking for sqlite:',
    (url) => {
      expect(() => openUserStore(url)).toThrow(ConfigError);
      expect(() => openUserStore(url)).toThrow(/sqlite:/);
    },
  );

  it('refuses sqlite: without a file name', () => {
    expect(() => openUserStore('sqlite:')).toThrow(ConfigError);
  });

  it('opens an in-memory store for sqlite::memory:', async () => {
    const store = openUserStore('sqlite::memory:');
    opened.push(store);
    await store.create({ username: 'alice', passwordHash: 'h' });
    expect((await store.findByUsername('alice'))?.username).toBe('alice');
  });

  it('creates the missing folders of a sqlite file and keeps the users there', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'users.db');
    const store = openUserStore(`sqlite:${file}`);
    opened.push(store);
    await store.create({ username: 'alice', passwordHash: 'h' });
    await store.close?.();
    expect(fs.existsSync(file)).toBe(true);

    const again = openUserStore(`sqlite:${file}`);
    opened.push(again);
    expect((await again.list()).map((u) => u.username)).toEqual(['alice']);
  });
});

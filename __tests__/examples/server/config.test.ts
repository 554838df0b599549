import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, type ServerConfig } from '../../../examples/server/config';
import { resolveSecret } from '../../../examples/server/secret';
import { openUserStore } from '../../../examples/server/store';
import type { UserStore } from '../../../lib/stores/types';
import request from 'supertest';
import { createApp } from '../../../examples/server/app';
import { auditLog } from '../../../examples/server/audit-log';
import { createLogger } from '../../../examples/server/logger';
import { createAuth } from '../../../lib/create-auth';
import { SqliteUserStore } from '../../../lib/stores/sqlite/users';

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
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      trustProxy: false,
      dpop: 'allowed',
      dpopNonceSecret: undefined,
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
      HEADERS_TIMEOUT_MS: '5000',
      REQUEST_TIMEOUT_MS: '20000',
      TRUST_PROXY: '1',
      DPOP: 'required',
      DPOP_NONCE_SECRET: 'n'.repeat(32),
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
      headersTimeoutMs: 5000,
      requestTimeoutMs: 20_000,
      trustProxy: 1,
      dpop: 'required',
      dpopNonceSecret: 'n'.repeat(32),
      publicUrl: 'https://auth.example.com',
      corsOrigins: ['https://app.example.com', 'https://admin.example.com:8443'],
    });
  });

  it('refuses a DPOP other than off, allowed or required, and a short DPOP_NONCE_SECRET without echoing it', () => {
    expect(() => loadConfig({ DPOP: 'on' })).toThrow(new ConfigError('DPOP must be off, allowed or required, not "on"'));
    expect(() => loadConfig({ DPOP_NONCE_SECRET: 'hunter2' })).toThrow(new ConfigError('DPOP_NONCE_SECRET must be at least 32 bytes'));
    expect(loadConfig({ DPOP: 'off' }).dpop).toBe('off');
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

  it.each(['*', 'https://*.example.com', 'https://app.example.com/', 'app.example.com', 'https://App.example.com', 'null'])(
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

  const FORMS = 'DATABASE_URL must be sqlite:<file> (for example sqlite:data/example.db), sqlite::memory: or postgres://user:password@host:5432/database (also postgresql://)';

  it('refuses a DATABASE_URL that is neither sqlite nor postgres, and ALLOW_REGISTRATION other than 0 or 1', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://localhost/db' })).toThrow(new ConfigError(FORMS));
    expect(() => loadConfig({ DATABASE_URL: 'postgres:db' })).toThrow(/DATABASE_URL must be sqlite/);
    expect(() => loadConfig({ ALLOW_REGISTRATION: 'yes' })).toThrow(/ALLOW_REGISTRATION/);
  });

  it('takes a postgres:// or postgresql:// DATABASE_URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://app@db.internal:5432/auth' }).databaseUrl).toBe('postgres://app@db.internal:5432/auth');
    expect(loadConfig({ DATABASE_URL: 'postgresql://app@db/auth' }).databaseUrl).toBe('postgresql://app@db/auth');
  });

  it('names the accepted forms and the missing sqlite: prefix for a bare file path', () => {
    expect(() => loadConfig({ DATABASE_URL: 'data/example.db' })).toThrow(new ConfigError(`${FORMS}; a file path needs the sqlite: prefix`));
    expect(() => loadConfig({ DATABASE_URL: './users.sqlite' })).toThrow(/a file path needs the sqlite: prefix$/);
    expect(() => loadConfig({ DATABASE_URL: 'C:\\data\\users.db' })).toThrow(/a file path needs the sqlite: prefix$/);
  });

  it.each(['mysql://app:s3cret@db/auth', 'app:s3cret@db:5432/auth', 's3cret', 'postgres:app:s3cret@db', '/srv/s3cret.db'])(
    'echoes nothing of a refused DATABASE_URL=%s, since it may hold a password',
    (url) => {
      const error = (() => {
        try {
          loadConfig({ DATABASE_URL: url });
        } catch (err) {
          return err as Error;
        }
        throw new Error('accepted');
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message.startsWith(FORMS)).toBe(true);
      expect(error.message).not.toMatch(/s3cret|app:|mysql/);
    },
  );

  it.each([
    [{ HEADERS_TIMEOUT_MS: '0' }, /^HEADERS_TIMEOUT_MS must be a whole number of milliseconds, at least 1/],
    [{ HEADERS_TIMEOUT_MS: '10s' }, /^HEADERS_TIMEOUT_MS must be a whole number of milliseconds/],
    [{ REQUEST_TIMEOUT_MS: '-1' }, /^REQUEST_TIMEOUT_MS must be a whole number of milliseconds/],
    [{ REQUEST_TIMEOUT_MS: '5000' }, /^HEADERS_TIMEOUT_MS \(10000\) must not be more than REQUEST_TIMEOUT_MS \(5000\)/],
  ])('refuses the timeouts %j with a ConfigError naming the variable', (settings, message) => {
    expect(() => loadConfig(settings)).toThrow(ConfigError);
    expect(() => loadConfig(settings)).toThrow(message);
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

describe('TRUST_PROXY', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['true', true],
    ['0', 0],
    ['1', 1],
    ['2', 2],
    ['loopback', ['loopback']],
    ['10.0.0.1', ['10.0.0.1']],
    ['loopback, 10.0.0.0/8,fd00::/8', ['loopback', '10.0.0.0/8', 'fd00::/8']],
    ['linklocal,uniquelocal,::1,2001:db8::1/128,192.0.2.0/24', ['linklocal', 'uniquelocal', '::1', '2001:db8::1/128', '192.0.2.0/24']],
  ])('reads %j as Express reads it: %j', (value, expected) => {
    expect(loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each(['yes', 'True', '-1', '1.5', '10.0.0.0/33', 'fd00::/129', '10.0.0.300', '10.0.0.0/8,', 'loopback;10.0.0.1', 'proxy.internal', '10.0.0.0/8/1', '1e3'])(
    'stops start-up for TRUST_PROXY=%s with a ConfigError naming TRUST_PROXY',
    (value) => {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/^TRUST_PROXY must be/);
    },
  );

  it('names the part of a list it could not read', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'loopback,10.0.0.0/40' })).toThrow(/"10\.0\.0\.0\/40" is none of these/);
  });

  describe('req.ip in the example app follows it', () => {
    let users: SqliteUserStore;
    beforeEach(() => {
      users = new SqliteUserStore(':memory:');
    });
    afterEach(async () => {
      await users.close();
    });

    /** The `ip` of the audit line for a refused request from 127.0.0.1 that carries `forwardedFor`. */
    async function ipSeen(env: Record<string, string>, forwardedFor: string): Promise<unknown> {
      const lines: Record<string, unknown>[] = [];
      const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
      const auth = createAuth({ secret: 'x'.repeat(40), issuer: 'example', audience: 'api', users, ...auditLog(logger) });
      const app = createApp({ auth, users, logger, trustProxy: loadConfig(env).trustProxy });
      const res = await request(app).get('/users/me').set('Authorization', 'Bearer not-a-token').set('X-Forwarded-For', forwardedFor);
      expect(res.status).toBe(401);
      return lines.find((line) => line.msg === 'auth failure')?.ip;
    }

    it('ignores X-Forwarded-For by default: the peer is the client', async () => {
      expect(await ipSeen({}, '203.0.113.7')).toBe('127.0.0.1');
    });

    it('takes the address one trusted proxy forwarded, and no more (TRUST_PROXY=1)', async () => {
      expect(await ipSeen({ TRUST_PROXY: '1' }, '198.51.100.9, 203.0.113.7')).toBe('203.0.113.7');
    });

    it('walks back through the listed proxies only (TRUST_PROXY=loopback,10.0.0.0/8)', async () => {
      expect(await ipSeen({ TRUST_PROXY: 'loopback,10.0.0.0/8' }, '198.51.100.9, 203.0.113.7, 10.1.2.3')).toBe('203.0.113.7');
    });
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

  it('creates the data folder 0700: the database it will hold is for the server\'s user only', () => {
    resolveSecret(config({}), say);
    expect(fs.statSync(path.join(dir, 'data')).mode & 0o777).toBe(0o700);
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
    'refuses DATABASE_URL=%s with a ConfigError naming the accepted forms and echoing none of it',
    (url) => {
      expect(() => openUserStore(url)).toThrow(ConfigError);
      expect(() => openUserStore(url)).toThrow(/^DATABASE_URL must be sqlite:<file> \(for example sqlite:data\/example\.db\), sqlite::memory: or postgres:\/\//);
      expect(() => openUserStore(url)).not.toThrow(/users|x\.db|mysql|SQLITE/);
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

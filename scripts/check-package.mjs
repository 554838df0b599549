#!/usr/bin/env node
// The package as a user gets it: `npm pack`, then the tarball installed into fresh apps outside this repository.
//
//   node scripts/check-package.mjs            (npm run check:package; .ci/run runs it)
//
// 1. The tarball holds the built library, its types, README, LICENSE and package.json: nothing else.
// 2. publint and @arethetypeswrong/cli report nothing.
// 3. A memory-store app installs no native addon but argon2's prebuilt one, nothing the examples use, and no
//    install script but argon2's; its size is printed (the README's Install section quotes it).
// 4. The README quick start (examples/quickstart.ts, verbatim) type-checks with strict and skipLibCheck false,
//    with only express, @types/express and this package installed, under module/moduleResolution
//    commonjs+node10, node16, nodenext and bundler, on TypeScript 5 and on TypeScript 7 (which refuses node10).
// 5. It runs, and a supertest login and GET /users/me pass, as compiled TypeScript CommonJS, as compiled
//    TypeScript nodenext (ESM), as plain ESM JavaScript, and on the SQLite subpath with better-sqlite3 installed.
// 6. ESM and CommonJS get one copy of the module (no dual-package hazard); a verify-only app loads neither
//    argon2 nor better-sqlite3.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'package.json'));
const request = require('supertest');
const TS5 = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const TS7_VERSION = '7.0.2';
const NPM_INSTALL = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'express-jwt-auth-package-'));
let failures = 0;

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
function check(name, fn) {
  return Promise.resolve()
    .then(fn)
    .then(
      (detail) => console.log(`ok    ${name}${detail ? ` — ${detail}` : ''}`),
      (err) => {
        failures++;
        console.log(`FAIL  ${name}\n${String(err?.stdout ?? '')}${String(err?.stderr ?? '')}${err?.message ?? err}`.trimEnd());
      },
    );
}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}
function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

try {
  // 1. Pack (prepare builds dist/ first, as on a fresh clone).
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT }));
  const tarball = path.join(work, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  await check('the tarball holds only dist/*.js, dist/*.d.ts, README.md, LICENSE and package.json', () => {
    const stray = files.filter((f) => !/^dist\/.+\.(js|d\.ts)$/.test(f) && !['README.md', 'LICENSE', 'package.json'].includes(f));
    assert(stray.length === 0, `unexpected files: ${stray.join(', ')}`);
    for (const needed of ['dist/index.js', 'dist/index.d.ts', 'dist/stores/sqlite/index.js', 'README.md', 'LICENSE']) assert(files.includes(needed), `missing ${needed}`);
    return `${files.length} files, ${(packed[0].size / 1024).toFixed(0)} kB`;
  });

  // 2. Linters of package metadata and types.
  await check('publint reports nothing', () => {
    const out = run(process.execPath, [path.join(ROOT, 'node_modules/publint/src/cli.js'), '--strict', ROOT]);
    assert(!/Errors?:|Warnings?:|Suggestions?:/.test(out), out);
  });
  await check('@arethetypeswrong/cli reports nothing', () => {
    run(process.execPath, [path.join(ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js'), tarball, '--format', 'table-flipped']);
  });

  // 3. A memory-store app: what it installs.
  const memoryApp = path.join(work, 'memory-app');
  write(path.join(memoryApp, 'package.json'), JSON.stringify({ name: 'memory-app', private: true, type: 'module' }));
  run('npm', [...NPM_INSTALL, tarball, 'express@5'], { cwd: memoryApp });
  await check('a memory-store app installs no native addon but argon2, nothing the examples use, no install script but argon2\'s', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(memoryApp, 'package-lock.json'), 'utf8'));
    const installed = Object.entries(lock.packages).filter(([key]) => key.startsWith('node_modules/'));
    const names = installed.map(([key]) => key.slice(key.lastIndexOf('node_modules/') + 13));
    const unwanted = names.filter((n) => ['better-sqlite3', 'pg', 'ioredis', 'pino', 'swagger-ui-express', 'swagger-ui-dist', '@scarf/scarf', 'jsonwebtoken'].includes(n));
    assert(unwanted.length === 0, `installed: ${unwanted.join(', ')}`);
    const scripted = installed.filter(([, meta]) => meta.hasInstallScript).map(([key]) => key.replace(/^.*node_modules\//, ''));
    assert(scripted.join() === 'argon2', `install scripts: ${scripted.join(', ')}`);
    const addons = run('find', ['node_modules', '-name', '*.node'], { cwd: memoryApp }).trim().split('\n').filter(Boolean);
    const nonArgon = addons.filter((f) => !f.startsWith('node_modules/argon2/'));
    assert(nonArgon.length === 0, `native addons besides argon2's: ${nonArgon.join(', ')}`);
    // argon2's install script (node-gyp-build) compiles only when its prebuilt binary does not load. On Node
    // 20.20.2 here that binary crashes when loaded (it loads on 22 and 24), so there a compiled one is expected.
    let argon2 = 'its prebuilt binary';
    if (fs.existsSync(path.join(memoryApp, 'node_modules/argon2/build'))) {
      const prebuilt = path.join(memoryApp, 'node_modules/argon2/prebuilds/linux-x64/argon2.glibc.node');
      let loads = true;
      try {
        run(process.execPath, ['-e', `require(${JSON.stringify(prebuilt)})`]);
      } catch {
        loads = false;
      }
      assert(!loads, 'argon2 was compiled although its prebuilt binary loads');
      argon2 = `compiled from source: its prebuilt binary does not load on Node ${process.version}`;
    }
    const kb = Number(run('du', ['-sk', 'node_modules'], { cwd: memoryApp }).split('\t')[0]);
    return `${names.length} packages (express-jwt-auth and express included), ${(kb / 1024).toFixed(1)} MB on disk, one install script (argon2: ${argon2})`;
  });

  // 4. Types: the quick start under every module setting, on TypeScript 5 and 7.
  const quickstart = fs.readFileSync(path.join(ROOT, 'examples/quickstart.ts'), 'utf8');
  // What a handler sees, typed without @types/passport: req.user and req.auth.
  const typesUsage = `import express from 'express';
import { createAuth, MemoryUserStore, type AuthOptions, type PublicUser } from 'express-jwt-auth';
import { SqliteUserStore } from 'express-jwt-auth/sqlite';
import { PostgresUserStore } from 'express-jwt-auth/postgres';
const options: AuthOptions = { secret: 'x'.repeat(32), issuer: 'i', audience: 'a', users: new MemoryUserStore() };
const auth = createAuth(options);
express().get('/me', auth.authenticate(), (req, res) => {
  const user: PublicUser | undefined = req.user;
  const name: string | undefined = req.user?.username;
  const scopes: string[] | undefined = req.auth?.scopes;
  // @ts-expect-error the password hash never reaches a handler
  const hash = req.user?.passwordHash;
  res.json({ user, name, scopes, hash });
});
export const stores = [SqliteUserStore, PostgresUserStore];
`;
  const typesApp = (kind) => {
    const dir = path.join(work, `types-${kind}`);
    write(path.join(dir, 'package.json'), JSON.stringify({ name: `types-${kind}`, private: true, ...(kind === 'esm' && { type: 'module' }) }));
    write(path.join(dir, 'src/quickstart.ts'), quickstart);
    write(path.join(dir, 'src/types-usage.ts'), typesUsage);
    run('npm', [...NPM_INSTALL, tarball, 'express@5', '@types/express@5'], { cwd: dir });
    return dir;
  };
  const cjsTypes = typesApp('cjs');
  const esmTypes = typesApp('esm');
  const ts7 = path.join(work, 'typescript-7');
  write(path.join(ts7, 'package.json'), JSON.stringify({ name: 'ts7', private: true }));
  run('npm', [...NPM_INSTALL, `typescript@${TS7_VERSION}`], { cwd: ts7 });
  const compilers = [
    ['TypeScript 5', TS5],
    ['TypeScript 7', path.join(ts7, 'node_modules/typescript/bin/tsc')],
  ];
  const settings = [
    ['commonjs + node10', cjsTypes, { module: 'commonjs', moduleResolution: 'node10' }],
    ['node16 (CommonJS app)', cjsTypes, { module: 'node16', moduleResolution: 'node16' }],
    ['nodenext (ESM app)', esmTypes, { module: 'nodenext', moduleResolution: 'nodenext' }],
    ['bundler', esmTypes, { module: 'preserve', moduleResolution: 'bundler' }],
  ];
  for (const [compiler, tsc] of compilers) {
    const version = run(process.execPath, [tsc, '--version']).trim();
    for (const [name, dir, moduleOptions] of settings) {
      const config = path.join(dir, `tsconfig.${name.replace(/\W+/g, '-')}.json`);
      write(config, JSON.stringify({
        compilerOptions: { target: 'ES2022', strict: true, skipLibCheck: false, noEmit: true, esModuleInterop: true, ...moduleOptions },
        include: ['src'],
      }));
      if (compiler === 'TypeScript 7' && moduleOptions.moduleResolution === 'node10') {
        await check(`${version} refuses ${name} itself (not supported there)`, () => {
          try {
            run(process.execPath, [tsc, '-p', config]);
          } catch (err) {
            assert(/node10|moduleResolution/.test(`${err.stdout}${err.stderr}`), `${err.stdout}${err.stderr}`);
            return 'as documented';
          }
          throw new Error('TypeScript 7 accepted moduleResolution node10');
        });
        continue;
      }
      await check(`${version}, ${name}: the quick start and req.user/req.auth types compile (strict, skipLibCheck false)`, () => {
        run(process.execPath, [tsc, '-p', config]);
      });
    }
  }

  await check('the store subpaths take the drivers\' own objects: a better-sqlite3 Database, a pg.Pool, an ioredis client', () => {
    const dir = path.join(work, 'types-drivers');
    write(path.join(dir, 'package.json'), JSON.stringify({ name: 'types-drivers', private: true }));
    write(path.join(dir, 'src/drivers.ts'), `import type Database from 'better-sqlite3';
import type { Pool } from 'pg';
import type { Redis } from 'ioredis';
import { createAuth } from 'express-jwt-auth';
import { openSqlite, SqliteDenylistStore, SqliteRefreshTokenStore, SqliteUserStore } from 'express-jwt-auth/sqlite';
import { PostgresDenylistStore, PostgresRefreshTokenStore, PostgresUserStore } from 'express-jwt-auth/postgres';
import { RedisDenylistStore } from 'express-jwt-auth/redis';
declare const db: Database.Database;
declare const pool: Pool;
declare const redis: Redis;
export const sqlite = [new SqliteUserStore(db), new SqliteRefreshTokenStore(db), new SqliteDenylistStore(openSqlite('auth.db'))];
export const postgres = [new PostgresRefreshTokenStore(pool), new PostgresDenylistStore(pool)];
export const auth = createAuth({
  secret: 'x'.repeat(32), issuer: 'i', audience: 'a', users: new PostgresUserStore(pool),
  denylist: new RedisDenylistStore(redis), rateLimits: { redis },
});
`);
    run('npm', [...NPM_INSTALL, tarball, 'express@5', '@types/express@5', 'ioredis@5', '@types/pg@8', '@types/better-sqlite3@9'], { cwd: dir });
    for (const [, tsc] of compilers) {
      write(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, skipLibCheck: false, noEmit: true, esModuleInterop: true }, include: ['src'] }));
      run(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json')]);
    }
  });

  // 5. The quick start, run: as compiled TS (CommonJS), compiled TS (nodenext, ESM), plain ESM JS, and on SQLite.
  const runApp = async (name, dir, entry) => {
    const port = await freePort();
    const proc = spawn(process.execPath, [entry], { cwd: dir, env: { ...process.env, PORT: String(port), JWT_SECRET: 'a-secret-of-at-least-thirty-two-bytes!' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stderr.on('data', (c) => (output += c));
    try {
      await new Promise((resolve, reject) => {
        proc.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
        proc.stdout.on('data', (c) => String(c).includes('listening on') && resolve());
      });
      const url = `http://127.0.0.1:${port}`;
      const login = await request(url).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password: 'correct horse battery staple' });
      assert(login.status === 200 && login.body.token_type === 'Bearer', `login: ${login.status} ${login.text}`);
      const me = await request(url).get('/users/me').set('Authorization', `Bearer ${login.body.access_token}`);
      assert(me.status === 200 && me.body.username === 'alice' && !('passwordHash' in me.body), `me: ${me.status} ${me.text}`);
      const anonymous = await request(url).get('/users/me');
      assert(anonymous.status === 401 && anonymous.headers['www-authenticate'] === 'Bearer realm="api"', `anonymous: ${anonymous.status}`);
    } finally {
      proc.kill();
    }
  };
  const compile = (dir, moduleOptions) => {
    write(path.join(dir, 'tsconfig.build.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', strict: true, skipLibCheck: false, esModuleInterop: true, outDir: 'out', rootDir: 'src', ...moduleOptions },
      include: ['src'],
    }));
    run(process.execPath, [TS5, '-p', path.join(dir, 'tsconfig.build.json')]);
  };
  await check('the quick start runs as compiled TypeScript, CommonJS: login and GET /users/me', async () => {
    compile(cjsTypes, { module: 'commonjs', moduleResolution: 'node10' });
    await runApp('cjs', cjsTypes, 'out/quickstart.js');
  });
  await check('the quick start runs as compiled TypeScript, nodenext (ESM): login and GET /users/me', async () => {
    compile(esmTypes, { module: 'nodenext', moduleResolution: 'nodenext' });
    await runApp('esm', esmTypes, 'out/quickstart.js');
  });
  await check('the quick start runs as plain ESM JavaScript: login and GET /users/me', async () => {
    // The quick start is written to be valid JavaScript too: only its file name changes.
    write(path.join(memoryApp, 'quickstart.mjs'), quickstart);
    await runApp('js', memoryApp, 'quickstart.mjs');
  });
  await check('the quick start runs on the SQLite subpath with better-sqlite3 installed: login and GET /users/me', async () => {
    const dir = path.join(work, 'sqlite-app');
    write(path.join(dir, 'package.json'), JSON.stringify({ name: 'sqlite-app', private: true, type: 'module' }));
    run('npm', [...NPM_INSTALL, tarball, 'express@5', 'better-sqlite3@12'], { cwd: dir });
    // The README's one-line change for SQLite.
    const sqlite = quickstart
      .replace("import { createAuth, MemoryUserStore, publicUser } from 'express-jwt-auth';", "import { createAuth, publicUser } from 'express-jwt-auth';\nimport { SqliteUserStore } from 'express-jwt-auth/sqlite';")
      .replace('const users = new MemoryUserStore();', "const users = new SqliteUserStore('users.db');");
    assert(sqlite.includes("new SqliteUserStore('users.db')"), 'the quick start no longer has the store line the README tells readers to change');
    write(path.join(dir, 'quickstart.mjs'), sqlite);
    await runApp('sqlite', dir, 'quickstart.mjs');
    assert(fs.existsSync(path.join(dir, 'users.db')), 'no users.db was written');
  });

  // 6. One module instance for ESM and CommonJS; a verify-only app stays lean.
  await check('ESM import and CommonJS require get the same module (one AuthError class, one request registry)', () => {
    write(path.join(memoryApp, 'dual.mjs'), `import { createRequire } from 'node:module';
import * as esm from 'express-jwt-auth';
const cjs = createRequire(import.meta.url)('express-jwt-auth');
if (esm.AuthError !== cjs.AuthError || esm.createAuth !== cjs.createAuth) throw new Error('two copies');
const names = Object.keys(esm).filter((n) => !['default', 'module.exports', '__esModule'].includes(n));
if (names.length !== Object.keys(cjs).length) throw new Error('ESM sees ' + names.length + ' names, CommonJS ' + Object.keys(cjs).length);
`);
    run(process.execPath, ['dual.mjs'], { cwd: memoryApp });
  });
  await check('a verify-only app loads neither argon2 nor better-sqlite3', () => {
    write(path.join(memoryApp, 'verify-only.cjs'), `const { createVerifier } = require('express-jwt-auth');
const express = require('express');
const verifier = createVerifier({ jwksUri: 'https://auth.example.com/.well-known/jwks.json', issuer: 'https://auth.example.com', audience: 'api' });
express().get('/orders', verifier.requireScopes('orders:read'), (_req, res) => res.json([]));
const loaded = Object.keys(require.cache).filter((file) => /[\\\\/](argon2|better-sqlite3|pg|ioredis)[\\\\/]/.test(file));
if (loaded.length > 0) throw new Error('loaded: ' + loaded.join(', '));
`);
    run(process.execPath, ['verify-only.cjs'], { cwd: memoryApp });
  });
} finally {
  if (process.env.KEEP_PACKAGE_CHECK) console.log(`kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}

console.log(failures === 0 ? 'package check: all passed' : `package check: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

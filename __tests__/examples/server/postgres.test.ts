import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseUnavailableError, openStores, openUserStore } from '../../../examples/server/store';
import { PostgresUserStore } from '../../../lib/stores/postgres/users';
import { describePostgres, tablesOf, TEST_DATABASE_URL, useTestDatabase } from '../../stores/postgres/helpers';
import { killAll, listening, ROOT, runNode } from '../processes';
import request from 'supertest';
import { POSTGRES_TIMEOUT_DEFAULTS } from '../../../lib/stores/postgres/pool-options';
import { setup } from '../../helpers';
import { startPausingProxy } from '../../stores/postgres/pausing-proxy';

/** The example server and users CLI on DATABASE_URL=postgres://… */

const MAIN = path.join(ROOT, 'build/examples/server/main.js');
const CLI = path.join(ROOT, 'build/examples/server/users-cli.js');
const PASSWORD = 'alice-pg-Pa55word';

/** TEST_DATABASE_URL with a search_path, so the example works in the test's own schema. */
function urlFor(schema: string): string {
  const url = new URL(TEST_DATABASE_URL!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

describe('openStores on an unreachable PostgreSQL', () => {
  it('rejects with one DatabaseUnavailableError line that keeps the password out', async () => {
    const opening = openStores('postgres://app:s3cret-pw@127.0.0.1:1/none');

    await expect(opening).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(opening).rejects.toThrow(/^cannot open the PostgreSQL database: .*ECONNREFUSED/);
    await expect(opening).rejects.not.toThrow(/s3cret-pw/);
  });
});

describePostgres('example server stores on PostgreSQL', () => {
  const db = useTestDatabase();

  it('openStores migrates before it resolves, shares one pool, and close() ends it (twice is fine)', async () => {
    const schema = await db.newSchema();
    const stores = await openStores(urlFor(schema));
    try {
      expect(stores.users).toBeInstanceOf(PostgresUserStore);
      expect(await tablesOf(db.pool, schema)).toEqual(
        ['access_denylist', 'express_jwt_auth_migrations', 'refresh_families', 'refresh_tokens', 'username_skeletons', 'users'].sort(),
      );
      const alice = await stores.users.create({ username: 'Alice', passwordHash: 'h' });
      await stores.denylist.add('jti-1', Date.now() + 60_000);
      expect(await stores.users.findByUsername('alice')).toEqual(alice);
      expect(await stores.denylist.has('jti-1', Date.now())).toBe(true);
    } finally {
      await stores.close();
      await stores.close();
    }
    await expect(stores.users.list()).rejects.toHaveProperty('message');
  });

  it('openUserStore works lazily on PostgreSQL and its close() ends its pool', async () => {
    const schema = await db.newSchema();
    const users = openUserStore(urlFor(schema));
    try {
      await users.create({ username: 'bob', passwordHash: 'h' });
      expect((await users.list()).map((u) => u.username)).toEqual(['bob']);
    } finally {
      await users.close?.();
      await users.close?.();
    }
    await expect(users.list()).rejects.toHaveProperty('message');
  });

  it('ends a request within the pool\'s query timeout (6 s) when PostgreSQL stops answering: a 500, not a hang', async () => {
    const schema = await db.newSchema();
    const proxy = await startPausingProxy(urlFor(schema));
    const stores = await openStores(proxy.url);
    try {
      const f = await setup({}, stores.users);
      const me = () => request(f.app).get('/users/me').set('Authorization', `Bearer ${f.tokenFor()}`);
      expect((await me()).status).toBe(200);

      proxy.pause();
      const start = Date.now();
      // Raced against a bound a little past the default query timeout, so a hang fails here rather than at Jest's timeout.
      const res = await Promise.race([me(), new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 8000).unref())]);
      expect(res === 'still waiting' ? res : res.status).toBe(500);
      expect(Date.now() - start).toBeGreaterThanOrEqual(POSTGRES_TIMEOUT_DEFAULTS.queryTimeout - 50);
      expect((f.appErrors[0] as Error).message).toBe('Query read timeout');
    } finally {
      proxy.resume();
      await stores.close();
      await proxy.close();
    }
  }, 15_000);

  describe('as processes (from dist/)', () => {
    jest.setTimeout(30_000);
    const children: ChildProcess[] = [];
    let dir: string;

    beforeAll(() => {
      if (!fs.existsSync(MAIN) || !fs.existsSync(CLI)) {
        throw new Error(`${path.relative(ROOT, MAIN)} is missing: run \`npm run build\` (npm test does it in pretest)`);
      }
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'express-jwt-auth-pg-e2e-'));
    });

    afterAll(() => {
      killAll(children);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    function envFor(schema: string): NodeJS.ProcessEnv {
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const name of ['PORT', 'HOST', 'DATA_DIR', 'JWT_SECRET', 'NODE_ENV', 'LOG_LEVEL']) delete env[name];
      return { ...env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, DATABASE_URL: urlFor(schema) };
    }

    const run = (script: string, args: string[], env: NodeJS.ProcessEnv, stdin?: string) => runNode(script, args, env, stdin, children);

    it('starts, adds alice with the CLI, logs her in, refreshes her token and stops cleanly', async () => {
      const schema = await db.newSchema();
      const env = envFor(schema);
      const server = run(MAIN, [], env);
      const url = await listening(server);

      const cli = run(CLI, ['add', 'alice', '--password-stdin'], env, `${PASSWORD}\n`);
      expect(await cli.exited).toBe(0);
      expect(cli.out.stdout).toMatch(/^added alice \(id [0-9a-f-]{36}\)\n$/);
      const taken = run(CLI, ['add', 'ALICE', '--password-stdin'], env, `${PASSWORD}\n`);
      expect(await taken.exited).toBe(1);
      expect(taken.out.stderr).toBe('users: username already taken: ALICE\n');

      const token = async (params: Record<string, string>) =>
        fetch(`${url}/token`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(params).toString(),
        });
      const login = await token({ grant_type: 'password', username: 'Alice', password: PASSWORD });
      expect(login.status).toBe(200);
      const tokens = (await login.json()) as { access_token: string; refresh_token: string };

      const me = await fetch(`${url}/users/me`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { username: string }).username).toBe('alice');

      const refreshed = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      expect(refreshed.status).toBe(200);
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM ${schema}.refresh_tokens WHERE rotated_at IS NOT NULL`);
      expect(rows[0].n).toBe(1);

      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    });
  });
});

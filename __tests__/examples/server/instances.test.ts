import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEST_DATABASE_URL, useTestDatabase } from '../../stores/postgres/helpers';
import { killAll, listening, ROOT, runNode } from '../processes';
import { ath, clientKey, makeProof } from '../../dpop-helpers';

/**
 * Two example-server processes on different ports against one PostgreSQL
 * database and one Redis, as behind a load balancer: what one instance did,
 * the other sees on the very next request.
 */

const MAIN = path.join(ROOT, 'build/examples/server/main.js');
const CLI = path.join(ROOT, 'build/examples/server/users-cli.js');
const REDIS_URL = process.env.TEST_REDIS_URL;
const PASSWORD = 'shared-instance-Pa55word';

(TEST_DATABASE_URL && REDIS_URL ? describe : describe.skip)('two example-server instances on PostgreSQL and Redis', () => {
  jest.setTimeout(40_000);
  const db = useTestDatabase();
  const children: ChildProcess[] = [];
  let dir: string;
  let a: string;
  let b: string;

  const run = (script: string, args: string[], env: NodeJS.ProcessEnv, stdin?: string) => runNode(script, args, env, stdin, children);
  const start = (env: NodeJS.ProcessEnv) => listening(run(MAIN, [], env));

  const post = (base: string, route: string, params: Record<string, string>) =>
    fetch(`${base}${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
  const me = (base: string, token: string) => fetch(`${base}/users/me`, { headers: { Authorization: `Bearer ${token}` } });
  const login = (base: string, password = PASSWORD) => post(base, '/token', { grant_type: 'password', username: 'alice', password });

  beforeAll(async () => {
    if (!fs.existsSync(MAIN)) throw new Error('dist/ is missing: run `npm run build` (npm test does it in pretest)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'express-jwt-auth-instances-'));
    const url = new URL(TEST_DATABASE_URL!);
    url.searchParams.set('options', `-c search_path=${await db.newSchema()}`);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dir,
      DATABASE_URL: url.toString(),
      REDIS_URL,
      // Keys of this run only, so runs never share counters or denylist entries.
      REDIS_KEY_PREFIX: `ejwt-test-${randomBytes(6).toString('hex')}`,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      LOGIN_MAX_FAILURES: '3',
      // No grace: a second presentation of a rotated token is reuse at once.
      REFRESH_TOKEN_GRACE: '0',
      LOG_LEVEL: 'silent',
    };
    [a, b] = await Promise.all([start(env), start(env)]);
    const cli = run(CLI, ['add', 'alice', '--password-stdin'], env, `${PASSWORD}\n`);
    expect(await cli.exited).toBe(0);
  });

  afterAll(() => {
    killAll(children);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs on two ports', () => {
    expect(a).not.toBe(b);
  });

  it('accepts on B a token issued by A', async () => {
    const tokens = (await (await login(a)).json()) as { access_token: string };
    const res = await me(b, tokens.access_token);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { username: string }).username).toBe('alice');
  });

  it('treats a refresh token rotated on A as reuse on B, revoking the family', async () => {
    const first = (await (await login(a)).json()) as { refresh_token: string };
    const rotated = await post(a, '/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(rotated.status).toBe(200);
    const second = (await rotated.json()) as { refresh_token: string };

    const reuse = await post(b, '/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(reuse.status).toBe(400);
    expect(((await reuse.json()) as { error: string }).error).toBe('invalid_grant');
    const newest = await post(a, '/token', { grant_type: 'refresh_token', refresh_token: second.refresh_token });
    expect(newest.status).toBe(400);
    expect(((await newest.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('rejects on B, on the very next request, an access token revoked on A', async () => {
    const tokens = (await (await login(a)).json()) as { access_token: string };
    expect((await me(b, tokens.access_token)).status).toBe(200);
    expect((await post(a, '/revoke', { token: tokens.access_token })).status).toBe(200);
    const res = await me(b, tokens.access_token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses on B a DPoP proof already used on A: the replay cache is shared through Redis', async () => {
    // Behind one load balancer both instances answer to one name: the proof's htu is that name.
    const key = clientKey();
    const iat = () => Math.floor(Date.now() / 1000);
    const at = (base: string, path: string, init: { method: string; headers: Record<string, string>; body?: string }) => {
      const { port } = new URL(base);
      return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path, method: init.method, headers: { Host: 'api.example', ...init.headers } }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        });
        req.on('error', reject).end(init.body);
      });
    };
    const tokens = await at(a, '/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', DPoP: makeProof(key, { htm: 'POST', htu: 'http://api.example/token', iat: iat() }) },
      body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: PASSWORD }).toString(),
    });
    expect(tokens.status).toBe(200);
    const { access_token: token, token_type: type } = JSON.parse(tokens.body) as { access_token: string; token_type: string };
    expect(type).toBe('DPoP');
    const proof = makeProof(key, { htm: 'GET', htu: 'http://api.example/users/me', iat: iat(), ath: ath(token) });
    const me = (base: string) => at(base, '/users/me', { method: 'GET', headers: { Authorization: `DPoP ${token}`, DPoP: proof } });
    expect((await me(a)).status).toBe(200);
    const replayed = await me(b);
    expect(replayed.status).toBe(401);
    expect(replayed.headers['www-authenticate']).toMatch(/^DPoP realm="api", error="invalid_dpop_proof", error_description="The DPoP proof was already used"/);
  });

  it('counts failed logins on A towards the lock on B', async () => {
    for (let i = 0; i < 3; i++) {
      const failed = await login(a, 'wrong password');
      expect(failed.status).toBe(400);
      expect(((await failed.json()) as { error: string }).error).toBe('invalid_grant');
    }
    const res = await login(b);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(((await res.json()) as { error: string }).error).toBe('too_many_requests');
  });
});

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKey } from '../../lib/jose/keys';
import { forge } from '../jose/key-helpers';
import { ath, clientKey, makeProof } from '../dpop-helpers';

const ALGS = 'algs="RS256 PS256 ES256 EdDSA Ed25519"';

/**
 * The example issuer (JWT_ALGORITHM=ES256) and the example resource server
 * as real processes from dist/ on 127.0.0.1: the second accepts the first's
 * tokens through its JWKS and nothing else.
 */

const ROOT = path.resolve(__dirname, '../..');
const ISSUER_MAIN = path.join(ROOT, 'build/examples/server/main.js');
const USERS_CLI = path.join(ROOT, 'build/examples/server/users-cli.js');
const KEYS_CLI = path.join(ROOT, 'build/examples/server/keys-cli.js');
const RESOURCE_MAIN = path.join(ROOT, 'build/examples/resource-server/main.js');
const PASSWORD = 'alice-e2e-Pa55word';
const WAIT_MS = 10_000;
/** Every variable the examples read, removed from the inherited environment. */
const SETTINGS = ['PORT', 'HOST', 'DATA_DIR', 'DATABASE_URL', 'JWT_SECRET', 'JWT_ISSUER', 'JWT_AUDIENCE', 'JWT_ALGORITHM', 'JWT_KEYS_DIR', 'ISSUER_JWKS_URL', 'ACCESS_TOKEN_TTL', 'NODE_ENV', 'LOG_LEVEL', 'DPOP', 'DPOP_NONCE_SECRET'];

const children = new Set<ChildProcessWithoutNullStreams>();

/** Starts a script and resolves with its `listening on` URL. */
function start(script: string, env: NodeJS.ProcessEnv): Promise<{ url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [script], { cwd: ROOT, env, stdio: 'pipe' });
  children.add(child);
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start\n${stderr}`)), WAIT_MS);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], stderr: () => stderr });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited ${code}\n${stderr}`));
    });
  });
}

/** Runs a CLI to completion. */
function run(script: string, args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env, stdio: 'pipe' });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => void (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('examples/resource-server verifying the example server through its JWKS', () => {
  jest.setTimeout(30_000);
  let dir: string;

  beforeAll(() => {
    for (const file of [ISSUER_MAIN, USERS_CLI, KEYS_CLI, RESOURCE_MAIN]) {
      if (!fs.existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run \`npm run build\` (npm test does it in pretest)`);
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'express-jwt-auth-rs-'));
  });

  afterAll(async () => {
    await Promise.all(
      [...children].map((child) =>
        child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((resolve) => child.once('close', resolve).kill('SIGKILL')),
      ),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("accepts the issuer's token and rejects one from a different key", async () => {
    const base: NodeJS.ProcessEnv = { ...process.env };
    for (const name of SETTINGS) delete base[name];
    const issuerEnv = { ...base, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, JWT_ALGORITHM: 'ES256', LOG_LEVEL: 'silent' };

    const issuer = await start(ISSUER_MAIN, issuerEnv);
    expect(issuer.stderr()).toContain('created a development ES256 key');
    const jwksUrl = `${issuer.url}/.well-known/jwks.json`;
    const jwks = (await (await fetch(jwksUrl)).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(Object.keys(jwks.keys[0]).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    const { kid } = jwks.keys[0];

    const listed = await run(KEYS_CLI, ['list'], issuerEnv);
    expect(listed).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^${kid}\\tES256\\tactive\\t`)) });
    expect((await run(USERS_CLI, ['add', 'alice', '--scopes', 'admin', '--password-stdin'], issuerEnv, `${PASSWORD}\n`)).code).toBe(0);
    const login = await fetch(`${issuer.url}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: PASSWORD }).toString(),
    });
    expect(login.status).toBe(200);
    const { access_token: token } = (await login.json()) as { access_token: string };

    const resource = await start(RESOURCE_MAIN, { ...base, PORT: '0', HOST: '127.0.0.1', ISSUER_JWKS_URL: jwksUrl });
    const hello = (bearer: string) => fetch(`${resource.url}/hello`, { headers: { Authorization: `Bearer ${bearer}` } });

    const ok = await hello(token);
    expect(ok.status).toBe(200);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sub: string };
    expect(await ok.json()).toEqual({ sub: claims.sub, scopes: ['admin'] });

    // The same claims and kid, signed by a key the issuer never published.
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as Record<string, unknown>;
    const forged = forge(header, claims, 'ES256', generateKey('ES256').key);
    const refused = await hello(forged);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(`Bearer realm="api", error="invalid_token", error_description="The access token is invalid", DPoP realm="api", ${ALGS}`);
    expect(await refused.json()).toEqual({ error: 'invalid_token', error_description: 'The access token is invalid' });

    const noToken = await fetch(`${resource.url}/hello`);
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('www-authenticate')).toBe(`Bearer realm="api", DPoP realm="api", ${ALGS}`);

    // DPoP (DPOP defaults to allowed on both): a token bound at the issuer, used at the resource server with a proof for it.
    const key = clientKey('ES256');
    const now = () => Math.floor(Date.now() / 1000);
    const boundLogin = await fetch(`${issuer.url}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', DPoP: makeProof(key, { htm: 'POST', htu: `${issuer.url}/token`, iat: now() }) },
      body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: PASSWORD }).toString(),
    });
    const bound = (await boundLogin.json()) as { access_token: string; token_type: string };
    expect(bound.token_type).toBe('DPoP');
    const withProof = await fetch(`${resource.url}/hello`, {
      headers: { Authorization: `DPoP ${bound.access_token}`, DPoP: makeProof(key, { htm: 'GET', htu: `${resource.url}/hello`, iat: now(), ath: ath(bound.access_token) }) },
    });
    expect(withProof.status).toBe(200);
    const asBearer = await hello(bound.access_token);
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toMatch(/^Bearer realm="api", error="invalid_token", error_description="The access token is DPoP-bound/);
  });
});

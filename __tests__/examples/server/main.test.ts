import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { slowClient } from '../processes';

/**
 * The example server and the users CLI as real processes, from the compiled
 * dist/ (`npm test` builds it in pretest), the way a fresh clone runs them.
 */

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'build/examples/server/main.js');
const CLI = path.join(ROOT, 'build/examples/server/users-cli.js');
const KEYS_CLI = path.join(ROOT, 'build/examples/server/keys-cli.js');
const PASSWORD = 'alice-e2e-Pa55word';
const WAIT_MS = 10_000;
/** What a Node stack trace line looks like. */
const STACK_LINE = '    at ';

/** Every variable the example reads, removed from the inherited environment (jest sets NODE_ENV=test). */
const SETTINGS = [
  'PORT',
  'HOST',
  'DATA_DIR',
  'DATABASE_URL',
  'JWT_SECRET',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'ACCESS_TOKEN_TTL',
  'NODE_ENV',
  'LOG_LEVEL',
  'HEADERS_TIMEOUT_MS',
  'REQUEST_TIMEOUT_MS',
  'TRUST_PROXY',
  'JWT_ALGORITHM',
  'JWT_KEYS_DIR',
  'DPOP',
  'DPOP_NONCE_SECRET',
  'PUBLIC_URL',
  'CORS_ORIGINS',
];

function envWith(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SETTINGS) delete env[name];
  return { ...env, ...settings };
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A node process whose output the test reads as it comes. */
class Child {
  readonly proc: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  exit: Exit | undefined;
  readonly closed: Promise<Exit>;
  private readonly listeners = new Set<() => void>();

  constructor(script: string, args: string[], env: NodeJS.ProcessEnv, stdin?: string) {
    this.proc = spawn(process.execPath, [script, ...args], { cwd: ROOT, env, stdio: 'pipe' });
    children.add(this);
    this.proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      this.notify();
    });
    this.proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.notify();
    });
    // 'close' comes after the exit and after both pipes are drained.
    this.closed = new Promise((resolve) => {
      this.proc.once('close', (code, signal) => {
        this.exit = { code, signal };
        this.notify();
        resolve(this.exit);
      });
    });
    this.proc.stdin.on('error', () => undefined); // a process that exits early closes its stdin
    if (stdin === undefined) this.proc.stdin.end();
    else this.proc.stdin.end(stdin);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Resolves with the first match of `pattern` in the stream; rejects on exit or after `ms`. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, ms = WAIT_MS): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        fn();
      };
      const check = () => {
        const match = pattern.exec(this[stream]);
        if (match) finish(() => resolve(match));
        else if (this.exit) finish(() => reject(new Error(`exited (${JSON.stringify(this.exit)}) before ${stream} matched ${pattern}\nstderr:\n${this.stderr}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`no ${pattern} on ${stream} within ${ms} ms\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`))),
        ms,
      );
      this.listeners.add(check);
      check();
    });
  }

  /** Resolves when the process has exited; kills it and rejects after `ms`. */
  async exited(ms = WAIT_MS): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.proc.kill('SIGKILL');
        reject(new Error(`still running after ${ms} ms\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`));
      }, ms);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async kill(): Promise<void> {
    if (!this.exit) {
      this.proc.kill('SIGKILL');
      await this.closed;
    }
  }
}

const children = new Set<Child>();

interface Server {
  child: Child;
  url: string;
}

/** Starts main.js and waits for its `listening on` line. */
async function startServer(env: NodeJS.ProcessEnv): Promise<Server> {
  const child = new Child(MAIN, [], env);
  const [, port] = await child.waitFor('stdout', /^listening on http:\/\/127\.0\.0\.1:(\d+)$/m);
  return { child, url: `http://127.0.0.1:${port}` };
}

/** Runs the users CLI to completion. */
async function runCli(args: string[], env: NodeJS.ProcessEnv, stdin?: string) {
  const child = new Child(CLI, args, env, stdin);
  const { code } = await child.exited();
  return { code, stdout: child.stdout, stderr: child.stderr };
}

/** Runs main.js expecting it to refuse to start. */
async function failedStart(env: NodeJS.ProcessEnv) {
  const child = new Child(MAIN, [], env);
  const { code } = await child.exited();
  return { code, stdout: child.stdout, stderr: child.stderr };
}

function login(server: Server, username: string, password: string): Promise<Response> {
  return fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
  });
}

function get(server: Server, route: string, token?: string): Promise<Response> {
  return fetch(`${server.url}${route}`, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } });
}

describe('example server and users CLI as processes', () => {
  jest.setTimeout(30_000);

  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    if (!fs.existsSync(MAIN) || !fs.existsSync(CLI)) {
      throw new Error(`${path.relative(ROOT, MAIN)} is missing: run \`npm run build\` (npm test does it in pretest)`);
    }
  });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'express-jwt-auth-e2e-'));
    env = envWith({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, DATABASE_URL: `sqlite:${dir}/e2e.db` });
  });

  afterEach(async () => {
    await Promise.all([...children].map((child) => child.kill()));
    children.clear();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  afterAll(async () => {
    await Promise.all([...children].map((child) => child.kill()));
  });

  it('starts without JWT_SECRET, adds alice with the CLI, issues her a token and returns her at /users/me', async () => {
    const server = await startServer(env);
    const secretFile = path.join(dir, 'jwt-secret');
    expect(server.child.stderr).toContain(`created a development secret in ${secretFile}`);
    expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);

    const health = await get(server, '/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const added = await runCli(['add', 'alice', '--scopes', 'admin', '--password-stdin'], env, `${PASSWORD}\n`);
    expect(added).toEqual({ code: 0, stdout: expect.stringMatching(/^added alice \(id [0-9a-f-]{36}\)\n$/), stderr: '' });

    const res = await login(server, 'alice', PASSWORD);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const body = (await res.json()) as { access_token: string };
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, refresh_token: expect.any(String), scope: 'admin' });

    const me = await get(server, '/users/me', body.access_token);
    expect(me.status).toBe(200);
    const alice = (await me.json()) as Record<string, unknown>;
    expect(alice).toMatchObject({ username: 'alice', scopes: ['admin'], disabled: false });
    expect(alice).not.toHaveProperty('passwordHash');

    const admin = await get(server, '/admin/users', body.access_token);
    expect(admin.status).toBe(200);
    expect(((await admin.json()) as { username: string }[]).map((u) => u.username)).toEqual(['alice']);

    const noToken = await get(server, '/users/me');
    expect(noToken.status).toBe(401);
    // DPOP defaults to allowed: both schemes are offered (RFC 9449 §7.1). RFC 9728 §5.1: without PUBLIC_URL, the
    // resource identifier is the loopback address the server listens on, and each challenge names its metadata.
    const metadata = `resource_metadata="${server.url}/.well-known/oauth-protected-resource"`;
    expect(noToken.headers.get('www-authenticate')).toBe(`Bearer realm="api", ${metadata}, DPoP realm="api", ${metadata}, algs="RS256 PS256 ES256 EdDSA Ed25519"`);

    // A refused login is logged on stderr as one JSON line without the password.
    const wrong = await login(server, 'alice', 'wrong-e2e-Pa55word');
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toBe('invalid_grant');
    const [line] = await server.child.waitFor('stderr', /^\{.*"invalid_grant".*\}$/m);
    expect(JSON.parse(line)).toMatchObject({ level: 'warn', msg: 'auth failure', status: 400, reason: 'login.wrong_password', path: '/token' });
    for (const secret of [PASSWORD, 'wrong-e2e-Pa55word', body.access_token]) expect(server.child.stderr).not.toContain(secret);

    server.child.proc.kill('SIGTERM');
    expect(await server.child.exited()).toEqual({ code: 0, signal: null });
  });

  it('serves discovery metadata under its PUBLIC_URL behind a proxy, and says why the RFC 8414 document is off without a URL issuer', async () => {
    const plain = await startServer(env);
    // The default JWT_ISSUER is a name, not a URL: no RFC 8414 document, and a line that says so.
    await plain.child.waitFor('stderr', /^discovery: \/\.well-known\/oauth-authorization-server is off: metadata: issuer is not a URL/m);
    expect((await get(plain, '/.well-known/oauth-authorization-server')).status).toBe(404);
    expect(await (await get(plain, '/.well-known/oauth-protected-resource')).json()).toEqual({
      resource: plain.url,
      scopes_supported: ['admin'],
      bearer_methods_supported: ['header'],
      dpop_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'],
      dpop_bound_access_tokens_required: false,
    });
    await plain.child.kill();

    const proxied = await startServer({ ...env, PUBLIC_URL: 'https://auth.example.com', JWT_ISSUER: 'https://auth.example.com' });
    const as = (await (await get(proxied, '/.well-known/oauth-authorization-server')).json()) as Record<string, unknown>;
    expect(as).toMatchObject({
      issuer: 'https://auth.example.com',
      token_endpoint: 'https://auth.example.com/token',
      revocation_endpoint: 'https://auth.example.com/revoke',
      grant_types_supported: ['password', 'refresh_token'],
    });
    expect(as.jwks_uri).toBeUndefined(); // HS256: no public key to publish
    const resource = await get(proxied, '/.well-known/oauth-protected-resource');
    expect(await resource.json()).toEqual({
      resource: 'https://auth.example.com',
      authorization_servers: ['https://auth.example.com'],
      scopes_supported: ['admin'],
      bearer_methods_supported: ['header'],
      dpop_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'],
      dpop_bound_access_tokens_required: false,
    });
    expect((await get(proxied, '/users/me')).headers.get('www-authenticate')).toBe(
      'Bearer realm="api", resource_metadata="https://auth.example.com/.well-known/oauth-protected-resource", DPoP realm="api", resource_metadata="https://auth.example.com/.well-known/oauth-protected-resource", algs="RS256 PS256 ES256 EdDSA Ed25519"',
    );
    const paths = Object.keys(((await (await get(proxied, '/openapi.json')).json()) as { paths: object }).paths);
    expect(paths).toEqual(expect.arrayContaining(['/.well-known/oauth-authorization-server', '/.well-known/oauth-protected-resource']));
  });

  it('keeps the development secret across a restart, so a token issued before it still opens /users/me', async () => {
    const first = await startServer(env);
    expect((await runCli(['add', 'alice', '--password-stdin'], env, `${PASSWORD}\n`)).code).toBe(0);
    const res = await login(first, 'alice', PASSWORD);
    expect(res.status).toBe(200);
    const { access_token: token } = (await res.json()) as { access_token: string };
    first.child.proc.kill('SIGTERM');
    expect((await first.child.exited()).code).toBe(0);

    const second = await startServer(env);
    expect(second.child.stderr).toContain(`using the development JWT secret in ${path.join(dir, 'jwt-secret')}`);
    const me = await get(second, '/users/me', token);
    expect(me.status).toBe(200);
    expect(((await me.json()) as { username: string }).username).toBe('alice');
  });

  it('refuses to start in production without JWT_SECRET: exit 1, one line naming JWT_SECRET, no stack trace', async () => {
    const result = await failedStart({ ...env, NODE_ENV: 'production' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^cannot start: JWT_SECRET is required/);
    expect(result.stderr).not.toContain(STACK_LINE);
    expect(result.stdout).not.toContain('listening');
    expect(fs.existsSync(path.join(dir, 'jwt-secret'))).toBe(false);
  });

  it('refuses to start with a JWT_SECRET under 32 bytes: exit 1 naming secret, no stack trace', async () => {
    const result = await failedStart({ ...env, JWT_SECRET: 'too-short-secret' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^cannot start: secret must be at least 32 bytes/);
    expect(result.stderr).not.toContain(STACK_LINE);
    expect(result.stdout).not.toContain('listening');
  });

  it.each([
    ['PORT=http', { PORT: 'http' }, /^cannot start: PORT must be a port number/],
    ['a DATABASE_URL neither sqlite nor postgres', { DATABASE_URL: 'mysql://localhost/users' }, /^cannot start: DATABASE_URL must be sqlite:<file>/],
    ['an unreachable PostgreSQL DATABASE_URL', { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }, /^cannot start: cannot open the PostgreSQL database: .*ECONNREFUSED/m],
    ['a TRUST_PROXY it cannot read', { TRUST_PROXY: 'proxy.internal' }, /^cannot start: TRUST_PROXY must be true, false, a hop count, or a comma-separated list .*"proxy\.internal" is none of these\n$/],
  ])('refuses to start with %s: exit 1, one line, no stack trace', async (_name, settings, message) => {
    const result = await failedStart({ ...env, ...settings });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain(STACK_LINE);
  });

  it('cuts off a slow-loris client with 408 once HEADERS_TIMEOUT_MS or REQUEST_TIMEOUT_MS is over', async () => {
    const server = await startServer({ ...env, HEADERS_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '600' });
    const port = Number(new URL(server.url).port);
    const headers = await slowClient(port, 'GET /health HTTP/1.1\r\nHost: x\r\n', 'X-Padding: aaaa\r\n', 20, 5_000);
    expect(headers.response).toMatch(/^HTTP\/1\.1 408 /);
    expect(headers.ms).toBeLessThan(2_000);
    const head = 'POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n';
    const body = await slowClient(port, head, 'a', 20, 5_000);
    expect(body.response).toMatch(/^HTTP\/1\.1 408 /);
    expect(body.ms).toBeLessThan(2_500);
    // The server itself is fine.
    expect((await get(server, '/health')).status).toBe(200);
  });

  it('reloads its keys on SIGHUP: a staged key is published in the JWKS, and signs after rotate, with no restart', async () => {
    const keysEnv = { ...env, JWT_ALGORITHM: 'ES256' };
    const server = await startServer(keysEnv);
    const jwksKids = async () => ((await (await get(server, '/.well-known/jwks.json')).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const [first] = await jwksKids();
    const keysCli = async (args: string[]) => {
      const child = new Child(KEYS_CLI, args, keysEnv);
      expect(await child.exited()).toEqual({ code: 0, signal: null });
    };

    await keysCli(['stage']);
    server.child.proc.kill('SIGHUP');
    const [, staged] = await server.child.waitFor('stderr', /keys reloaded: ES256 key ([\w-]+) is staged/);
    expect(await jwksKids()).toEqual([first, staged]);

    await keysCli(['rotate']);
    server.child.proc.kill('SIGHUP');
    await server.child.waitFor('stderr', new RegExp(`keys reloaded: ES256 key ${staged} signs now`));
    // The JWKS lists the signing key first; the old one still verifies the tokens it signed.
    expect(await jwksKids()).toEqual([staged, first]);
    expect(server.child.exit).toBeUndefined();
  });

  it('exits 1 with "cannot listen" when the port is taken', async () => {
    const first = await startServer(env);
    const port = new URL(first.url).port;
    const result = await failedStart({ ...env, PORT: port });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port}`);
    expect(result.stderr).not.toContain(STACK_LINE);
  });

  it('answers CLI mistakes with a "users:" line and a non-zero exit, never a stack trace', async () => {
    const noName = await runCli(['add'], env);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toMatch(/^users: add needs a username\n/);
    expect(noName.stderr).not.toContain(STACK_LINE);

    const noCommand = await runCli([], env);
    expect(noCommand.code).toBe(2);
    expect(noCommand.stdout).toBe('');
    expect(noCommand.stderr).toMatch(/^users: no command given\nusage: /);

    const unknownOption = await runCli(['add', 'alice', `--password=${PASSWORD}`], env);
    expect(unknownOption).toEqual({ code: 2, stdout: '', stderr: 'users: unknown option --password: passwords are read from standard input, with --password-stdin\n' });

    const empty = await runCli(['add', 'alice', '--password-stdin'], env, '');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^users: standard input was empty: /);

    const short = await runCli(['add', 'alice', '--password-stdin'], env, 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toBe('users: the password must have at least 8 characters\n');

    expect((await runCli(['add', 'alice', '--password-stdin'], env, `${PASSWORD}\n`)).code).toBe(0);
    const taken = await runCli(['add', 'Alice', '--password-stdin'], env, `${PASSWORD}\n`);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe('users: username already taken: Alice\n');

    const badUrl = await runCli(['list'], { ...env, DATABASE_URL: 'mysql://localhost/users' });
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toMatch(/^users: DATABASE_URL must be sqlite:<file>/);
    expect(badUrl.stderr).not.toContain(STACK_LINE);

    const list = await runCli(['list'], env);
    expect(list).toEqual({ code: 0, stdout: 'alice\t-\t-\tactive\n', stderr: '' });
  });
});

import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killAll, ROOT, runNode, type NodeProcess } from './processes';
import { chromium, type Browser, type Page, type Request as BrowserRequest } from 'playwright-core';

/**
 * Swagger UI in a real browser against the real example server: Debian's
 * Chromium driven by playwright-core (no browser download from npm). A user
 * made by the users CLI logs in through the Authorize dialog, calls
 * GET /users/me from the page, then tries a wrong password. Screenshots go
 * to test-output/ (git-ignored).
 */

const MAIN = path.join(ROOT, 'build/examples/server/main.js');
const CLI = path.join(ROOT, 'build/examples/server/users-cli.js');
const OUTPUT = path.join(ROOT, 'test-output');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const PASSWORD = 'alice-browser-Pa55word';
const WRONG_PASSWORD = 'not-alice-Pa55word';
const WAIT_MS = 15_000;

// Only a developer's machine without Chromium skips; on CI (.ci/run installs it) a missing browser fails.
const browserMissing = !fs.existsSync(CHROMIUM);
if (browserMissing && !process.env.CI) {
  // eslint-disable-next-line no-console
  console.warn(`browser test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
}
const describeWithBrowser = browserMissing && !process.env.CI ? describe.skip : describe;

/** Polls `read` until `pattern` matches; rejects with what was read after WAIT_MS. */
async function waitFor(read: () => string, pattern: RegExp, exited: () => boolean): Promise<RegExpExecArray> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const match = pattern.exec(read());
    if (match) return match;
    if (exited() || Date.now() > deadline) throw new Error(`no ${pattern} in:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeWithBrowser('Swagger UI at /docs in Chromium', () => {
  jest.setTimeout(90_000);

  let dir: string;
  const children: ChildProcess[] = [];
  let server: NodeProcess;
  let serverExited = false;
  let url: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (browserMissing) throw new Error(`CI=${process.env.CI} but there is no Chromium at ${CHROMIUM}: .ci/run installs it with apt-get`);
    if (!fs.existsSync(MAIN) || !fs.existsSync(CLI)) throw new Error('build/examples is missing: run `npm run build` (npm test does it in pretest)');
    fs.mkdirSync(OUTPUT, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'express-jwt-auth-browser-'));
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, DATABASE_URL: `sqlite:${dir}/browser.db`, LOG_LEVEL: 'info' };
    for (const name of ['JWT_SECRET', 'JWT_ISSUER', 'JWT_AUDIENCE', 'ACCESS_TOKEN_TTL', 'NODE_ENV', 'ALLOW_REGISTRATION']) delete env[name];

    const cli = runNode(CLI, ['add', 'alice', '--scopes', 'admin', '--password-stdin'], env, `${PASSWORD}\n`, children);
    expect(await cli.exited).toBe(0);
    expect(cli.out.stdout).toMatch(/^added alice /);

    server = runNode(MAIN, [], env, undefined, children);
    void server.exited.then(() => (serverExited = true));
    const [, port] = await waitFor(() => server.out.stdout, /^listening on http:\/\/127\.0\.0\.1:(\d+)$/m, () => serverExited);
    url = `http://127.0.0.1:${port}`;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  });

  afterAll(async () => {
    await browser?.close();
    if (server && !serverExited) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    killAll(children);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const modal = () => page.locator('.modal-ux');

  async function authorize(username: string, password: string): Promise<BrowserRequest> {
    await page.locator('.auth-wrapper').getByRole('button', { name: /authorize/i }).click();
    await modal().locator('#oauth_username').fill(username);
    await modal().locator('#oauth_password').fill(password);
    const tokenRequest = page.waitForRequest((req) => req.method() === 'POST' && new URL(req.url()).pathname === '/token');
    await modal().getByRole('button', { name: 'Apply given OAuth2 credentials' }).click();
    return tokenRequest;
  }

  it('logs alice (made by the CLI) in through Authorize and shows her at GET /users/me', async () => {
    await page.goto(`${url}/docs`);
    await page.locator('#operations-account-get_users_me').waitFor();
    // The padlock: Swagger UI read the OAuth2 scheme and the route's security from /openapi.json.
    await page.locator('.auth-wrapper').getByRole('button', { name: /authorize/i }).waitFor();
    expect(await page.locator('#operations-account-get_users_me .authorization__btn').count()).toBe(1);

    const tokenRequest = await authorize('alice', PASSWORD);
    // Swagger UI posts a form (RFC 6749 §4.3.2) with empty client credentials in a Basic header: /token must take it.
    expect(tokenRequest.headers()['content-type']).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(tokenRequest.postData() ?? '').get('grant_type')).toBe('password');
    await modal().getByRole('button', { name: 'Remove authorization' }).waitFor();
    expect(await modal().innerText()).toContain('Authorized');
    // One Close button per scheme (OAuth2, and DPoP with DPOP=allowed): any closes the dialog.
    await modal().locator('button.btn-done').first().click();

    const operation = page.locator('#operations-account-get_users_me');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    const call = page.waitForRequest((req) => new URL(req.url()).pathname === '/users/me');
    await operation.getByRole('button', { name: 'Execute' }).click();
    expect((await call).headers()['authorization']).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);

    const response = operation.locator('.live-responses-table tr.response');
    await response.waitFor();
    expect((await response.locator('.response-col_status').innerText()).trim()).toBe('200');
    const body = await response.locator('.response-col_description .microlight').first().innerText();
    expect(JSON.parse(body)).toMatchObject({ username: 'alice', scopes: ['admin'], disabled: false });
    expect(body).not.toContain('passwordHash');

    await operation.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(OUTPUT, 'browser-users-me.png') });
  });

  it('shows invalid_grant for a wrong password after logging out', async () => {
    await page.locator('.auth-wrapper').getByRole('button', { name: /authorize/i }).click();
    await modal().getByRole('button', { name: 'Remove authorization' }).click();
    // One Close button per scheme (OAuth2, and DPoP with DPOP=allowed): any closes the dialog.
    await modal().locator('button.btn-done').first().click();

    await authorize('alice', WRONG_PASSWORD);
    const error = modal().locator('.errors');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/invalid_grant.*Invalid username or password/s);
    expect(await modal().getByRole('button', { name: 'Remove authorization' }).count()).toBe(0);
    await page.screenshot({ path: path.join(OUTPUT, 'browser-wrong-password.png') });

    // The server logged the reason, and never the passwords or the token.
    await waitFor(() => server.out.stderr, /"msg":"auth failure"/, () => serverExited);
    const lines = server.out.stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'auth failure', reason: 'login.wrong_password', path: '/token' }));
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'login', username: 'alice' }));
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'request', method: 'GET', path: '/users/me', status: 200 }));
    for (const secret of [PASSWORD, WRONG_PASSWORD, 'eyJ', '$argon2']) expect(server.out.stderr).not.toContain(secret);
  });
});

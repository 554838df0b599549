import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { killAll, ROOT, runNode, type NodeProcess } from './processes';
import { chromium, type Browser, type BrowserContext, type Page, type Request as BrowserRequest, type Response as BrowserResponse } from 'playwright-core';

/**
 * The example server's sign-in page (cookie mode) in a real browser: Debian's
 * Chromium driven by playwright-core, against the real server with a 5-second
 * access-token lifetime (ACCESS_TOKEN_TTL=5, the server's real clock). It
 * signs in, survives a reload, refreshes silently, resists a cross-site form
 * POST from another loopback address (127.0.0.2, another site to the
 * browser), signs out, notices a sign-out everywhere from another client, and
 * shows the 429 of a blocked account. Throughout, the refresh token never
 * reaches page JavaScript: it is checked in document.cookie, localStorage,
 * sessionStorage and every response body the pages receive. Screenshots of
 * each state go to test-output/ (git-ignored).
 */

const MAIN = path.join(ROOT, 'build/examples/server/main.js');
const CLI = path.join(ROOT, 'build/examples/server/users-cli.js');
const OUTPUT = path.join(ROOT, 'test-output');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ALICE = 'alice-sign-in-Pa55word';
const BOB = 'bob-sign-in-Pa55word';
const TTL_SECONDS = 5;
const WAIT_MS = 15_000;
/** Every setting the example reads, removed from the inherited environment. */
const SETTINGS = ['JWT_SECRET', 'JWT_ISSUER', 'JWT_AUDIENCE', 'ACCESS_TOKEN_TTL', 'NODE_ENV', 'ALLOW_REGISTRATION', 'PUBLIC_URL', 'CORS_ORIGINS', 'LOGIN_MAX_FAILURES', 'REDIS_URL'];

// Only a developer's machine without Chromium skips; on CI (.ci/run installs it) a missing browser fails.
const browserMissing = !fs.existsSync(CHROMIUM);
const describeWithBrowser = browserMissing && !process.env.CI ? describe.skip : describe;

/** Polls `check` until it returns something truthy; fails with `what` after `ms`. */
async function until<T>(what: string, check: () => T | Promise<T>, ms = WAIT_MS): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What the browser saw go by: every response with its body, and every refresh-token value ever set. */
interface Traffic {
  responses: { url: string; status: number; body: string; request: BrowserRequest }[];
  refreshTokens: Set<string>;
}

function record(page: Page, traffic: Traffic, pending: Promise<void>[]): void {
  page.on('response', (response: BrowserResponse) => {
    pending.push(
      (async () => {
        const headers = await response.allHeaders().catch(() => ({}) as Record<string, string>);
        for (const line of (headers['set-cookie'] ?? '').split('\n')) {
          const match = /^(?:__Host-|__Secure-)?refresh_token=([^;]+)/.exec(line);
          if (match) traffic.refreshTokens.add(match[1]);
        }
        const body = await response.text().catch(() => '');
        traffic.responses.push({ url: response.url(), status: response.status(), body, request: response.request() });
      })(),
    );
  });
}

describeWithBrowser('the sign-in page at / in Chromium (cookie mode)', () => {
  jest.setTimeout(120_000);

  let dir: string;
  const children: ChildProcess[] = [];
  let server: NodeProcess;
  let serverExited = false;
  let url: string;
  let attacker: http.Server;
  let attackerUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const traffic: Traffic = { responses: [], refreshTokens: new Set() };
  const pending: Promise<void>[] = [];

  const shot = (name: string) => page.screenshot({ path: path.join(OUTPUT, `sign-in-${name}.png`) });
  const visible = (id: string) => page.locator(`#${id}`).isVisible();
  const message = () => page.locator('#message').innerText();
  const tokenResponses = () => traffic.responses.filter((r) => new URL(r.url).pathname === '/token');
  const refreshes = () => tokenResponses().filter((r) => new URLSearchParams(r.request.postData() ?? '').get('grant_type') === 'refresh_token');
  /** The refresh-token cookie in the browser's jar, if any. */
  const refreshCookie = async () => (await context.cookies(url)).find((cookie) => /refresh_token$/.test(cookie.name));

  /** The refresh token must be nowhere a page script can read it. */
  async function expectRefreshTokenHidden(): Promise<void> {
    await Promise.all(pending);
    const cookie = await refreshCookie();
    if (cookie) traffic.refreshTokens.add(cookie.value);
    expect(traffic.refreshTokens.size).toBeGreaterThan(0);
    // A string: evaluated in the page, whose DOM types this Node project does not load.
    const readable = await page.evaluate<string>("[document.cookie, JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage })].join('\\n')");
    expect(readable).not.toContain('refresh_token');
    for (const token of traffic.refreshTokens) {
      expect(readable).not.toContain(token);
      for (const response of traffic.responses) expect(response.body).not.toContain(token);
    }
    for (const response of traffic.responses) expect(response.body).not.toMatch(/"refresh_token"\s*:/);
  }

  async function signIn(username: string, password: string): Promise<void> {
    await page.locator('#username').fill(username);
    await page.locator('#password').fill(password);
    await page.locator('#signin-button').click();
  }

  beforeAll(async () => {
    if (browserMissing) throw new Error(`CI=${process.env.CI} but there is no Chromium at ${CHROMIUM}: .ci/run installs it with apt-get`);
    if (!fs.existsSync(MAIN) || !fs.existsSync(CLI)) throw new Error('build/examples is missing: run `npm run build` (npm test does it in pretest)');
    fs.mkdirSync(OUTPUT, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'express-jwt-auth-sign-in-'));
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of SETTINGS) delete env[name];
    Object.assign(env, {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dir,
      DATABASE_URL: `sqlite:${dir}/sign-in.db`,
      LOG_LEVEL: 'warn',
      ACCESS_TOKEN_TTL: String(TTL_SECONDS),
      LOGIN_MAX_FAILURES: '3',
    });
    for (const [name, password] of [['alice', ALICE], ['bob', BOB]]) {
      const cli = runNode(CLI, ['add', name, '--password-stdin'], env, `${password}\n`, children);
      expect(await cli.exited).toBe(0);
    }
    server = runNode(MAIN, [], env, undefined, children);
    void server.exited.then(() => (serverExited = true));
    const [, port] = await until('the server to listen', () => serverExited ? Promise.reject(new Error(server.out.stderr)) : /^listening on http:\/\/127\.0\.0\.1:(\d+)$/m.exec(server.out.stdout));
    url = `http://127.0.0.1:${port}`;

    // The attacker: pages on another loopback address, another site to the browser, that post to ours.
    attacker = http.createServer((req, res) => {
      const form = (action: string, fields: Record<string, string>) =>
        `<!doctype html><form method="post" action="${url}${action}">${Object.entries(fields)
          .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
          .join('')}</form><script>document.forms[0].submit()</script>`;
      const pages: Record<string, string> = {
        '/refresh': form('/token', { grant_type: 'refresh_token' }),
        '/revoke': form('/revoke', { token_type_hint: 'refresh_token' }),
        '/': '<!doctype html><title>another site</title>',
      };
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(pages[req.url ?? '/'] ?? pages['/']);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.2', resolve));
    attackerUrl = `http://127.0.0.2:${(attacker.address() as AddressInfo).port}`;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    page = await context.newPage();
    record(page, traffic, pending);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (attacker ? attacker.close(resolve) : resolve(undefined)));
    if (server && !serverExited) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    killAll(children);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the form, then a clear message for a wrong password', async () => {
    await page.goto(`${url}/`);
    await page.locator('#signin').waitFor();
    expect(await page.locator('a[href="/docs"]').count()).toBe(1);
    await shot('form');
    await signIn('alice', 'not-alice-Pa55word');
    await until('the wrong-password message', async () => (await message()) === 'Wrong username or password.');
    expect(await visible('account')).toBe(false);
    await shot('wrong-password');
  });

  it('signs alice in and shows her from GET /users/me; the refresh token is only in an HttpOnly SameSite=Strict cookie', async () => {
    await signIn('alice', ALICE);
    await page.locator('#who').waitFor();
    expect(await page.locator('#who').innerText()).toBe('alice');
    const login = tokenResponses().find((r) => r.status === 200)!;
    expect(Object.keys(JSON.parse(login.body)).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(JSON.parse(login.body).expires_in).toBe(TTL_SECONDS);
    const cookie = await refreshCookie();
    // Plain http on loopback (development): no Secure, so no prefix (RFC 6265bis §4.1.3).
    expect(cookie).toMatchObject({ name: 'refresh_token', httpOnly: true, sameSite: 'Strict', secure: false, path: '/' });
    await expectRefreshTokenHidden();
    await shot('signed-in');
  });

  it('is still signed in after a reload, without typing: it refreshes from the cookie', async () => {
    const before = refreshes().length;
    await page.reload();
    await page.locator('#who').waitFor();
    expect(await page.locator('#who').innerText()).toBe('alice');
    expect(await page.locator('#password').inputValue()).toBe('');
    expect(refreshes().length).toBeGreaterThan(before);
    await expectRefreshTokenHidden();
    await shot('after-reload');
  });

  it('refreshes silently before the access token expires and keeps working with the new token', async () => {
    const start = refreshes().length;
    // Two more refreshes, each about 4 s after the last (a fifth of the 5 s lifetime early).
    await until('two silent refreshes', () => refreshes().filter((r) => r.status === 200).length >= start + 2, 20_000);
    const latest = JSON.parse(refreshes().at(-1)!.body) as { access_token: string };
    // The page's next check of the session uses the newest access token, and it is accepted.
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    const me = await until('a /users/me call with the newest token', () =>
      traffic.responses.filter((r) => new URL(r.url).pathname === '/users/me').find((r) => r.request.headers()['authorization'] === `Bearer ${latest.access_token}`),
    );
    expect(me.status).toBe(200);
    expect(await page.locator('#who').innerText()).toBe('alice');
    await expectRefreshTokenHidden();
    await shot('refreshed');
  });

  it('gets no token and changes nothing with a cross-site form POST from 127.0.0.2 to the cookie endpoints', async () => {
    const other = await context.newPage();
    record(other, traffic, pending);
    const seen: BrowserRequest[] = [];
    other.on('request', (req) => seen.push(req));
    for (const attack of ['/refresh', '/revoke']) {
      await other.goto(`${attackerUrl}${attack}`);
      await other.waitForURL((target) => target.origin === url, { timeout: WAIT_MS });
      const body = await other.locator('body').innerText();
      expect(JSON.parse(body)).toMatchObject({ error: 'invalid_request' });
      expect(body).not.toContain('access_token');
      // SameSite=Strict: Chromium sends no cookie on a cross-site POST (127.0.0.2 and 127.0.0.1 are different sites).
      const posted = seen.find((req) => req.method() === 'POST' && req.url().startsWith(url))!;
      expect((await posted.allHeaders()).cookie).toBeUndefined();
      seen.length = 0;
    }
    await other.screenshot({ path: path.join(OUTPUT, 'sign-in-cross-site.png') });
    // A script on the other site cannot send the CSRF header either: the preflight gets no CORS grant.
    await other.goto(`${attackerUrl}/`);
    const scripted = await other.evaluate(async (target) => {
      try {
        const res = await fetch(`${target}/token`, {
          method: 'POST',
          credentials: 'include',
          headers: { 'X-Requested-With': 'fetch', 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=refresh_token',
        });
        return `answered ${res.status}`;
      } catch (err) {
        return `blocked: ${(err as Error).name}`;
      }
    }, url);
    expect(scripted).toBe('blocked: TypeError');
    await other.close();

    // Nothing changed: alice's session still refreshes from its cookie.
    const before = refreshes().length;
    await until('a refresh after the attacks', () => refreshes().length > before && refreshes().at(-1)!.status === 200, 10_000);
    expect(await page.locator('#who').innerText()).toBe('alice');
  });

  it('signs out: the cookie is gone and the access token is refused at /users/me', async () => {
    await Promise.all(pending);
    const access = (JSON.parse(refreshes().filter((r) => r.status === 200).at(-1)!.body) as { access_token: string }).access_token;
    await page.locator('#signout').click();
    await page.locator('#signin').waitFor();
    expect(await message()).toBe('You have signed out.');
    expect(await refreshCookie()).toBeUndefined();
    const me = await fetch(`${url}/users/me`, { headers: { Authorization: `Bearer ${access}` } });
    expect(me.status).toBe(401);
    // A reload stays signed out: there is no cookie to refresh from.
    await page.reload();
    await page.locator('#signin').waitFor();
    await expectRefreshTokenHidden();
    await shot('signed-out');
  });

  it('returns to the form when another client signs out everywhere', async () => {
    await signIn('alice', ALICE);
    await page.locator('#who').waitFor();
    // Another client (a CLI, say): logs in with JSON and ends every session.
    const login = await fetch(`${url}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: ALICE }),
    });
    const { access_token: other } = (await login.json()) as { access_token: string };
    const ended = await fetch(`${url}/users/me/sessions`, { method: 'DELETE', headers: { Authorization: `Bearer ${other}` } });
    expect(ended.status).toBe(204);
    await until('the page to return to the form', () => visible('signin'), 10_000);
    expect(await message()).toMatch(/^Your session has ended/);
    expect(await visible('account')).toBe(false);
    await expectRefreshTokenHidden();
    await shot('ended-elsewhere');
  });

  it('shows how long to wait when the account is blocked (429 with Retry-After)', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      // Cleared first, so the answer waited for is this attempt's.
      await page.locator('#message').evaluate((element) => void (element.textContent = ''));
      await signIn('bob', 'not-bob-Pa55word');
      const text: string = await until('an answer', async () => {
        const shown = await message();
        return shown === '' ? undefined : shown;
      });
      if (/^Too many attempts/.test(text)) break;
      expect(text).toBe('Wrong username or password.');
    }
    expect(await message()).toMatch(/^Too many attempts\. Try again in \d+ (seconds?|minutes)\.$/);
    // Responses are recorded once their bodies are read: wait for the last one before looking at it.
    await Promise.all(pending);
    const blocked = tokenResponses().at(-1)!;
    expect(blocked.status).toBe(429);
    await shot('too-many-attempts');
    await expectRefreshTokenHidden();
  });
});

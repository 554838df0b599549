import request from 'supertest';
import { createApp } from '../../../examples/server/app';
import { createLogger } from '../../../examples/server/logger';
import { createAuth } from '../../../lib/create-auth';
import { MemoryUserStore } from '../../../lib/stores/memory/users';

/**
 * The example's sign-in page and CORS, in process: what a browser is sent
 * (the page's security headers, the CORS answers); the browser itself is in
 * __tests__/examples/sign-in-browser.test.ts.
 */

const SPA = 'https://app.example.test';

function exampleApp() {
  const users = new MemoryUserStore();
  const auth = createAuth({
    secret: 'sign-in-page-test-secret-of-more-than-32-bytes',
    issuer: 'http://127.0.0.1:3000',
    audience: 'example-api',
    users,
    cookies: { allowedOrigins: [SPA], jsonClients: true },
  });
  return createApp({ auth, users, logger: createLogger('silent'), corsOrigins: [SPA] });
}

describe('the sign-in page at /', () => {
  const app = exampleApp();

  it.each([
    ['/', /^text\/html/, '<script type="module" src="/sign-in.js"></script>'],
    ['/sign-in.js', /^text\/javascript/, "'X-Requested-With': 'fetch'"],
    ['/sign-in.css', /^text\/css/, 'main {'],
  ])('serves %s under a strict Content-Security-Policy', async (path, type, content) => {
    const res = await request(app).get(path);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(type);
    expect(res.text).toContain(content);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp.split('; ')).toEqual([
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self'",
      "connect-src 'self'",
      "form-action 'none'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "object-src 'none'",
    ]);
    expect(csp).not.toMatch(/unsafe|\*/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('has no inline script or style for the policy to refuse, and links to /docs', async () => {
    const html = (await request(app).get('/')).text;
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).toContain('href="/docs"');
  });
});

describe('CORS for a single-page app on another origin (CORS_ORIGINS)', () => {
  const app = exampleApp();
  /** The preflight a browser sends from `origin` before `method` on `path` with `headers`. */
  const preflight = (path: string, origin: string, method: string, headers: string) =>
    request(app).options(path).set('Origin', origin).set('Access-Control-Request-Method', method).set('Access-Control-Request-Headers', headers);

  it('answers the preflight of an allowed origin exactly, with credentials and the CSRF header', async () => {
    const res = await preflight('/token', SPA, 'POST', 'content-type, x-requested-with');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(SPA);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-allow-headers']).toMatch(/X-Requested-With/);
    expect(res.headers['vary']).toMatch(/Origin/);
  });

  it('grants nothing to any other origin, and never "*"', async () => {
    const res = await preflight('/token', 'https://evil.example.test', 'POST', 'x-requested-with');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const get = await request(app).get('/health').set('Origin', 'https://evil.example.test');
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('lets the SPA send DPoP proofs', async () => {
    const res = await preflight('/users/me', SPA, 'GET', 'authorization, dpop');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-headers']).toBe('Authorization,Content-Type,X-Requested-With,DPoP');
  });

  it('lets the SPA read Retry-After, WWW-Authenticate and DPoP-Nonce', async () => {
    const res = await request(app).get('/users/me').set('Origin', SPA);
    expect(res.status).toBe(401);
    expect(res.headers['access-control-allow-origin']).toBe(SPA);
    expect(res.headers['access-control-expose-headers']).toBe('Retry-After,WWW-Authenticate,DPoP-Nonce');
  });
});

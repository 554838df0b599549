import request from 'supertest';
import { createAuth } from '../../lib/create-auth';
import type { AuthOptions } from '../../lib/config/auth-options';
import { MemoryUserStore } from '../../lib/stores/memory/users';
import { AUDIENCE, expectOAuthError, ISSUER, PASSWORD, SECRET, setup, type Fixture } from '../helpers';

/**
 * Cookie mode (the `cookies` option): a browser's cookie request (the CSRF
 * header, from an allowed origin) gets its refresh token only as an HttpOnly
 * SameSite=Strict cookie and refreshes and logs out with it; nothing else
 * reads, sets or clears that cookie. The app answers on Host api.test.
 */

const HOST = 'api.test';
const SELF = `http://${HOST}`;
const THIRTY_DAYS = 30 * 86400;

type Headers = Record<string, string>;
/** What a page's fetch on our own origin sends. */
const PAGE: Headers = { Host: HOST, Origin: SELF, 'X-Requested-With': 'fetch' };

/** The Set-Cookie lines of the response, but the device cookie's (brute-force protection's own, tested apart). */
function setCookies(res: request.Response): string[] {
  const value = res.headers['set-cookie'] as unknown;
  const all = Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
  return all.filter((line) => !/^(__Host-|__Secure-)?ejwt-device=/.test(line));
}

/** The one refresh-token Set-Cookie of the response, split into its name, value and attributes. */
function theCookie(res: request.Response) {
  const all = setCookies(res);
  expect(all).toHaveLength(1);
  const [pair, ...attributes] = all[0].split('; ');
  const eq = pair.indexOf('=');
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes: attributes.join('; '), line: all[0] };
}

describe('cookie mode', () => {
  let f: Fixture;
  const start = async (cookies: AuthOptions['cookies'] = {}) => {
    f = await setup({ cookies });
  };

  const login = (headers: Headers = PAGE) =>
    request(f.app).post('/token').set(headers).type('form').send({ grant_type: 'password', username: 'alice', password: PASSWORD });
  const refresh = (cookie: string | undefined, headers: Headers = PAGE, body: Record<string, string> = {}) => {
    const req = request(f.app).post('/token').set(headers).type('form');
    if (cookie !== undefined) req.set('Cookie', cookie);
    return req.send({ grant_type: 'refresh_token', ...body });
  };
  const me = (token: string) => request(f.app).get('/users/me').set('Authorization', `Bearer ${token}`);
  /** Logs in as a page does; resolves the access token and the Cookie header a browser would send back. */
  async function pageLogin(headers: Headers = PAGE) {
    const res = await login(headers);
    expect(res.status).toBe(200);
    const cookie = theCookie(res);
    return { access: res.body.access_token as string, cookie: `${cookie.name}=${cookie.value}` };
  }

  describe('a page on the same origin', () => {
    beforeEach(() => start());

    it('gets the refresh token only as an HttpOnly SameSite=Strict cookie, never in the body', async () => {
      const res = await login();
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(Object.keys(res.body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
      const cookie = theCookie(res);
      // Plain http (development): no Secure, so no prefix is allowed (RFC 6265bis §4.1.3).
      expect(cookie.name).toBe('refresh_token');
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(cookie.attributes).toBe(`Path=/; Max-Age=${THIRTY_DAYS}; HttpOnly; SameSite=Strict`);
      expect(res.text).not.toContain(cookie.value);
    });

    it('refreshes from the cookie: a new access token, the rotated refresh token in a new cookie', async () => {
      const { cookie } = await pageLogin();
      f.clock.advance(60);
      const res = await refresh(cookie);
      expect(res.status).toBe(200);
      expect(res.body.refresh_token).toBeUndefined();
      expect((await me(res.body.access_token)).status).toBe(200);
      const next = theCookie(res);
      expect(`${next.name}=${next.value}`).not.toBe(cookie);
      // The cookie lives as long as the family: 30 days from login, not from this refresh.
      expect(next.attributes).toBe(`Path=/; Max-Age=${THIRTY_DAYS - 60}; HttpOnly; SameSite=Strict`);
      expect((await refresh(`${next.name}=${next.value}`)).status).toBe(200);
    });

    it('clears the cookie when its refresh is refused (a rotated token presented again ends the family)', async () => {
      const { cookie } = await pageLogin();
      const rotated = theCookie(await refresh(cookie));
      f.clock.advance(10); // past the 5 s grace
      const res = await refresh(cookie);
      expectOAuthError(res, 400, 'invalid_grant');
      expect(f.failures.at(-1)?.reason).toBe('refresh.reused');
      expect(theCookie(res).line).toBe('refresh_token=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict');
      expectOAuthError(await refresh(`${rotated.name}=${rotated.value}`), 400, 'invalid_grant');
    });

    it('refuses a cookie refresh without a cookie, or with a refresh_token in the body as well', async () => {
      expectOAuthError(await refresh(undefined), 400, 'invalid_request');
      const { cookie } = await pageLogin();
      const res = await refresh(cookie, PAGE, { refresh_token: cookie.split('=')[1] });
      expectOAuthError(res, 400, 'invalid_request');
      expect(res.body.error_description).toBe('In cookie mode the refresh token travels only in its cookie');
      expect(setCookies(res)).toEqual([]);
      expect((await refresh(cookie)).status).toBe(200);
    });

    it('refuses two refresh-token cookies (say one planted with another Path): which is ours cannot be told', async () => {
      const { cookie } = await pageLogin();
      expectOAuthError(await refresh(`${cookie}; refresh_token=planted`), 400, 'invalid_request');
    });

    it('accepts Sec-Fetch-Site: same-origin when no Origin is sent', async () => {
      const res = await login({ Host: HOST, 'Sec-Fetch-Site': 'same-origin', 'X-Requested-With': 'fetch' });
      expect(res.status).toBe(200);
      expect(theCookie(res).name).toBe('refresh_token');
    });

    it('logs out at /revoke with the cookie: the family is revoked, the access token too, and the cookie cleared', async () => {
      const { access, cookie } = await pageLogin();
      const res = await request(f.app).post('/revoke').set(PAGE).set('Cookie', cookie).type('form').send({ token: access });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(theCookie(res).line).toBe('refresh_token=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict');
      expectOAuthError(await refresh(cookie), 400, 'invalid_grant');
      expect((await me(access)).status).toBe(401);
    });

    it('logs out at /revoke with the cookie alone, and answers 200 when the cookie is already gone', async () => {
      const { cookie } = await pageLogin();
      expect((await request(f.app).post('/revoke').set(PAGE).set('Cookie', cookie).type('form').send({})).status).toBe(200);
      expectOAuthError(await refresh(cookie), 400, 'invalid_grant');
      const again = await request(f.app).post('/revoke').set(PAGE).type('form').send({});
      expect(again.status).toBe(200);
      expect(theCookie(again).value).toBe('');
    });

    it('clears the cookie on sign-out everywhere, and the cookie no longer refreshes', async () => {
      const { access, cookie } = await pageLogin();
      const res = await request(f.app).delete('/users/me/sessions').set(PAGE).set('Authorization', `Bearer ${access}`);
      expect(res.status).toBe(204);
      expect(theCookie(res).line).toBe('refresh_token=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict');
      expectOAuthError(await refresh(cookie), 400, 'invalid_grant');
      expect(f.failures.at(-1)?.reason).toBe('session.ended');
    });
  });

  describe('a request from another site', () => {
    beforeEach(() => start({ allowedOrigins: ['https://app.test'] }));

    it('refuses a cookie request from an origin not allowed: 403, no token, no cookie, and nothing changes', async () => {
      const { cookie } = await pageLogin();
      const evil = { Host: HOST, Origin: 'https://evil.test', 'X-Requested-With': 'fetch' };
      for (const res of [await refresh(cookie, evil), await login(evil), await request(f.app).post('/revoke').set(evil).set('Cookie', cookie).type('form').send({})]) {
        expect(res.status).toBe(403);
        expect(res.body).toEqual({ error: 'invalid_request', error_description: 'Cross-site request refused' });
        expect(res.body.access_token).toBeUndefined();
        expect(setCookies(res)).toEqual([]);
        expect(f.failures.at(-1)?.reason).toBe('request.cross_site');
      }
      expect((await refresh(cookie)).status).toBe(200);
    });

    it('refuses Origin: null, Sec-Fetch-Site: cross-site, and a cookie request with neither header', async () => {
      for (const headers of <Headers[]>[
        { Host: HOST, Origin: 'null', 'X-Requested-With': 'fetch' },
        { Host: HOST, 'Sec-Fetch-Site': 'cross-site', 'X-Requested-With': 'fetch' },
        { Host: HOST, 'Sec-Fetch-Site': 'same-site', 'X-Requested-With': 'fetch' },
        { Host: HOST, 'X-Requested-With': 'fetch' },
      ]) {
        const res = await login(headers);
        expect(res.status).toBe(403);
        expect(setCookies(res)).toEqual([]);
      }
    });

    it('names no header value in the refusal\'s detail (a client may put a token there, and the detail is logged)', async () => {
      const { cookie } = await pageLogin();
      const secret = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5';
      await refresh(cookie, { Host: HOST, Origin: `https://evil.test/${secret}`, 'X-Requested-With': 'fetch' });
      await refresh(cookie, { Host: HOST, 'Sec-Fetch-Site': secret, 'X-Requested-With': 'fetch' });
      const [fromOrigin, fromSite] = f.failures.slice(-2);
      expect(fromOrigin).toMatchObject({ reason: 'request.cross_site', detail: 'cookie request from an origin that is not allowed' });
      expect(fromSite).toMatchObject({ reason: 'request.cross_site', detail: 'cookie request with Sec-Fetch-Site (not a Fetch Metadata value)' });
    });

    it('serves an allowed origin (an SPA on a sibling host) like the server\'s own', async () => {
      const { cookie } = await pageLogin({ Host: HOST, Origin: 'https://app.test', 'X-Requested-With': 'fetch' });
      expect((await refresh(cookie, { Host: HOST, Origin: 'https://app.test', 'X-Requested-With': 'fetch' })).status).toBe(200);
    });

    it('never reads the cookie of a request without the CSRF header (a cross-site form POST): no token, nothing revoked', async () => {
      const { cookie } = await pageLogin();
      const form = { Host: HOST, Origin: 'https://evil.test' };
      const refreshed = await refresh(cookie, form);
      expectOAuthError(refreshed, 400, 'invalid_request');
      expect(refreshed.body.access_token).toBeUndefined();
      const revoked = await request(f.app).post('/revoke').set(form).set('Cookie', cookie).type('form').send({});
      expectOAuthError(revoked, 400, 'invalid_request');
      for (const res of [refreshed, revoked]) expect(setCookies(res)).toEqual([]);
      expect((await refresh(cookie)).status).toBe(200);
    });

    it('refuses sign-out everywhere with the CSRF header from another origin before ending anything', async () => {
      const { access } = await pageLogin();
      const res = await request(f.app).delete('/users/me/sessions').set({ Host: HOST, Origin: 'https://evil.test', 'X-Requested-With': 'fetch' }).set('Authorization', `Bearer ${access}`);
      expect(res.status).toBe(403);
      expect((await me(access)).status).toBe(200);
    });
  });

  describe('clients that send no CSRF header', () => {
    it('get an access token only, and no cookie, unless jsonClients is set', async () => {
      await start();
      const res = await login({});
      expect(res.status).toBe(200);
      expect(res.body.refresh_token).toBeUndefined();
      expect(setCookies(res)).toEqual([]);
      const refused = await refresh(undefined, {}, { refresh_token: 'x'.repeat(43) });
      expectOAuthError(refused, 400, 'invalid_request');
      expect(refused.body.error_description).toBe('Refresh tokens travel in a cookie here: send the X-Requested-With header');
    });

    it('with jsonClients get the refresh token in the body as without cookie mode, and no cookie', async () => {
      await start({ jsonClients: true });
      const res = await login({});
      expect(res.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(setCookies(res)).toEqual([]);
      const next = await refresh(undefined, {}, { refresh_token: res.body.refresh_token });
      expect(next.status).toBe(200);
      expect(next.body.refresh_token).toBeDefined();
    });
  });

  describe('behind a TLS-terminating proxy (trust proxy)', () => {
    const https = { ...PAGE, Origin: `https://${HOST}`, 'X-Forwarded-Proto': 'https' };

    it('sets a Secure __Host- cookie when the request came over https, and reads only that name', async () => {
      await start();
      f.app.set('trust proxy', 'loopback');
      const res = await login(https);
      const cookie = theCookie(res);
      expect(cookie.name).toBe('__Host-refresh_token');
      expect(cookie.attributes).toBe(`Path=/; Max-Age=${THIRTY_DAYS}; HttpOnly; Secure; SameSite=Strict`);
      expect((await refresh(`__Host-refresh_token=${cookie.value}`, https)).status).toBe(200);
      // A cookie without the prefix (which a sibling subdomain could have planted) is not ours over https.
      expectOAuthError(await refresh(`refresh_token=${cookie.value}`, https), 400, 'invalid_request');
    });

    it('uses __Secure- with a Path other than "/", and never trusts X-Forwarded-Proto without trust proxy', async () => {
      await start({ path: '/auth' });
      // trust proxy off: the request is http whatever the header says, so the https page is another origin.
      const untrusted = await login(https);
      expect(untrusted.status).toBe(403);
      expect(setCookies(untrusted)).toEqual([]);
      f.app.set('trust proxy', 'loopback');
      const cookie = theCookie(await login(https));
      expect(cookie.name).toBe('__Secure-refresh_token');
      expect(cookie.attributes).toBe(`Path=/auth; Max-Age=${THIRTY_DAYS}; HttpOnly; Secure; SameSite=Strict`);
    });
  });

  it('is off by default: the CSRF header and a cookie change nothing', async () => {
    f = await setup();
    const res = await login();
    expect(res.body.refresh_token).toBeDefined();
    expect(setCookies(res)).toEqual([]);
  });

  describe('the cookies option', () => {
    const base = (): AuthOptions => ({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE, users: new MemoryUserStore() });
    it.each([
      [{ nmae: 'x' }, /^cookies\.nmae is not an option \(did you mean cookies\.name\?\)$/],
      [{ allowedOrigins: ['*'] }, /cookies\.allowedOrigins: "\*" is not an exact origin/],
      [{ allowedOrigins: ['https://app.test/'] }, /cookies\.allowedOrigins: "https:\/\/app\.test\/" is not an exact origin/],
      [{ allowedOrigins: ['https://App.test'] }, /is not an exact origin/],
      [{ allowedOrigins: ['https://*.app.test'] }, /cookies\.allowedOrigins: "https:\/\/\*\.app\.test" is not an exact origin/],
      [{ allowedOrigins: ['http://app.test'] }, /cookies\.allowedOrigins: "http:\/\/app\.test" is plain http: use https \(http only for localhost\)/],
      [{ allowedOrigins: 'https://app.test' }, /cookies\.allowedOrigins must be an array/],
      [{ csrfHeader: 'Content-Type' }, /cookies\.csrfHeader must be a custom header/],
      [{ csrfHeader: 'Sec-Fetch-Site' }, /cookies\.csrfHeader must be a custom header/],
      [{ name: '__Host-rt' }, /cookies\.name must not start with __Host-/],
      [{ name: 'a b' }, /cookies\.name must be a cookie name/],
      [{ path: 'auth' }, /cookies\.path must be a path/],
      [{ jsonClients: 'yes' }, /cookies\.jsonClients must be a boolean/],
      ['on', /cookies must be an object/],
    ])('refuses cookies: %j at start-up', (cookies, message) => {
      expect(() => createAuth({ ...base(), cookies: cookies as AuthOptions['cookies'] })).toThrow(message);
    });

    it('admits plain http origins on this machine, for development', () => {
      const auth = createAuth({ ...base(), cookies: { allowedOrigins: ['http://localhost:5173', 'http://127.0.0.1:8080', 'http://[::1]:3000'] } });
      expect(typeof auth.token()).toBe('function');
    });

    it('refuses cookie mode without refresh tokens', () => {
      expect(() => createAuth({ ...base(), refreshTokens: false, cookies: {} })).toThrow(/cookies needs refresh tokens/);
    });

    it('accepts false as off', () => {
      expect(() => createAuth({ ...base(), cookies: false })).not.toThrow();
    });
  });
});

import express from 'express';
import passport from 'passport';
import request from 'supertest';
import { generateKey } from '../../lib/jose/keys';
import type { AuthOptions } from '../../lib/config/auth-options';
import { MemoryUserStore } from '../../lib/stores/memory/users';
import type { NewUser, UserPatch, UserStore, UserUpdateOptions } from '../../lib/stores/types';
import type { User } from '../../lib/core/user';
import { expectOAuthError, expectTooMany, PASSWORD, setup, testClock, type Fixture } from '../helpers';

/**
 * Device cookies (OWASP Authentication Cheat Sheet; OWASP "Slow Down Online
 * Guessing Attacks with Device Cookies"): a client that logged into an
 * account keeps its own failure budget while clients without its cookie are
 * locked out of the account.
 */

interface Cookie {
  name: string;
  value: string;
  attributes: string[];
  /** `name=value`, as a Cookie request header sends it back. */
  pair: string;
}

/** The device cookie a response set; fails the test when there is none. */
function deviceCookie(res: request.Response): Cookie {
  const headers = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  expect(headers).toHaveLength(1);
  const [pair, ...attributes] = headers[0]!.split('; ');
  const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
  return { name, value, attributes, pair: pair! };
}

function login(f: Fixture, password: string, options: { ip?: string; cookie?: string; username?: string; proto?: string } = {}) {
  const req = request(f.app).post('/token').type('form');
  if (options.ip !== undefined) req.set('X-Forwarded-For', options.ip);
  if (options.proto !== undefined) req.set('X-Forwarded-Proto', options.proto);
  if (options.cookie !== undefined) req.set('Cookie', options.cookie);
  return req.send({ grant_type: 'password', username: options.username ?? 'alice', password });
}

/**
 * Wrong guesses from many addresses, 5 from each (the per-address lock lets no more through):
 * the account-wide limit for clients without a device cookie admits `accountFailuresPerDay` of them, then 429.
 */
async function distributedAttack(f: Fixture, addresses: number, username = 'alice') {
  const statuses: number[] = [];
  for (let a = 0; a < addresses; a++) {
    for (let i = 0; i < 5; i++) statuses.push((await login(f, 'wrong', { ip: `198.51.100.${a + 1}`, username })).status);
  }
  return statuses;
}

/** A smaller attack for the tests below, with an account-wide limit of 10: 15 guesses from 3 addresses. */
const SMALL: Partial<AuthOptions> = { rateLimits: { accountFailuresPerDay: 10 } };
async function smallAttack(f: Fixture) {
  const statuses = await distributedAttack(f, 3);
  expect(statuses).toEqual([...Array(10).fill(400), ...Array(5).fill(429)]);
}

async function setupBehindProxy(overrides: Partial<AuthOptions> = {}, users?: UserStore): Promise<Fixture> {
  const f = await setup(overrides, users);
  f.app.set('trust proxy', true);
  return f;
}

describe('the device cookie a password login sets', () => {
  it('is HttpOnly, SameSite=Strict, Path=/, with a Max-Age, and neither Secure nor prefixed over plain HTTP', async () => {
    const f = await setupBehindProxy();
    const cookie = deviceCookie(await login(f, PASSWORD));
    expect(cookie.name).toBe('ejwt-device');
    expect(cookie.attributes.sort()).toEqual(['HttpOnly', 'Max-Age=7776000', 'Path=/', 'SameSite=Strict']);
    // account . epoch . issued-at . nonce . MAC
    expect(cookie.value).toMatch(/^[\w-]{22}\.0\.\d+\.[\w-]{22}\.[\w-]{43}$/);
  });

  it('is Secure with the __Host- prefix on a secure request (behind a proxy: per trust proxy)', async () => {
    const f = await setupBehindProxy();
    const cookie = deviceCookie(await login(f, PASSWORD, { proto: 'https' }));
    expect(cookie.name).toBe('__Host-ejwt-device');
    expect(cookie.attributes).toEqual(expect.arrayContaining(['Secure', 'HttpOnly', 'SameSite=Strict', 'Path=/']));
  });

  it('follows trust proxy: an X-Forwarded-Proto from an untrusted peer does not make the request secure', async () => {
    const f = await setup();
    const cookie = deviceCookie(await login(f, PASSWORD, { proto: 'https' }));
    expect(cookie.name).toBe('ejwt-device');
    expect(cookie.attributes).not.toContain('Secure');
  });

  it('takes the __Secure- prefix and the configured Path when the path is not /', async () => {
    const f = await setupBehindProxy({ deviceCookie: { path: '/auth', name: 'dev', maxAge: '30d' } });
    const cookie = deviceCookie(await login(f, PASSWORD, { proto: 'https' }));
    expect(cookie.name).toBe('__Secure-dev');
    expect(cookie.attributes.sort()).toEqual(['HttpOnly', 'Max-Age=2592000', 'Path=/auth', 'SameSite=Strict', 'Secure']);
  });

  it('is set on a successful password login only: not on a failure, nor on a refresh', async () => {
    const f = await setup();
    expect((await login(f, 'wrong')).headers['set-cookie']).toBeUndefined();
    const { refresh_token } = (await login(f, PASSWORD)).body;
    const refreshed = await request(f.app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers['set-cookie']).toBeUndefined();
  });

  it('is not set when switched off, nor when brute-force protection is', async () => {
    for (const overrides of [{ deviceCookie: false as const }, { rateLimits: false as const }]) {
      const f = await setup(overrides);
      const res = await login(f, PASSWORD);
      expect(res.status).toBe(200);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });
});

describe('no device cookie for a login another site started (login CSRF)', () => {
  // A cross-site form posting the attacker's password would otherwise replace the owner's device
  // cookie with one for the attacker's account, and the owner would be locked out like a stranger.
  const browserLogin = (f: Fixture, headers: Record<string, string>) =>
    request(f.app).post('/token').set('Host', 'api.example').set(headers).type('form').send({ grant_type: 'password', username: 'alice', password: PASSWORD });

  it.each([
    ['a cross-site form', { Origin: 'http://evil.example', 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate' }],
    ['a page of another origin that sends only Origin', { Origin: 'http://evil.example' }],
    ['an opaque origin', { Origin: 'null' }],
    ['a sibling site that sends only Sec-Fetch-Site', { 'Sec-Fetch-Site': 'same-site' }],
    ['a cross-site request without Origin', { 'Sec-Fetch-Site': 'cross-site' }],
    ['a request naming our origin but cross-site by Fetch Metadata', { Origin: 'http://api.example', 'Sec-Fetch-Site': 'cross-site' }],
    ['an empty Origin', { Origin: '' }],
  ])('answers %s with tokens but no Set-Cookie', async (_what, headers) => {
    const f = await setup();
    const res = await browserLogin(f, headers);
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it.each([
    ['the server\'s own page', { Origin: 'http://api.example', 'Sec-Fetch-Site': 'same-origin' }],
    ['a typed URL', { 'Sec-Fetch-Site': 'none' }],
    ['a client that is not a browser', {}],
  ])('sets the cookie for %s', async (_what, headers) => {
    const f = await setup();
    deviceCookie(await browserLogin(f, headers));
  });

  it('sets the cookie for a page of an allowed origin (cookie mode)', async () => {
    const f = await setup({ cookies: { allowedOrigins: ['https://app.example'] } });
    deviceCookie(await browserLogin(f, { Origin: 'https://app.example', 'Sec-Fetch-Site': 'cross-site' }));
  });

  it('is not set by the local strategy for a cross-site form', async () => {
    const f = await setup();
    const pass = new passport.Passport();
    pass.use(f.auth.localStrategy);
    const app = express();
    app.post('/login', express.urlencoded({ extended: false }), pass.authenticate('local', { session: false }), (req, res) => {
      res.json({ username: req.user?.username });
    });
    const res = await request(app).post('/login').set('Origin', 'http://evil.example').type('form').send({ username: 'alice', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('a distributed attack on an account', () => {
  it('leaves the owner a way in from a new address with her device cookie, and locks out clients without one (105 guesses, 21 addresses)', async () => {
    const f = await setupBehindProxy();
    const { pair } = deviceCookie(await login(f, PASSWORD, { ip: '203.0.113.5' }));
    const statuses = await distributedAttack(f, 21);
    expect(statuses.filter((status) => status === 400)).toHaveLength(100);
    // The owner, from a new network, with her device cookie: in.
    expect((await login(f, PASSWORD, { ip: '192.0.2.77', cookie: pair })).status).toBe(200);
    // A client without it: out, for at most 86400 / accountFailuresPerDay seconds at a time.
    expectTooMany(await login(f, PASSWORD, { ip: '192.0.2.78' }), 864);
    expect(f.failures.at(-1)?.reason).toBe('login.account_limited');
    // And the lock ends: once the attack stops, the next token comes within those 864 s.
    f.clock.advance(864);
    expect((await login(f, PASSWORD, { ip: '192.0.2.78' })).status).toBe(200);
  });

  it('trusts no forged cookie, no cookie of another account, and no expired one', async () => {
    const f = await setupBehindProxy({ ...SMALL, deviceCookie: { maxAge: 3600 } });
    await f.users.create({ username: 'bob', passwordHash: (await f.users.findById(f.alice.id))!.passwordHash });
    const alice = deviceCookie(await login(f, PASSWORD, { ip: '203.0.113.5' }));
    const bob = deviceCookie(await login(f, PASSWORD, { ip: '203.0.113.6', username: 'bob' }));
    f.clock.advance(1800);
    const fresh = deviceCookie(await login(f, PASSWORD, { ip: '203.0.113.5' }));
    f.clock.advance(1800); // the first cookie has just expired; the fresh one has half an hour left
    await smallAttack(f);
    const flipped = alice.value.slice(0, -1) + (alice.value.endsWith('A') ? 'B' : 'A');
    for (const cookie of [`${alice.name}=${flipped}`, bob.pair, alice.pair, `${alice.name}=garbage`, `other=${fresh.value}`]) {
      expectTooMany(await login(f, PASSWORD, { ip: '192.0.2.77', cookie }), 8640);
    }
    // Among other cookies, and beside a bad one, the good one still counts.
    expect((await login(f, PASSWORD, { ip: '192.0.2.77', cookie: `theme=dark; ${bob.pair}; ${fresh.pair}` })).status).toBe(200);
  });

  it('accepts the device cookies of another instance with the same configuration, and not with another secret', async () => {
    const a = await setup(SMALL);
    const { pair } = deviceCookie(await login(a, PASSWORD));
    // A second instance on the same user store with the same signing secret, hence the same derived cookie key.
    const b = await setupBehindProxy(SMALL, a.users);
    await smallAttack(b);
    expect((await login(b, PASSWORD, { ip: '192.0.2.77', cookie: pair })).status).toBe(200);
    const c = await setupBehindProxy({ ...SMALL, deviceCookie: { secret: 'another-device-cookie-secret-of-32-bytes!' } }, a.users);
    await smallAttack(c);
    expect((await login(c, PASSWORD, { ip: '192.0.2.77', cookie: pair })).status).toBe(429);
  });

  it('derives the cookie key from the active signing key when keys are given', async () => {
    const key = generateKey('ES256');
    const a = await setup({ ...SMALL, secret: undefined, keys: { active: key } });
    const { pair } = deviceCookie(await login(a, PASSWORD));
    const b = await setupBehindProxy({ ...SMALL, secret: undefined, keys: { active: key } }, a.users);
    await smallAttack(b);
    expect((await login(b, PASSWORD, { ip: '192.0.2.77', cookie: pair })).status).toBe(200);
    const c = await setupBehindProxy({ ...SMALL, secret: undefined, keys: { active: generateKey('ES256') } }, a.users);
    await smallAttack(c);
    expect((await login(c, PASSWORD, { ip: '192.0.2.77', cookie: pair })).status).toBe(429);
  });
});

describe('a trusted device', () => {
  it('is locked out alone after maxFailures wrong passwords, within maxBlockSeconds', async () => {
    const f = await setupBehindProxy();
    const { pair } = deviceCookie(await login(f, PASSWORD, { ip: '203.0.113.5' }));
    for (let i = 0; i < 5; i++) expectOAuthError(await login(f, 'wrong', { ip: '203.0.113.5', cookie: pair }), 400, 'invalid_grant');
    expectTooMany(await login(f, PASSWORD, { ip: '203.0.113.5', cookie: pair }), 60);
    expect(f.failures.at(-1)?.reason).toBe('login.device_blocked');
    // The same address without the cookie is another client: its own budget.
    expect((await login(f, PASSWORD, { ip: '203.0.113.5' })).status).toBe(200);
    f.clock.advance(60);
    expect((await login(f, PASSWORD, { ip: '203.0.113.5', cookie: pair })).status).toBe(200);
  });

  it('is still bound by the per-address limit: the cookie is never the only limit', async () => {
    const f = await setupBehindProxy({ rateLimits: { ipFailuresPerHour: 3 } });
    const { pair } = deviceCookie(await login(f, PASSWORD, { ip: '203.0.113.5' }));
    for (let i = 0; i < 3; i++) expectOAuthError(await login(f, 'wrong', { ip: '203.0.113.5', cookie: pair }), 400, 'invalid_grant');
    const res = await login(f, PASSWORD, { ip: '203.0.113.5', cookie: pair });
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(3600);
    expect(f.failures.at(-1)?.reason).toBe('client.failures');
  });

  it('shares one budget with the account\'s other devices: many cookies are no more guesses', async () => {
    const f = await setupBehindProxy({ rateLimits: { accountFailuresPerDay: 4 } });
    const cookies = [];
    for (let i = 0; i < 3; i++) cookies.push(deviceCookie(await login(f, PASSWORD, { ip: `203.0.113.${i}` })).pair);
    for (const [i, cookie] of cookies.entries()) {
      for (let k = 0; k < (i < 2 ? 2 : 0); k++) expectOAuthError(await login(f, 'wrong', { ip: `203.0.113.${i}`, cookie }), 400, 'invalid_grant');
    }
    const res = await login(f, PASSWORD, { ip: '203.0.113.2', cookie: cookies[2] });
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(86400 / 4);
    expect(f.failures.at(-1)?.reason).toBe('login.devices_limited');
  });

  it('stops being trusted after a password change, while the client that changed it gets a fresh cookie', async () => {
    const f = await setupBehindProxy(SMALL);
    const other = deviceCookie(await login(f, PASSWORD, { ip: '203.0.113.1' }));
    const changing = deviceCookie(await login(f, PASSWORD, { ip: '203.0.113.2' }));
    const token = (await login(f, PASSWORD, { ip: '203.0.113.2', cookie: changing.pair })).body.access_token;
    const change = await request(f.app)
      .put('/users/me/password')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Forwarded-For', '203.0.113.2')
      .set('Cookie', changing.pair)
      .send({ current_password: PASSWORD, new_password: 'a new long password' });
    expect(change.status).toBe(204);
    const renewed = deviceCookie(change);
    expect(renewed.value).toMatch(/^[\w-]{22}\.1\./); // the new token epoch
    await smallAttack(f);
    expect((await login(f, 'a new long password', { ip: '192.0.2.1', cookie: other.pair })).status).toBe(429);
    expect((await login(f, 'a new long password', { ip: '192.0.2.2', cookie: changing.pair })).status).toBe(429);
    expect((await login(f, 'a new long password', { ip: '192.0.2.3', cookie: renewed.pair })).status).toBe(200);
  });

  it('stops being trusted after "sign out everywhere"', async () => {
    const f = await setupBehindProxy(SMALL);
    const cookie = deviceCookie(await login(f, PASSWORD, { ip: '203.0.113.1' }));
    const token = (await login(f, PASSWORD, { ip: '203.0.113.1' })).body.access_token;
    expect((await request(f.app).delete('/users/me/sessions').set('Authorization', `Bearer ${token}`)).status).toBe(204);
    await smallAttack(f);
    expect((await login(f, PASSWORD, { ip: '192.0.2.1', cookie: cookie.pair })).status).toBe(429);
  });

  it('draws on its own budget at PUT /users/me/password too', async () => {
    const f = await setupBehindProxy();
    const cookie = deviceCookie(await login(f, PASSWORD, { ip: '203.0.113.1' }));
    const token = f.tokenFor();
    const change = (current: string, withCookie: boolean) => {
      const req = request(f.app).put('/users/me/password').set('Authorization', `Bearer ${token}`).set('X-Forwarded-For', '203.0.113.1');
      if (withCookie) req.set('Cookie', cookie.pair);
      return req.send({ current_password: current, new_password: 'a new long password' });
    };
    for (let i = 0; i < 5; i++) expect((await change('wrong', true)).status).toBe(400);
    const blocked = await change(PASSWORD, true);
    expect(blocked.status).toBe(429);
    expect(f.failures.at(-1)?.reason).toBe('login.device_blocked');
    // Without the cookie, the address has its own, untouched budget.
    expect((await change(PASSWORD, false)).status).toBe(204);
  });
});

describe('the local strategy', () => {
  it('sets the device cookie on a successful login, and trusts it on the next', async () => {
    const f = await setupBehindProxy(SMALL);
    const pass = new passport.Passport();
    pass.use(f.auth.localStrategy);
    const app = express();
    app.set('trust proxy', true);
    app.post('/login', express.json(), pass.authenticate('local', { session: false }), (req, res) => {
      res.json({ username: req.user?.username });
    });
    const ok = await request(app).post('/login').set('X-Forwarded-Proto', 'https').send({ username: 'alice', password: PASSWORD });
    expect(ok.status).toBe(200);
    const cookie = deviceCookie(ok);
    expect(cookie.name).toBe('__Host-ejwt-device');
    expect(cookie.attributes).toEqual(expect.arrayContaining(['Secure', 'HttpOnly', 'SameSite=Strict', 'Path=/']));
    await smallAttack(f);
    const again = await request(app).post('/login').set('X-Forwarded-Proto', 'https').set('X-Forwarded-For', '192.0.2.9').set('Cookie', cookie.pair).send({ username: 'alice', password: PASSWORD });
    expect(again.status).toBe(200);
    const without = await request(app).post('/login').set('X-Forwarded-Proto', 'https').set('X-Forwarded-For', '192.0.2.9').send({ username: 'alice', password: PASSWORD });
    expect(without.status).toBe(429);
    expect(Number(without.headers['retry-after'])).toBeLessThanOrEqual(8640);
  });
});

/**
 * A user store of your own whose ids are small numbers, the lowest free one
 * first: a deleted account's id is given to the next account (as an SQLite
 * rowid without AUTOINCREMENT can be). Backed by a MemoryUserStore.
 */
class ReusedIdUserStore implements UserStore {
  private readonly inner: MemoryUserStore;
  private readonly outer = new Map<string, string>(); // our id → the inner store's
  constructor(now: () => number) {
    this.inner = new MemoryUserStore({ now });
  }
  private out(user: User | null): User | null {
    if (!user) return null;
    const id = [...this.outer].find(([, inner]) => inner === user.id)?.[0];
    return id === undefined ? null : { ...user, id };
  }
  async findById(id: string) {
    const inner = this.outer.get(id);
    return inner === undefined ? null : this.out(await this.inner.findById(inner));
  }
  async findByUsername(username: string) {
    return this.out(await this.inner.findByUsername(username));
  }
  async findLookalike(username: string) {
    return this.out(await this.inner.findLookalike(username));
  }
  async create(input: NewUser) {
    const user = await this.inner.create(input);
    let n = 1;
    while (this.outer.has(String(n))) n++;
    this.outer.set(String(n), user.id);
    return (await this.out(user))!;
  }
  async update(id: string, patch: UserPatch, options?: UserUpdateOptions) {
    const inner = this.outer.get(id);
    return inner === undefined ? null : this.out(await this.inner.update(inner, patch, options));
  }
  async delete(id: string) {
    const inner = this.outer.get(id);
    if (inner === undefined) return false;
    this.outer.delete(id);
    return this.inner.delete(inner);
  }
  async list() {
    return (await this.inner.list()).map((user) => this.out(user)!);
  }
}

describe('a device cookie of an account that is gone', () => {
  const register = (f: Fixture, username: string, ip: string) =>
    request(f.app).post('/users').set('X-Forwarded-For', ip).send({ username, password: PASSWORD });

  /**
   * The attacker's cookies of an account that had the victim's name spend the untrusted clients' budget, never the
   * victim's devices' budget: the victim, on her own trusted device with the right password, still gets in.
   */
  async function staleCookieAttack(f: Fixture, stale: string[], victimCookie: string) {
    const statuses: number[] = [];
    for (const [i, cookie] of stale.entries()) {
      for (let k = 0; k < 4; k++) statuses.push((await login(f, 'wrong', { ip: `198.51.100.${i + 1}`, cookie, username: 'Dana' })).status);
    }
    // 12 guesses with an account-wide limit of 10: the last two are refused as untrusted clients'.
    expect(statuses).toEqual([...Array(10).fill(400), 429, 429]);
    expect(f.failures.at(-1)?.reason).toBe('login.account_limited');
    expect((await login(f, PASSWORD, { ip: '192.0.2.50', cookie: victimCookie, username: 'Dana' })).status).toBe(200);
  }

  it('is not trusted by a new account with the same name after the old one was deleted', async () => {
    const f = await setupBehindProxy(SMALL);
    expect((await register(f, 'dana', '203.0.113.9')).status).toBe(201);
    const stale: string[] = [];
    for (let i = 0; i < 3; i++) stale.push(deviceCookie(await login(f, PASSWORD, { ip: '203.0.113.9', username: 'dana' })).pair);
    const old = (await f.users.findByUsername('dana'))!;
    expect(await f.users.delete(old.id)).toBe(true);
    // The victim registers the freed name (the same username key, epoch 0) and logs in from her laptop.
    expect((await register(f, 'Dana', '192.0.2.50')).status).toBe(201);
    const victim = deviceCookie(await login(f, PASSWORD, { ip: '192.0.2.50', username: 'Dana' })).pair;
    await staleCookieAttack(f, stale, victim);
  });

  it('does not lift the per-address lock: a client with stale cookies is an untrusted client', async () => {
    const f = await setupBehindProxy();
    expect((await register(f, 'dana', '203.0.113.9')).status).toBe(201);
    const stale: string[] = [];
    for (let i = 0; i < 3; i++) stale.push(deviceCookie(await login(f, PASSWORD, { ip: '203.0.113.9', username: 'dana' })).pair);
    await f.users.delete((await f.users.findByUsername('dana'))!.id);
    expect((await register(f, 'Dana', '192.0.2.50')).status).toBe(201);
    // Five wrong guesses from one address lock that address out of the account, whichever stale cookie each carried.
    for (let i = 0; i < 5; i++) expectOAuthError(await login(f, 'wrong', { ip: '198.51.100.1', cookie: stale[i % 3]!, username: 'Dana' }), 400, 'invalid_grant');
    expectTooMany(await login(f, 'wrong', { ip: '198.51.100.1', cookie: stale[2]!, username: 'Dana' }), 60);
    expect(f.failures.at(-1)?.reason).toBe('login.blocked');
  });

  it('is not trusted by a new account that took the name an account was renamed from', async () => {
    const f = await setupBehindProxy(SMALL);
    expect((await register(f, 'dana', '203.0.113.9')).status).toBe(201);
    const stale: string[] = [];
    for (let i = 0; i < 3; i++) stale.push(deviceCookie(await login(f, PASSWORD, { ip: '203.0.113.9', username: 'dana' })).pair);
    expect(await f.users.update((await f.users.findByUsername('dana'))!.id, { username: 'erin' })).not.toBeNull();
    expect((await register(f, 'Dana', '192.0.2.50')).status).toBe(201);
    const victim = deviceCookie(await login(f, PASSWORD, { ip: '192.0.2.50', username: 'Dana' })).pair;
    await staleCookieAttack(f, stale, victim);
  });

  it('is not trusted by a new account that a store gave the same id and the same name', async () => {
    const storeClock = testClock();
    const users = new ReusedIdUserStore(storeClock.now);
    const f = await setup(SMALL, users);
    f.app.set('trust proxy', true);
    await users.delete(f.alice.id); // alice had id "1": dana gets it now
    expect((await register(f, 'dana', '203.0.113.9')).status).toBe(201);
    const old = (await users.findByUsername('dana'))!;
    expect(old.id).toBe('1');
    const stale: string[] = [];
    for (let i = 0; i < 3; i++) stale.push(deviceCookie(await login(f, PASSWORD, { ip: '203.0.113.9', username: 'dana' })).pair);
    await users.delete(old.id);
    storeClock.advance(1);
    expect((await register(f, 'Dana', '192.0.2.50')).status).toBe(201);
    expect((await users.findByUsername('dana'))!.id).toBe('1');
    const victim = deviceCookie(await login(f, PASSWORD, { ip: '192.0.2.50', username: 'Dana' })).pair;
    await staleCookieAttack(f, stale, victim);
  });
});

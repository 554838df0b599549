import request from 'supertest';
import type { ConcurrencyLimit } from '../../lib/login/concurrency-limit';
import { expectOAuthError, PASSWORD, setup, type Fixture } from '../helpers';

/**
 * What a login that ends without a credential check costs (nothing), and how
 * long each limit can block a client (never longer than its documented
 * maximum), on the test clock.
 */

function login(f: Fixture, password: string, options: { username?: string; ip?: string } = {}) {
  const req = request(f.app).post('/token').type('form');
  if (options.ip !== undefined) req.set('X-Forwarded-For', options.ip);
  return req.send({ grant_type: 'password', username: options.username ?? 'alice', password });
}

/** Holds the only hashing slot until released: every login meanwhile is refused by the real queue (503). */
function holdHashingSlot(f: Fixture): () => Promise<void> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const running = (f.auth.passwords as unknown as { limit: ConcurrencyLimit }).limit.run(() => held);
  return async () => {
    release();
    await running;
  };
}

/** The Retry-After of a 429, as a number; fails the test for any other answer. */
function retryAfterOf(res: request.Response): number {
  expectOAuthError(res, 429, 'too_many_requests');
  return Number(res.headers['retry-after']);
}

describe('a login that ends without a credential check is not counted', () => {
  it('does not count logins refused with 503 by a full hashing queue: the owner logs in once it drains', async () => {
    const f = await setup({ hashing: { concurrency: 1, queue: 0 } });
    const release = holdHashingSlot(f);
    for (let i = 0; i < 8; i++) {
      const res = await login(f, PASSWORD);
      expectOAuthError(res, 503, 'temporarily_unavailable');
      expect(res.headers['retry-after']).toBe('1');
    }
    await release();
    expect((await login(f, PASSWORD)).status).toBe(200);
    expect(f.failures.map((event) => event.reason)).toEqual(Array(8).fill('hashing.busy'));
  });

  it('gives back every count a 503 took: the per-client and account-wide budgets are whole afterwards', async () => {
    const f = await setup({ hashing: { concurrency: 1, queue: 0 }, rateLimits: { ipFailuresPerHour: 3, accountFailuresPerDay: 3, maxFailures: 10 } });
    f.app.set('trust proxy', true);
    const release = holdHashingSlot(f);
    for (let i = 0; i < 6; i++) expectOAuthError(await login(f, 'wrong', { ip: '203.0.113.1' }), 503, 'temporarily_unavailable');
    for (let i = 0; i < 6; i++) expectOAuthError(await login(f, 'wrong', { ip: `203.0.113.${10 + i}` }), 503, 'temporarily_unavailable');
    await release();
    // The client's budget across accounts: three failures, then 429.
    for (const name of ['bob', 'carol', 'dave']) expectOAuthError(await login(f, 'wrong', { username: name, ip: '203.0.113.1' }), 400, 'invalid_grant');
    retryAfterOf(await login(f, 'wrong', { username: 'erin', ip: '203.0.113.1' }));
    expect(f.failures.at(-1)?.reason).toBe('client.failures');
    // The account's budget for clients without a device cookie: three failures, then 429.
    for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) expectOAuthError(await login(f, 'wrong', { ip }), 400, 'invalid_grant');
    retryAfterOf(await login(f, 'wrong', { ip: '198.51.100.4' }));
    expect(f.failures.at(-1)?.reason).toBe('login.account_limited');
  });

  it('does not count logins that failed with a store error (500)', async () => {
    const f = await setup();
    const findByUsername = f.users.findByUsername.bind(f.users);
    f.users.findByUsername = () => Promise.reject(new Error('database is down'));
    for (let i = 0; i < 8; i++) expect((await login(f, PASSWORD)).status).toBe(500);
    f.users.findByUsername = findByUsername;
    expect((await login(f, PASSWORD)).status).toBe(200);
  });

  it('does not count a wrong current password at PUT /users/me/password that met a full hashing queue', async () => {
    const f = await setup({ hashing: { concurrency: 1, queue: 0 } });
    const token = f.tokenFor();
    const release = holdHashingSlot(f);
    for (let i = 0; i < 7; i++) {
      const res = await request(f.app).put('/users/me/password').set('Authorization', `Bearer ${token}`).send({ current_password: 'wrong', new_password: 'a new long password' });
      expect(res.status).toBe(503);
    }
    await release();
    expect((await login(f, PASSWORD)).status).toBe(200);
  });
});

describe('no limit blocks longer than its documented maximum', () => {
  it('ends every block of the per-account-and-client lock within maxBlockSeconds, as its Retry-After says', async () => {
    const f = await setup({ rateLimits: { blockSeconds: 60, maxBlockSeconds: 300 } });
    const waits: number[] = [];
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 5; i++) expectOAuthError(await login(f, 'wrong'), 400, 'invalid_grant');
      const wait = retryAfterOf(await login(f, PASSWORD));
      expect(f.failures.at(-1)?.reason).toBe('login.blocked');
      waits.push(wait);
      f.clock.advance(wait - 1);
      expect(retryAfterOf(await login(f, PASSWORD))).toBe(1);
      f.clock.advance(1);
    }
    expect(waits).toEqual([60, 120, 240, 300, 300, 300]);
    // Once the last block is over, the right password works.
    expect((await login(f, PASSWORD)).status).toBe(200);
  });

  it('tells a burst of parallel guesses to wait at most maxBlockSeconds', async () => {
    const f = await setup({ rateLimits: { maxBlockSeconds: 120 } });
    const answers = await Promise.all(Array.from({ length: 20 }, () => login(f, 'wrong')));
    const waits = answers.filter((res) => res.status === 429).map(retryAfterOf);
    expect(waits).toHaveLength(15);
    for (const wait of waits) expect(wait).toBeLessThanOrEqual(120);
    f.clock.advance(Math.max(...waits));
    expect((await login(f, PASSWORD)).status).toBe(200);
  });

  it('ends the per-client block (ipFailuresPerHour) within the hour', async () => {
    const f = await setup({ rateLimits: { ipFailuresPerHour: 3 } });
    for (const name of ['bob', 'carol', 'dave']) await login(f, 'wrong', { username: name });
    f.clock.advance(600);
    const wait = retryAfterOf(await login(f, 'wrong', { username: 'erin' }));
    expect(f.failures.at(-1)?.reason).toBe('client.failures');
    expect(wait).toBeLessThanOrEqual(3600);
    f.clock.advance(wait);
    expect((await login(f, PASSWORD)).status).toBe(200);
  });

  it('ends the account-wide block of clients without a device cookie within 86400 / accountFailuresPerDay seconds', async () => {
    const f = await setup({ rateLimits: { accountFailuresPerDay: 10 } });
    f.app.set('trust proxy', true);
    for (let i = 0; i < 10; i++) expectOAuthError(await login(f, 'wrong', { ip: `198.51.100.${i}` }), 400, 'invalid_grant');
    const wait = retryAfterOf(await login(f, PASSWORD, { ip: '203.0.113.9' }));
    expect(f.failures.at(-1)?.reason).toBe('login.account_limited');
    expect(wait).toBeLessThanOrEqual(8640);
    f.clock.advance(wait);
    expect((await login(f, PASSWORD, { ip: '203.0.113.9' })).status).toBe(200);
  });
});

describe('client keys behind a proxy (trust proxy)', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setup();
    f.app.set('trust proxy', true);
  });

  it.each([
    ['an IPv4 address with a changing port', (i: number) => `1.2.3.4:${5001 + i}`],
    ['a bracketed IPv6 address with a changing port', (i: number) => `[2001:db8::5]:${5001 + i}`],
    ['one IPv4 address in its IPv4, IPv4-mapped and NAT64 forms', (i: number) => ['1.2.3.4', '::ffff:1.2.3.4', '64:ff9b::1.2.3.4'][i % 3]],
  ])('meets the lock within 8 wrong logins from %s', async (_name, address) => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await login(f, 'wrong', { ip: address(i) })).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429, 429]);
  });

  it('keeps two IPv4 clients behind NAT64 apart', async () => {
    for (let i = 0; i < 5; i++) await login(f, 'wrong', { ip: '64:ff9b::198.51.100.1' });
    expect((await login(f, 'wrong', { ip: '64:ff9b::198.51.100.1' })).status).toBe(429);
    expectOAuthError(await login(f, 'wrong', { ip: '64:ff9b::5.6.7.8' }), 400, 'invalid_grant');
    expect((await login(f, PASSWORD, { ip: '64:ff9b::5.6.7.8' })).status).toBe(200);
  });
});

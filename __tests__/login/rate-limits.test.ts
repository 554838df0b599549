import { TooManyRequestsError } from '../../lib/core/errors';
import { clientKey, RateLimits } from '../../lib/login/rate-limits';

/** The seconds a refused call asks the client to wait, or undefined when it was allowed. */
async function retryAfter(call: Promise<void>): Promise<number | undefined> {
  try {
    await call;
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(TooManyRequestsError);
    return Number((err as TooManyRequestsError).headers['Retry-After']);
  }
}

describe('RateLimits', () => {
  // rate-limiter-flexible reads Date.now and expires keys with setTimeout: both follow jest's clock.
  beforeEach(() => {
    jest.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  /** One failed login, as authenticatePassword runs it: counted first, then reported failed. */
  async function fail(limits: RateLimits, times = 1, username = 'alice', ip = '10.0.0.1') {
    for (let i = 0; i < times; i++) {
      await limits.beginLogin(username, ip);
      await limits.loginFailed(username, ip);
    }
  }
  const attempt = (limits: RateLimits, username = 'alice', ip = '10.0.0.1') => retryAfter(limits.beginLogin(username, ip));

  it('blocks a client from an account after maxFailures failures in a row, for blockSeconds', async () => {
    const limits = new RateLimits();
    await fail(limits, 4);
    await fail(limits, 1); // the 5th is still checked
    expect(await attempt(limits)).toBe(60);
    expect(await attempt(limits, 'ALICE')).toBe(60); // any case
    expect(await attempt(limits, 'bob')).toBeUndefined();
  });

  it('does not block the owner on another client: the lock cannot shut the owner out', async () => {
    const limits = new RateLimits();
    await fail(limits, 5, 'alice', '203.0.113.7');
    expect(await attempt(limits, 'alice', '203.0.113.7')).toBe(60);
    expect(await attempt(limits, 'alice', '198.51.100.1')).toBeUndefined();
  });

  it('counts parallel attempts before the password check, so a burst gets no more tries', async () => {
    const limits = new RateLimits();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => attempt(limits)));
    expect(outcomes.filter((o) => o === undefined)).toHaveLength(5);
  });

  it('lets the block expire on its own', async () => {
    const limits = new RateLimits();
    await fail(limits, 5);
    jest.advanceTimersByTime(59_000);
    expect(await attempt(limits)).toBe(1);
    jest.advanceTimersByTime(1_000);
    expect(await attempt(limits)).toBeUndefined();
  });

  it('doubles each further block of the same account and client, up to maxBlockSeconds', async () => {
    const limits = new RateLimits({ maxBlockSeconds: 300 });
    const blocks: Array<number | undefined> = [];
    for (let i = 0; i < 4; i++) {
      await fail(limits, 5);
      blocks.push(await attempt(limits));
      jest.advanceTimersByTime(3600_000); // wait out the block
    }
    expect(blocks).toEqual([60, 120, 240, 300]);
  });

  it('clears the count and the block level on a success', async () => {
    const limits = new RateLimits();
    await fail(limits, 4);
    await limits.beginLogin('alice', '10.0.0.1');
    await limits.loginSucceeded('alice', '10.0.0.1');
    await fail(limits, 4);
    expect(await attempt(limits)).toBeUndefined();
  });

  it('admits only known clients once an account passes accountFailuresPerDay', async () => {
    const limits = new RateLimits({ accountFailuresPerDay: 6 });
    await limits.beginLogin('alice', '10.9.9.9');
    await limits.loginSucceeded('alice', '10.9.9.9'); // the owner's client
    jest.advanceTimersByTime(10 * 86400_000); // still known ten days later
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) await fail(limits, 2, 'alice', ip);
    expect(await attempt(limits, 'alice', '10.0.0.4')).toBe(86400);
    expect(await attempt(limits, 'alice', '10.9.9.9')).toBeUndefined();
  });

  it('blocks a client after ipFailuresPerHour failures across accounts, until the hour is over', async () => {
    const limits = new RateLimits({ ipFailuresPerHour: 3 });
    for (const name of ['a', 'b', 'c']) await fail(limits, 1, name, '10.0.0.9');
    expect(await attempt(limits, 'd', '10.0.0.9')).toBe(3600);
    expect(await attempt(limits, 'd', '10.0.0.8')).toBeUndefined();
    jest.advanceTimersByTime(3600_000);
    expect(await attempt(limits, 'd', '10.0.0.9')).toBeUndefined();
  });

  it('limits requests per client and endpoint', async () => {
    const limits = new RateLimits({ ipRequestsPerMinute: 2 });
    await limits.request('token', '10.0.0.1');
    await limits.request('token', '10.0.0.1');
    expect(await retryAfter(limits.request('token', '10.0.0.1'))).toBe(60);
    expect(await retryAfter(limits.request('revoke', '10.0.0.1'))).toBeUndefined();
    expect(await retryAfter(limits.request('token', '10.0.0.2'))).toBeUndefined();
  });

  it('treats one IPv6 /64 as one client, and a mapped IPv4 address as that address', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:db8:1:2:ffff:1:2:3'));
    expect(clientKey('2001:db8:1:2::1')).not.toBe(clientKey('2001:db8:1:3::1'));
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('refuses settings that cannot work, naming them', () => {
    expect(() => new RateLimits({ maxFailures: 0 })).toThrow(/rateLimits.maxFailures/);
    expect(() => new RateLimits({ blockSeconds: 1.5 })).toThrow(TypeError);
  });
});

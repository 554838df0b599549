import { TooManyRequestsError } from '../lib/errors';
import { RateLimits } from '../lib/rate-limits';

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

  async function fail(limits: RateLimits, times: number, username = 'alice', ip = '10.0.0.1') {
    for (let i = 0; i < times; i++) await limits.loginFailed(username, ip);
  }

  it('blocks an account after maxFailures consecutive failures, for blockSeconds', async () => {
    const limits = new RateLimits();
    await fail(limits, 4);
    expect(await retryAfter(limits.checkLogin('alice', '10.0.0.2'))).toBeUndefined();
    await fail(limits, 1);
    expect(await retryAfter(limits.checkLogin('alice', '10.0.0.2'))).toBe(60);
    expect(await retryAfter(limits.checkLogin('ALICE', '10.0.0.3'))).toBe(60); // any case, any IP
    expect(await retryAfter(limits.checkLogin('bob', '10.0.0.2'))).toBeUndefined();
  });

  it('lets the block expire on its own', async () => {
    const limits = new RateLimits();
    await fail(limits, 5);
    jest.advanceTimersByTime(59_000);
    expect(await retryAfter(limits.checkLogin('alice', '10.0.0.1'))).toBe(1);
    jest.advanceTimersByTime(1_000);
    expect(await retryAfter(limits.checkLogin('alice', '10.0.0.1'))).toBeUndefined();
  });

  it('doubles the block with each further failure, up to maxBlockSeconds', async () => {
    const limits = new RateLimits({ maxBlockSeconds: 300 });
    await fail(limits, 5);
    const blocks: Array<number | undefined> = [];
    for (let i = 0; i < 4; i++) {
      jest.advanceTimersByTime(3600_000); // wait out any block
      await fail(limits, 1);
      blocks.push(await retryAfter(limits.checkLogin('alice', '10.0.0.1')));
    }
    expect(blocks).toEqual([120, 240, 300, 300]);
  });

  it('clears the count on a success', async () => {
    const limits = new RateLimits();
    await fail(limits, 4);
    await limits.loginSucceeded('alice');
    await fail(limits, 4);
    expect(await retryAfter(limits.checkLogin('alice', '10.0.0.1'))).toBeUndefined();
  });

  it('blocks an IP after ipFailuresPerHour failures, across accounts, until the hour is over', async () => {
    const limits = new RateLimits({ ipFailuresPerHour: 3 });
    for (const name of ['a', 'b', 'c']) await limits.loginFailed(name, '10.0.0.9');
    expect(await retryAfter(limits.checkLogin('d', '10.0.0.9'))).toBe(3600);
    expect(await retryAfter(limits.checkLogin('d', '10.0.0.8'))).toBeUndefined();
    jest.advanceTimersByTime(3600_000);
    expect(await retryAfter(limits.checkLogin('d', '10.0.0.9'))).toBeUndefined();
  });

  it('limits requests per IP and endpoint', async () => {
    const limits = new RateLimits({ ipRequestsPerMinute: 2 });
    await limits.request('token', '10.0.0.1');
    await limits.request('token', '10.0.0.1');
    expect(await retryAfter(limits.request('token', '10.0.0.1'))).toBe(60);
    expect(await retryAfter(limits.request('revoke', '10.0.0.1'))).toBeUndefined();
    expect(await retryAfter(limits.request('token', '10.0.0.2'))).toBeUndefined();
  });

  it('refuses settings that cannot work, naming them', () => {
    expect(() => new RateLimits({ maxFailures: 0 })).toThrow(/rateLimits.maxFailures/);
    expect(() => new RateLimits({ blockSeconds: 1.5 })).toThrow(TypeError);
  });
});

import { once } from 'node:events';
import { Redis } from 'ioredis';
import { TooManyRequestsError, type FailureReason } from '../../lib/core/errors';
import { MemoryCounterStore } from '../../lib/login/counters';
import { RateLimits, type RateLimitOptions } from '../../lib/login/rate-limits';
import { testClock } from '../helpers';

const url = process.env.TEST_REDIS_URL;
let redis: Redis | undefined;
beforeAll(async () => {
  if (!url) return;
  redis = new Redis(url);
  await once(redis, 'ready');
});
afterAll(() => redis?.disconnect());

/** What a refused call says: its Retry-After and reason; undefined when it was allowed. */
async function refusal(call: Promise<unknown>): Promise<{ wait: number; reason: FailureReason } | undefined> {
  try {
    await call;
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(TooManyRequestsError);
    return { wait: (err as TooManyRequestsError).retryAfter, reason: (err as TooManyRequestsError).reason };
  }
}

// Every behaviour holds alike in memory and in Redis (when TEST_REDIS_URL is set): the Lua scripts are the memory code's twins.
const backends: Array<[string, boolean]> = [['in memory', false]];
if (url) backends.push(['in Redis', true]);
describe.each(backends)('RateLimits %s', (_name, useRedis) => {
  let clock: ReturnType<typeof testClock>;
  let errors: unknown[];
  let run = 0;
  const make = (options: Partial<RateLimitOptions> = {}) => {
    clock = testClock();
    errors = [];
    // A key prefix per test: Redis keeps what earlier tests counted.
    const keyPrefix = `test-${process.pid}-${Date.now()}-${run++}`;
    return new RateLimits({ ...options, keyPrefix, redis: useRedis ? redis : undefined }, { now: clock.now, onError: (err) => errors.push(err) });
  };
  afterEach(() => expect(errors).toEqual([]));

  /** Failed logins, counted first and then settled as failures, as authenticatePassword does. */
  async function fail(limits: RateLimits, times = 1, username = 'alice', ip = '10.0.0.1', device?: string) {
    for (let i = 0; i < times; i++) await (await limits.beginLogin(username, ip, device)).settle('failed');
  }
  /** Whether a login would be admitted now: undefined if so (its count is given back), else its refusal. */
  const attempt = (limits: RateLimits, username = 'alice', ip = '10.0.0.1', device?: string) =>
    refusal(limits.beginLogin(username, ip, device).then((a) => a.settle('abandoned')));

  it('blocks a client from an account after maxFailures failures in a row, for blockSeconds', async () => {
    const limits = make();
    await fail(limits, 4);
    expect(await attempt(limits)).toBeUndefined();
    await fail(limits, 1);
    expect(await attempt(limits)).toEqual({ wait: 60, reason: 'login.blocked' });
    expect(await attempt(limits, 'ALICE')).toEqual({ wait: 60, reason: 'login.blocked' }); // any case
    expect(await attempt(limits, 'bob')).toBeUndefined();
  });

  it('does not block the owner on another client: the lock cannot shut the owner out', async () => {
    const limits = make();
    await fail(limits, 5, 'alice', '203.0.113.7');
    expect(await attempt(limits, 'alice', '203.0.113.7')).toEqual({ wait: 60, reason: 'login.blocked' });
    expect(await attempt(limits, 'alice', '198.51.100.1')).toBeUndefined();
  });

  it('keys a client on its parsed address: a port or another spelling is the same client', async () => {
    const limits = make();
    for (const ip of ['1.2.3.4:5001', '::ffff:1.2.3.4', '1.2.3.4', '[::ffff:1.2.3.4]:80', '64:ff9b::1.2.3.4']) await fail(limits, 1, 'alice', ip);
    expect(await attempt(limits, 'alice', '1.2.3.4:6000')).toEqual({ wait: 60, reason: 'login.blocked' });
  });

  it('counts parallel attempts before the password check, so a burst gets no more tries', async () => {
    const limits = make();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => refusal(limits.beginLogin('alice', '10.0.0.1'))));
    expect(outcomes.filter((o) => o === undefined)).toHaveLength(5);
    // The rest are told the block those five would start if they failed, never more than maxBlockSeconds.
    expect(new Set(outcomes.filter((o) => o !== undefined).map((o) => o!.wait))).toEqual(new Set([60]));
  });

  it('tells a client whose own attempts are still being checked exactly when the block they may start ends', async () => {
    const limits = make();
    const pending = await Promise.all(Array.from({ length: 5 }, () => limits.beginLogin('alice', '10.0.0.1')));
    clock.advance(10); // a slow check
    expect(await attempt(limits)).toEqual({ wait: 50, reason: 'login.blocked' });
    for (const one of pending) await one.settle('failed');
    clock.advance(49);
    expect(await attempt(limits)).toEqual({ wait: 1, reason: 'login.blocked' });
    clock.advance(1);
    expect(await attempt(limits)).toBeUndefined();
  });

  it('admits the client again at once when its pending attempts end without a credential check', async () => {
    const limits = make();
    const pending = await Promise.all(Array.from({ length: 5 }, () => limits.beginLogin('alice', '10.0.0.1')));
    expect(await attempt(limits)).toEqual({ wait: 60, reason: 'login.blocked' });
    await pending[0]!.settle('abandoned');
    expect(await attempt(limits)).toBeUndefined();
    // The other four fail, and one more: the block runs from when that fifth was admitted.
    for (const one of pending.slice(1)) await one.settle('failed');
    clock.advance(5);
    await (await limits.beginLogin('alice', '10.0.0.1')).settle('failed');
    expect(await attempt(limits)).toEqual({ wait: 60, reason: 'login.blocked' });
  });

  it('lets the block expire on its own', async () => {
    const limits = make();
    await fail(limits, 5);
    clock.advance(59);
    expect(await attempt(limits)).toEqual({ wait: 1, reason: 'login.blocked' });
    clock.advance(1);
    expect(await attempt(limits)).toBeUndefined();
  });

  it('doubles each further block of the same account and client, up to maxBlockSeconds', async () => {
    const limits = make({ maxBlockSeconds: 300 });
    const blocks: number[] = [];
    for (let i = 0; i < 6; i++) {
      await fail(limits, 5);
      const { wait } = (await attempt(limits))!;
      blocks.push(wait);
      clock.advance(wait); // a client that comes back as soon as it may
    }
    expect(blocks).toEqual([60, 120, 240, 300, 300, 300]);
  });

  it('forgets the client maxBlockSeconds after its block ends: nothing about it lasts longer', async () => {
    const limits = make({ maxBlockSeconds: 300 });
    await fail(limits, 5);
    clock.advance(60 + 299);
    await fail(limits, 5);
    expect(await attempt(limits)).toEqual({ wait: 120, reason: 'login.blocked' }); // still remembered: doubled
    clock.advance(120 + 300);
    await fail(limits, 5);
    expect(await attempt(limits)).toEqual({ wait: 60, reason: 'login.blocked' }); // forgotten: the first block again
  });

  it('forgets failures that are not in a row within maxBlockSeconds', async () => {
    const limits = make({ maxBlockSeconds: 300 });
    await fail(limits, 4);
    clock.advance(300);
    await fail(limits, 4);
    expect(await attempt(limits)).toBeUndefined();
  });

  it('clears the count and the block level on a success', async () => {
    const limits = make();
    await fail(limits, 5);
    clock.advance(60);
    await fail(limits, 4);
    await (await limits.beginLogin('alice', '10.0.0.1')).settle('succeeded');
    await fail(limits, 4);
    expect(await attempt(limits)).toBeUndefined();
    await fail(limits, 1);
    expect(await attempt(limits)).toEqual({ wait: 60, reason: 'login.blocked' });
  });

  it('gives every count back for an attempt abandoned without a credential check', async () => {
    const limits = make({ ipFailuresPerHour: 3, accountFailuresPerDay: 3 });
    for (let i = 0; i < 10; i++) await (await limits.beginLogin('alice', '10.0.0.1')).settle('abandoned');
    await fail(limits, 3, 'alice', '10.0.0.1');
    expect(await attempt(limits, 'bob', '10.0.0.1')).toMatchObject({ reason: 'client.failures' });
    expect(await attempt(limits, 'alice', '10.0.0.2')).toMatchObject({ reason: 'login.account_limited' });
  });

  it('gives a count back only to the window that took it: a late give-back is no extra attempt', async () => {
    const limits = make({ ipFailuresPerHour: 2, maxFailures: 100 });
    const late = await limits.beginLogin('a', '10.0.0.1');
    clock.advance(3600); // a new hour: the count above belongs to the last one
    await fail(limits, 2, 'b', '10.0.0.1');
    await late.settle('abandoned');
    expect(await attempt(limits, 'c', '10.0.0.1')).toMatchObject({ reason: 'client.failures' });
  });

  it('gives a count back only to the streak that took it: after a success, a late give-back is no extra attempt', async () => {
    const limits = make();
    const late = await limits.beginLogin('alice', '10.0.0.1');
    await (await limits.beginLogin('alice', '10.0.0.1')).settle('succeeded');
    await fail(limits, 5);
    await late.settle('abandoned');
    expect(await attempt(limits)).toEqual({ wait: 60, reason: 'login.blocked' });
  });

  it('settles an attempt once: a second settle does nothing', async () => {
    const limits = make();
    const once = await limits.beginLogin('alice', '10.0.0.1');
    await once.settle('failed');
    await once.settle('failed');
    await fail(limits, 3);
    expect(await attempt(limits)).toBeUndefined();
  });

  it('locks untrusted clients out of an account past accountFailuresPerDay, but not its devices', async () => {
    const limits = make({ accountFailuresPerDay: 6 });
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) await fail(limits, 2, 'alice', ip);
    // One token comes back every 86400 / 6 = 14400 s: the longest any untrusted client waits.
    expect(await attempt(limits, 'alice', '10.0.0.4')).toEqual({ wait: 14400, reason: 'login.account_limited' });
    expect(await attempt(limits, 'alice', '10.0.0.4', 'device-1')).toBeUndefined();
    expect(await attempt(limits, 'bob', '10.0.0.4')).toBeUndefined();
    clock.advance(14399);
    expect(await attempt(limits, 'alice', '10.0.0.4')).toEqual({ wait: 1, reason: 'login.account_limited' });
    clock.advance(1);
    expect(await attempt(limits, 'alice', '10.0.0.4')).toBeUndefined();
    // One token: one failure, then the wait again.
    await fail(limits, 1, 'alice', '10.0.0.4');
    expect(await attempt(limits, 'alice', '10.0.0.5')).toEqual({ wait: 14400, reason: 'login.account_limited' });
  });

  it('locks a device out alone after maxFailures failures: other devices and clients keep their budgets', async () => {
    const limits = make();
    await fail(limits, 5, 'alice', '10.0.0.1', 'device-1');
    expect(await attempt(limits, 'alice', '10.0.0.1', 'device-1')).toEqual({ wait: 60, reason: 'login.device_blocked' });
    expect(await attempt(limits, 'alice', '10.0.0.1', 'device-2')).toBeUndefined();
    expect(await attempt(limits, 'alice', '10.0.0.1')).toBeUndefined();
  });

  it('gives the account\'s devices one bucket together: many device cookies are no more guesses', async () => {
    const limits = make({ accountFailuresPerDay: 6 });
    for (const [i, device] of ['d1', 'd2', 'd3'].entries()) await fail(limits, 2, 'alice', `10.0.1.${i}`, device);
    expect(await attempt(limits, 'alice', '10.0.2.1', 'd4')).toEqual({ wait: 14400, reason: 'login.devices_limited' });
    // Untrusted clients have their own bucket.
    expect(await attempt(limits, 'alice', '10.0.2.1')).toBeUndefined();
  });

  it('limits failures per client address across accounts, devices included, until the hour is over', async () => {
    const limits = make({ ipFailuresPerHour: 3 });
    await fail(limits, 1, 'a', '10.0.0.9');
    clock.advance(600);
    await fail(limits, 1, 'b', '10.0.0.9');
    await fail(limits, 1, 'alice', '10.0.0.9', 'device-1');
    expect(await attempt(limits, 'd', '10.0.0.9')).toEqual({ wait: 3000, reason: 'client.failures' });
    expect(await attempt(limits, 'alice', '10.0.0.9', 'device-1')).toEqual({ wait: 3000, reason: 'client.failures' });
    expect(await attempt(limits, 'd', '10.0.0.8')).toBeUndefined();
    clock.advance(3000);
    expect(await attempt(limits, 'd', '10.0.0.9')).toBeUndefined();
  });

  it('answers the longest wait when several limits refuse', async () => {
    const limits = make({ ipFailuresPerHour: 5 });
    await fail(limits, 5);
    expect(await attempt(limits)).toEqual({ wait: 3600, reason: 'client.failures' });
  });

  it('limits requests per client and endpoint', async () => {
    const limits = make({ ipRequestsPerMinute: 2 });
    await limits.request('token', '10.0.0.1');
    clock.advance(10);
    await limits.request('token', '10.0.0.1:5000');
    expect(await refusal(limits.request('token', '10.0.0.1'))).toEqual({ wait: 50, reason: 'client.requests' });
    expect(await refusal(limits.request('revoke', '10.0.0.1'))).toBeUndefined();
    expect(await refusal(limits.request('token', '10.0.0.2'))).toBeUndefined();
    clock.advance(50);
    expect(await refusal(limits.request('token', '10.0.0.1'))).toBeUndefined();
  });
});

describe('RateLimits settings and failures', () => {
  it('refuses settings that cannot work, naming them', () => {
    expect(() => new RateLimits({ maxFailures: 0 })).toThrow(/rateLimits.maxFailures/);
    expect(() => new RateLimits({ blockSeconds: 1.5 })).toThrow(TypeError);
    expect(() => new RateLimits({ blockSeconds: 600, maxBlockSeconds: 300 })).toThrow(/rateLimits.blockSeconds must not exceed rateLimits.maxBlockSeconds/);
    expect(() => new RateLimits({ redis: {} as never })).toThrow(/rateLimits.redis/);
  });

  it('counts in memory, and reports it, when Redis refuses a command', async () => {
    const errors: string[] = [];
    const broken = { status: 'ready', eval: () => Promise.reject(new Error('OOM command not allowed')) };
    const limits = new RateLimits({ redis: broken }, { onError: (_err, context) => errors.push(context) });
    for (let i = 0; i < 5; i++) await (await limits.beginLogin('alice', '10.0.0.1')).settle('failed');
    await expect(limits.beginLogin('alice', '10.0.0.1')).rejects.toHaveProperty('status', 429);
    expect(errors[0]).toBe('rate-limit counters unavailable: counting in memory');
  });

  it('never rejects a settle, even when the store it began in fails', async () => {
    const errors: string[] = [];
    let up = true;
    const flaky = new RateLimits({ redis: { status: 'ready', eval: () => (up ? Promise.resolve([1, '', '', 1]) : Promise.reject(new Error('connection lost'))) } }, { onError: (_err, context) => errors.push(context) });
    const attempt = await flaky.beginLogin('alice', '10.0.0.1');
    up = false;
    await expect(attempt.settle('failed')).resolves.toBeUndefined();
    expect(errors).toEqual(['rate-limit counters unavailable: a login attempt could not be settled']);
  });

  it('keeps memory to the records still alive, whatever keys clients make up', async () => {
    const clock = testClock();
    const store = new MemoryCounterStore();
    const limit = (key: string) => ({ kind: 'window' as const, key, limit: 1, windowMs: 60_000 });
    for (let i = 0; i < 5000; i++) store.beginNow([limit(`k${i}`)], clock.now());
    clock.advance(60);
    for (let i = 0; i < 5000; i++) store.beginNow([limit(`j${i}`)], clock.now());
    expect(store.size).toBeLessThanOrEqual(5000 + 1000);
  });
});

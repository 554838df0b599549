import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import request from 'supertest';
import { RateLimits } from '../../lib/login/rate-limits';
import { RedisDenylistStore } from '../../lib/stores/redis/denylist';
import { expectOAuthError, expectTooMany, PASSWORD, setup } from '../helpers';

/** A loopback port with nothing listening: a Redis that is down. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('with Redis down', () => {
  let redis: Redis;
  const errors: Error[] = [];

  beforeAll(async () => {
    // As the example configures it: fail fast instead of queueing commands while disconnected.
    redis = new Redis({ port: await deadPort(), host: '127.0.0.1', enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    // ioredis emits 'error' events; an app must listen (and log), or the process would crash.
    const firstError = once(redis, 'error');
    redis.on('error', (err: Error) => errors.push(err));
    // The outage shows before any test runs, whichever runs first.
    await firstError;
  });
  afterAll(() => redis.disconnect());

  it('fails closed for the denylist: a bearer request is a 500 through next(err), not a pass', async () => {
    const f = await setup({ denylist: new RedisDenylistStore(redis) });
    const res = await request(f.app).get('/users/me').set('Authorization', `Bearer ${f.tokenFor()}`);
    expect(res.status).toBe(500);
    expect(f.appErrors).toHaveLength(1);
  });

  it('lets the request through and reports the outage when the app chose denylistFailOpen', async () => {
    const reported: string[] = [];
    const f = await setup({ denylist: new RedisDenylistStore(redis), denylistFailOpen: true, onError: (_err, context) => reported.push(context) });
    const res = await request(f.app).get('/users/me').set('Authorization', `Bearer ${f.tokenFor()}`);
    expect(res.status).toBe(200);
    expect(reported).toEqual(['denylist unavailable: request let through (denylistFailOpen)']);
  });

  it('keeps limiting logins in memory, per instance, through the insurance limiter', async () => {
    const f = await setup({ rateLimits: { redis } });
    const login = (password: string) => request(f.app).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password });
    for (let i = 0; i < 5; i++) expectOAuthError(await login('wrong'), 400, 'invalid_grant');
    expectTooMany(await login(PASSWORD), 60);
  });

  it('reports the outage through the client\'s error events, which the app logs', () => {
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].message).toMatch(/ECONNREFUSED/);
  });
});

const url = process.env.TEST_REDIS_URL;
(url ? describe : describe.skip)('RateLimits shared through Redis', () => {
  it('counts failures on one instance towards the lock on another', async () => {
    const a = new Redis(url!);
    const b = new Redis(url!);
    try {
      // Until a client is ready, the limiters use their in-memory insurance (rejectIfRedisNotReady).
      await Promise.all([once(a, 'ready'), once(b, 'ready')]);
      const user = `user-${Date.now()}-${Math.random()}`;
      const limitsA = new RateLimits({ redis: a });
      const limitsB = new RateLimits({ redis: b });
      for (let i = 0; i < 5; i++) await (await limitsA.beginLogin(user, '10.1.1.1')).settle('failed');
      await expect(limitsB.beginLogin(user, '10.1.1.1')).rejects.toHaveProperty('status', 429);
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });
});

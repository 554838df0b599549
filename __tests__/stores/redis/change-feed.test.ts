import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RedisChangeFeed } from '../../../lib/stores/redis/change-feed';
import { RedisDenylistStore } from '../../../lib/stores/redis/denylist';
import { expectBearerError, setup } from '../../helpers';
import { countingStore } from '../counting-store';
import { jtiOf, me, sleep, within } from '../feed-helpers';

const REDIS_URL = process.env.TEST_REDIS_URL;

(REDIS_URL ? describe : describe.skip)('Redis denylist change feed (pub/sub) behind the session cache', () => {
  const prefix = `ejwt-test:${randomUUID()}:`;
  const clients: Redis[] = [];
  const stores: RedisDenylistStore[] = [];
  const client = () => {
    const redis = new Redis(REDIS_URL!, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 1000, retryStrategy: () => 20 });
    redis.on('error', () => undefined);
    clients.push(redis);
    return redis;
  };
  const ready = async (redis: Redis) => {
    if (redis.status !== 'ready') await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    return redis;
  };
  afterAll(async () => {
    for (const store of stores) store.close();
    const admin = await ready(client());
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
    for (const redis of clients) redis.disconnect();
  });

  async function instance(overrides: Record<string, unknown> = {}) {
    const redis = await ready(client());
    const store = new RedisDenylistStore(redis, { prefix });
    stores.push(store);
    const denylist = countingStore(store);
    const f = await setup({ denylist: denylist.store, ...overrides });
    const feed = store.changeFeed() as RedisChangeFeed;
    expect(await within(3000, () => feed.currentAsOf() > -Infinity)).toBeLessThan(3000);
    denylist.calls.length = 0;
    return { f, feed, redis, calls: denylist.calls };
  }

  it('answers protected requests in steady state with no Redis command', async () => {
    const { f, calls } = await instance();
    const token = f.tokenFor();
    expect((await me(f, token)).status).toBe(200);
    expect(calls).toEqual(['has']);
    calls.length = 0;
    for (let i = 0; i < 20; i++) expect((await me(f, token)).status).toBe(200);
    expect(calls).toEqual([]);
  });

  it('refuses within 1 s a token another instance revoked', async () => {
    const { f } = await instance();
    const token = f.tokenFor();
    expect((await me(f, token)).status).toBe(200);
    const other = new RedisDenylistStore(await ready(client()), { prefix });
    stores.push(other);
    await other.add(jtiOf(token), f.clock.now() + 900_000);
    expect(await within(1000, async () => (await me(f, token)).status === 401)).toBeLessThan(1000);
    expect(f.failures.at(-1)?.reason).toBe('token.revoked');
  });

  it('falls back to Redis reads when its subscriber is killed (CLIENT KILL), never serving state older than the bound', async () => {
    const maxStaleness = 200;
    const { f, feed, calls } = await instance({ sessionCache: { maxStaleness } });
    const token = f.tokenFor();
    expect((await me(f, token)).status).toBe(200);
    const admin = await ready(client());
    const list = (await admin.client('LIST')) as string;
    const line = list.split('\n').find((entry) => entry.includes(` name=ejwt-feed-${feed.id} `));
    expect(line).toBeDefined();
    const id = /(?:^|\s)id=(\d+)/.exec(line!)![1]!;
    await admin.client('KILL', 'ID', id);
    // Revoked by another instance while this one's subscriber is down: the message is lost.
    const other = new RedisDenylistStore(admin, { prefix });
    stores.push(other);
    await other.add(jtiOf(token), f.clock.now() + 900_000);
    await sleep(maxStaleness + 20);
    expectBearerError(await me(f, token), 401, 'invalid_token');
    expect(f.failures.at(-1)?.reason).toBe('token.revoked');

    // Reconnected, it keeps answers again: a new token reads Redis once, then never.
    expect(await within(5000, () => performance.now() - feed.currentAsOf() < maxStaleness)).toBeLessThan(5000);
    const fresh = f.tokenFor();
    expect((await me(f, fresh)).status).toBe(200);
    calls.length = 0;
    for (let i = 0; i < 5; i++) expect((await me(f, fresh)).status).toBe(200);
    expect(calls).toEqual([]);
  });

  it('fails closed, as without the cache, when Redis is down and the feed with it (denylistFailOpen false)', async () => {
    const { f, redis } = await instance({ sessionCache: { maxStaleness: 100 } });
    const token = f.tokenFor();
    expect((await me(f, token)).status).toBe(200);
    // The store's client is gone: its heartbeats stop, so the kept answer goes stale and Redis is asked, which fails.
    redis.disconnect();
    await sleep(150);
    const res = await me(f, token);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'server_error' });
    expect(f.appErrors).toHaveLength(1);
  });

  it('makes no subscriber while the app\'s client cannot connect (it would retry for the life of the process), and ends with the app\'s client', async () => {
    const down = new Redis({ port: 1, host: '127.0.0.1', enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    down.on('error', () => undefined);
    const offline = new RedisDenylistStore(down, { prefix });
    stores.push(offline);
    await setup({ denylist: offline });
    const feed = offline.changeFeed() as RedisChangeFeed;
    await sleep(100);
    expect((feed as unknown as { subscriber?: unknown }).subscriber).toBeUndefined();
    expect(feed.currentAsOf()).toBe(-Infinity);
    down.disconnect();

    const { feed: live, redis } = await instance({ sessionCache: { maxStaleness: 100 } });
    expect((live as unknown as { subscriber?: unknown }).subscriber).toBeDefined();
    redis.disconnect();
    expect(await within(1000, () => (live as unknown as { subscriber?: unknown }).subscriber === undefined)).toBeLessThan(1000);
    expect(live.currentAsOf()).toBe(-Infinity);
  });
});

import { Redis } from 'ioredis';
import request from 'supertest';
import { StoreUntrustedError } from '../../../lib/core/errors';
import { RedisDataGuard, type RedisGuardEvent } from '../../../lib/stores/redis/data-guard';
import { RedisDenylistStore } from '../../../lib/stores/redis/denylist';
import { expectBearerError, setup, testClock, type Fixture } from '../../helpers';
import { HAVE_REDIS_SERVER, startThrowawayRedis, type ThrowawayRedis } from './throwaway-redis';

/** Resolves at the client's next 'ready' (events.once would reject on the connection errors of a restart). */
const ready = (redis: Redis) => new Promise<void>((resolve) => redis.once('ready', () => resolve()));

/**
 * Issue 14, finding 3: revocations live only as long as Redis keeps them.
 * Each suite starts a redis-server of its own, without persistence, and
 * restarts or flushes it under a running app.
 */
(HAVE_REDIS_SERVER ? describe : describe.skip)('RedisDenylistStore when Redis loses its data (a throwaway redis-server)', () => {
  let server: ThrowawayRedis;
  const clients: Redis[] = [];
  const stores: RedisDenylistStore[] = [];

  beforeAll(async () => {
    server = await startThrowawayRedis();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server?.stop();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) store.close();
    const admin = await client();
    await admin.flushall();
  });

  /** A client as the README asks for: commands fail at once while Redis is down, reconnects are quick. */
  async function client(): Promise<Redis> {
    const redis = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 1000, retryStrategy: () => 20 });
    redis.on('error', () => undefined);
    clients.push(redis);
    if (redis.status !== 'ready') await ready(redis);
    return redis;
  }

  /** An instance: its own Redis client and denylist store, and an app on the shared prefix. */
  async function instance(guard: Record<string, unknown> = {}, auth: Record<string, unknown> = {}) {
    const redis = await client();
    const events: RedisGuardEvent[] = [];
    let fixture: Fixture | undefined;
    const clock = testClock();
    const store = new RedisDenylistStore(redis, { prefix: 'app:deny:', guard: { onEvent: (e) => events.push(e), now: () => (fixture?.clock ?? clock).now(), ...guard } });
    stores.push(store);
    fixture = await setup({ denylist: store, ...auth });
    return { redis, store, events, f: fixture };
  }

  const me = (f: Fixture, token: string) => request(f.app).get('/users/me').set('Authorization', `Bearer ${token}`);
  const revoke = (f: Fixture, token: string) => request(f.app).post('/revoke').type('form').send({ token });

  async function expectFailsClosed(f: Fixture, token: string) {
    const errors = f.appErrors.length;
    const res = await me(f, token);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'server_error' });
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(f.appErrors).toHaveLength(errors + 1);
    expect(f.appErrors.at(-1)).toBeInstanceOf(StoreUntrustedError);
  }

  it('refuses a revoked token after Redis restarted empty (a 500 through next(err), never a 200), and answers as usual only after the trust window', async () => {
    const { f, events, redis } = await instance();
    const revoked = f.tokenFor();
    expect((await me(f, revoked)).status).toBe(200);
    expect((await revoke(f, revoked)).status).toBe(200);
    expectBearerError(await me(f, revoked), 401, 'invalid_token');
    expect(f.failures.at(-1)?.reason).toBe('token.revoked');

    const reconnected = ready(redis);
    await server.restart();
    await reconnected;

    await expectFailsClosed(f, revoked);
    // Every token: the store cannot tell which ones were revoked.
    await expectFailsClosed(f, f.tokenFor());
    const lost = events.filter((e) => e.kind === 'data_lost');
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ level: 'error', untrustedUntil: f.clock.now() + 930_000 });
    expect(lost[0]!.message).toMatch(/^Redis lost its data \(the marker key app:deny:marker was missing\)/);
    expect((f.appErrors.at(-1) as StoreUntrustedError).until).toBe(f.clock.now() + 930_000);

    // accessTokenTtl (15 min) + clockTolerance (30 s): every token revoked before the loss has expired by then.
    f.clock.advance(929);
    await expectFailsClosed(f, f.tokenFor());
    f.clock.advance(1);
    expectBearerError(await me(f, revoked), 401, 'invalid_token');
    expect(f.failures.at(-1)?.reason).toBe('token.expired');
    expect((await me(f, f.tokenFor())).status).toBe(200);
    expect(events.filter((e) => e.kind === 'trusted_again')).toEqual([expect.objectContaining({ level: 'info' })]);
  });

  it('finds a FLUSHALL on the very next request, without any reconnect', async () => {
    const { f, events } = await instance();
    const revoked = f.tokenFor();
    await revoke(f, revoked);
    await (await client()).flushall();

    await expectFailsClosed(f, revoked);
    expect(events.map((e) => e.kind)).toContain('data_lost');
  });

  it('reports a loss found after a reconnect even when no request comes', async () => {
    const { redis, events, f } = await instance();
    // The instance has seen the marker (its first contact is over) …
    expect((await me(f, f.tokenFor())).status).toBe(200);
    // Polled for a bounded time, so that a failure ends the test rather than hangs it.
    const reported = new Promise<RedisGuardEvent | undefined>((resolve) => {
      const poll = (left: number) => {
        const event = events.find((e) => e.kind === 'data_lost');
        if (event || left === 0) resolve(event);
        else setTimeout(() => poll(left - 1), 10);
      };
      poll(1000);
    });
    // … then Redis restarts empty, and nothing but the reconnect happens.
    const reconnected = ready(redis);
    await server.restart();
    await reconnected;
    expect((await reported)?.level).toBe('error');
  });

  it('keeps every instance closed, also one started after the loss was found, for the same window', async () => {
    const a = await instance();
    const revoked = a.f.tokenFor();
    await revoke(a.f, revoked);
    await (await client()).flushall();
    await expectFailsClosed(a.f, revoked);

    // A new instance finds the marker another instance re-wrote, and reads the window from it.
    const b = await instance();
    await expectFailsClosed(b.f, b.f.tokenFor());
    expect(b.events.find((e) => e.kind === 'data_lost')?.message).toMatch(/another instance found/);
  });

  it('uses accessTokenTtl + clockTolerance as the window, which createAuth tells the store', async () => {
    const { f, events } = await instance({}, { accessTokenTtl: '1h', clockTolerance: 60 });
    await (await client()).flushall();
    await expectFailsClosed(f, f.tokenFor());
    expect(events.find((e) => e.kind === 'data_lost')?.untrustedUntil).toBe(f.clock.now() + 3660_000);
  });

  it('lets requests through and reports each one under denylistFailOpen', async () => {
    const reported: string[] = [];
    const { f } = await instance({}, { denylistFailOpen: true, onError: (err: unknown, context: string) => reported.push(`${(err as Error).name}: ${context}`) });
    await (await client()).flushall();
    expect((await me(f, f.tokenFor())).status).toBe(200);
    expect(reported).toEqual(['StoreUntrustedError: denylist unavailable: request let through (denylistFailOpen)']);
  });

  it('trusts Redis again at once after an operator says so (trustNow), on every instance', async () => {
    const a = await instance();
    const b = await instance();
    await (await client()).flushall();
    await expectFailsClosed(a.f, a.f.tokenFor());

    await a.store.guard.trustNow();

    expect((await me(a.f, a.f.tokenFor())).status).toBe(200);
    expect((await me(b.f, b.f.tokenFor())).status).toBe(200);
  });

  it('takes a Redis without the marker on its first contact as new, writes the marker with no TTL, and says so', async () => {
    const { f, events, redis } = await instance();
    expect((await me(f, f.tokenFor())).status).toBe(200);
    expect(events.filter((e) => e.kind === 'initialized')).toEqual([expect.objectContaining({ level: 'info' })]);
    expect(await redis.get('app:deny:marker')).toBe('0');
    expect(await redis.pttl('app:deny:marker')).toBe(-1);
  });

  it("takes a missing marker at the first contact as a loss too with missingAtStart: 'lost'", async () => {
    const { f } = await instance({ missingAtStart: 'lost' });
    await expectFailsClosed(f, f.tokenFor());
  });

  it('refuses to trust an unreadable marker, naming the key and how to fix it', async () => {
    const { f, redis } = await instance();
    await redis.set('app:deny:marker', 'garbage');
    await expectFailsClosed(f, f.tokenFor());
    expect((f.appErrors.at(-1) as Error).message).toMatch(/app:deny:marker holds "garbage"/);
  });

  it('refuses a revoked token after Redis came back from an older snapshot (the marker survived, the revocation did not)', async () => {
    const { f, events, redis } = await instance();
    expect((await me(f, f.tokenFor())).status).toBe(200);
    const admin = await client();
    // An RDB snapshot taken before the revocation: what a crash with `save` points, or a restored backup, brings back.
    await admin.save();
    const revoked = f.tokenFor();
    await revoke(f, revoked);
    expectBearerError(await me(f, revoked), 401, 'invalid_token');

    const reconnected = ready(redis);
    await server.restart();
    await reconnected;
    expect(await redis.get('app:deny:marker')).not.toBeNull();

    await expectFailsClosed(f, revoked);
    const lost = events.find((e) => e.kind === 'data_lost');
    expect(lost?.message).toMatch(/^Redis went back in time: its write counter app:deny:marker:writes is 0, below the 1 this instance saw/);
    expect(lost?.untrustedUntil).toBe(f.clock.now() + 930_000);

    // Leave no snapshot behind for the other tests' restarts.
    await admin.flushall();
    await admin.save();
  });

  it('shares one guard, and one marker, between stores on one Redis', async () => {
    const redis = await client();
    const guard = new RedisDataGuard(redis, { key: 'app:marker' });
    const denylist = new RedisDenylistStore(redis, { prefix: 'app:deny:', guard });
    const other = new RedisDenylistStore(redis, { prefix: 'app:other:', guard });
    expect(denylist.guard).toBe(guard);
    expect(other.guard).toBe(guard);
    // Its reads and the stores' writes go through one connection, in order.
    const another = await client();
    expect(() => new RedisDenylistStore(another, { guard })).toThrow(new TypeError('guard must use the same Redis client as the store'));
    await denylist.has('x', Date.now());
    expect(await redis.get('app:marker')).toBe('0');
    denylist.close();
    other.close();
    guard.close();
  });
});

(HAVE_REDIS_SERVER ? describe : describe.skip)('RedisDataGuard: the Redis settings it checks at start', () => {
  const servers: ThrowawayRedis[] = [];
  const clients: Redis[] = [];
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    for (const server of servers) await server.stop();
  });

  async function eventsFor(args: string[]): Promise<RedisGuardEvent[]> {
    const server = await startThrowawayRedis(args);
    servers.push(server);
    const redis = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    clients.push(redis);
    await ready(redis);
    const events: RedisGuardEvent[] = [];
    const guard = new RedisDataGuard(redis, { key: 'm', onEvent: (e) => events.push(e) });
    await guard.check();
    guard.close();
    return events;
  }

  it.each(['volatile-lru', 'volatile-ttl', 'allkeys-lru'])('warns about maxmemory-policy %s, which drops keys', async (policy) => {
    const events = await eventsFor(['--maxmemory-policy', policy]);
    const warning = events.find((e) => e.kind === 'eviction_policy');
    expect(warning).toMatchObject({ level: 'warn' });
    expect(warning!.message).toContain(`maxmemory-policy is ${policy}`);
    expect(warning!.message).toContain('noeviction');
  });

  it('warns about a Redis that keeps nothing across a restart (no AOF, no RDB snapshots)', async () => {
    const events = await eventsFor([]);
    expect(events.find((e) => e.kind === 'no_persistence')).toMatchObject({ level: 'warn' });
    expect(events.find((e) => e.kind === 'eviction_policy')).toBeUndefined();
  });

  it('is quiet about noeviction with AOF (appendonly yes, appendfsync everysec)', async () => {
    const events = await eventsFor(['--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction']);
    expect(events.map((e) => e.kind)).toEqual(['initialized']);
  });

  it('says so when CONFIG may not be read (a managed Redis), and goes on', async () => {
    const events = await eventsFor(['--rename-command', 'CONFIG', '']);
    expect(events.find((e) => e.kind === 'config_unreadable')).toMatchObject({ level: 'info' });
  });
});

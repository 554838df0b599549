import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisDenylistStore } from '../../../lib/stores/redis/denylist';
import { describeDenylistStoreContract } from '../denylist-contract';

const url = process.env.TEST_REDIS_URL;

if (!url) {
  // The note that it was skipped comes from __tests__/services-skip-reporter.js.
  describe.skip('RedisDenylistStore (TEST_REDIS_URL not set)', () => {
    it.todo('runs against a real Redis (set TEST_REDIS_URL)');
  });
} else {
  const redis = new Redis(url, { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
  // Each test file writes under its own prefix, so parallel workers never meet.
  const prefix = `ejwt-test:${randomUUID()}:`;
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  describeDenylistStoreContract('RedisDenylistStore', () => new RedisDenylistStore(redis, `${prefix}${randomUUID()}:`), (store) => store.close());

  describe('RedisDenylistStore on a real Redis', () => {
    it('shares entries between two clients, as two instances would', async () => {
      const other = new Redis(url);
      try {
        const p = `${prefix}shared:`;
        await new RedisDenylistStore(redis, p).add('jti-1', Date.now() + 60_000);
        expect(await new RedisDenylistStore(other, p).has('jti-1', Date.now())).toBe(true);
      } finally {
        other.disconnect();
      }
    });

    it('lets Redis drop a key on its own an hour after the token expired', async () => {
      const p = `${prefix}ttl:`;
      await new RedisDenylistStore(redis, p).add('jti-2', Date.now() + 60_000);
      const ttl = await redis.pttl(`${p}jti-2`);
      expect(ttl).toBeGreaterThan(3600_000);
      expect(ttl).toBeLessThanOrEqual(3660_000);
    });
  });
}

import { randomUUID } from 'node:crypto';
import { PostgresDenylistStore } from '../../../lib/stores/postgres/denylist';
import { describeDenylistStoreContract } from '../denylist-contract';
import { describePostgres, useTestDatabase } from './helpers';

const T0 = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;

describePostgres('PostgreSQL denylist store', () => {
  const db = useTestDatabase();

  describeDenylistStoreContract(
    'PostgresDenylistStore',
    async () => {
      const store = new PostgresDenylistStore(db.pool);
      await store.ready();
      // Emptied for each test, so purgeExpired's counts are checked exactly.
      await db.pool.query('TRUNCATE access_denylist');
      return store;
    },
    (store) => store.close(),
  );

  describe('PostgresDenylistStore', () => {
    let store: PostgresDenylistStore;

    beforeEach(async () => {
      store = new PostgresDenylistStore(db.pool);
      await store.ready();
    });

    it('keeps one row per jti with the later expiry, as bigint ms', async () => {
      const jti = randomUUID();

      await store.add(jti, T0 + 2 * MINUTE + 7);
      await store.add(jti, T0 + MINUTE);

      const { rows } = await db.pool.query('SELECT jti, expires_at FROM access_denylist WHERE jti = $1', [jti]);
      expect(rows).toEqual([{ jti, expires_at: String(T0 + 2 * MINUTE + 7) }]);
    });

    it('keeps the latest expiry when servers add one jti at the same time', async () => {
      const pools = Array.from({ length: 4 }, () => db.newPool(db.schema, { max: 1 }));
      const stores = pools.map((pool) => new PostgresDenylistStore(pool));
      await Promise.all(stores.map((s) => s.has('warm-up', T0)));

      for (let round = 0; round < 10; round++) {
        const jti = randomUUID();
        await Promise.all(stores.map((s, i) => s.add(jti, T0 + (i + 1) * MINUTE)));

        expect(await store.has(jti, T0 + 4 * MINUTE - 1)).toBe(true);
        expect(await store.has(jti, T0 + 4 * MINUTE)).toBe(false);
      }
    });

    it('rejects after close(), which may be called twice, and leaves the pool open', async () => {
      const jti = randomUUID();
      await store.add(jti, T0 + MINUTE);
      const closed = new PostgresDenylistStore(db.pool);
      await closed.close();
      await closed.close();

      await expect(closed.has(jti, T0)).rejects.toThrow(/closed/);
      await expect(closed.add(jti, T0)).rejects.toThrow(/closed/);
      expect(await store.has(jti, T0)).toBe(true);
    });
  });
});

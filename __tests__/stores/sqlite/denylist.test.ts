import Database from 'better-sqlite3';
import { SqliteDenylistStore } from '../../../lib/stores/sqlite/denylist';
import { describeDenylistStoreContract } from '../denylist-contract';

describeDenylistStoreContract(
  'SqliteDenylistStore',
  () => new SqliteDenylistStore(':memory:'),
  (store) => store.close(),
);

describe('SqliteDenylistStore', () => {
  it('keeps one row per jti with the later expiry', async () => {
    const db = new Database(':memory:');
    const store = new SqliteDenylistStore(db);

    await store.add('a', 2000);
    await store.add('a', 1000);

    expect(db.prepare('SELECT jti, expires_at FROM access_denylist').all()).toEqual([{ jti: 'a', expires_at: 2000 }]);
    db.close();
  });

  it('compares times as numbers on a database with safe integers on', async () => {
    const db = new Database(':memory:');
    db.defaultSafeIntegers(true);
    const store = new SqliteDenylistStore(db);

    await store.add('a', Date.UTC(2024, 0, 1));

    expect(await store.has('a', Date.UTC(2024, 0, 1) - 1)).toBe(true);
    expect(await store.purgeExpired(Date.UTC(2024, 0, 1))).toBe(1);
    db.close();
  });

  it('leaves a database it is given open on close', async () => {
    const db = new Database(':memory:');
    await new SqliteDenylistStore(db).close();

    expect(db.open).toBe(true);
    db.close();
  });

  it('rejects after close() when it opened the database itself', async () => {
    const store = new SqliteDenylistStore();
    await store.close();
    await store.close(); // a second close is harmless

    await expect(store.has('a', 0)).rejects.toThrow(/not open/);
  });
});

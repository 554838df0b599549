import { PostgresChangeFeed } from '../../../lib/stores/postgres/change-feed';
import { PostgresDenylistStore } from '../../../lib/stores/postgres/denylist';
import { PostgresUserStore } from '../../../lib/stores/postgres/users';
import { expectBearerError, setup } from '../../helpers';
import { countingStore } from '../counting-store';
import { jtiOf, me, sleep, within } from '../feed-helpers';
import { Pool } from 'pg';
import { describePostgres, TEST_DATABASE_URL, useTestDatabase } from './helpers';


describePostgres('PostgreSQL change feed (LISTEN/NOTIFY) behind the session cache', () => {
  const db = useTestDatabase();

  async function instance(overrides: Record<string, unknown> = {}) {
    const users = countingStore(new PostgresUserStore(db.pool));
    const denylist = countingStore(new PostgresDenylistStore(db.pool));
    const f = await setup({ denylist: denylist.store, ...overrides }, users.store);
    const feed = PostgresChangeFeed.of(db.pool)!;
    // Connected and confirmed by a heartbeat.
    expect(await within(3000, () => feed.currentAsOf() > -Infinity)).toBeLessThan(3000);
    const reset = () => {
      users.calls.length = 0;
      denylist.calls.length = 0;
    };
    reset();
    return { f, feed, calls: () => [...users.calls, ...denylist.calls], reset };
  }

  it('answers protected requests in steady state with no PostgreSQL query', async () => {
    const { f, calls, reset } = await instance();
    const token = f.tokenFor();
    expect((await me(f, token)).status).toBe(200);
    expect(calls()).toEqual(['findById', 'has']);
    reset();
    for (let i = 0; i < 20; i++) expect((await me(f, token)).status).toBe(200);
    expect(calls()).toEqual([]);
  });

  it('refuses within 1 s a token whose account another process disabled with SQL of its own (the trigger NOTIFYs)', async () => {
    const { f } = await instance();
    const token = f.tokenFor();
    expect((await me(f, token)).status).toBe(200);
    expect((await me(f, token)).status).toBe(200);
    const other = db.newPool();
    await other.query('UPDATE users SET disabled = true WHERE id = $1', [f.alice.id]);
    const took = await within(1000, async () => (await me(f, token)).status === 401);
    expect(took).toBeLessThan(1000);
    expect(f.failures.at(-1)?.reason).toBe('user.disabled');
    await other.query('UPDATE users SET disabled = false WHERE id = $1', [f.alice.id]);
    await db.endPool(other);
  });

  it('refuses within 1 s every token after another process truncated the users table (TRUNCATE fires no row trigger)', async () => {
    const { f } = await instance();
    const token = f.tokenFor();
    expect((await me(f, token)).status).toBe(200);
    expect((await me(f, token)).status).toBe(200);
    const other = db.newPool();
    await other.query('TRUNCATE users CASCADE');
    const took = await within(1000, async () => (await me(f, token)).status === 401);
    expect(took).toBeLessThan(1000);
    expect(f.failures.at(-1)?.reason).toBe('user.not_found');
    await db.endPool(other);
  });

  it('refuses at once a token whose account was disabled by a write in replica mode (the triggers fire ALWAYS)', async () => {
    const { f } = await instance();
    const token = f.tokenFor();
    expect((await me(f, token)).status).toBe(200);
    const other = db.newPool();
    const client = await other.connect();
    // How logical replication's apply workers and some restore tools write: ordinary triggers do not fire.
    await client.query('SET session_replication_role = replica');
    await client.query('UPDATE users SET disabled = true WHERE id = $1', [f.alice.id]);
    await client.query('SET session_replication_role = DEFAULT');
    client.release();
    // Well within maxStaleness (1 s), after which the account would be read again anyway.
    expect(await within(500, async () => (await me(f, token)).status === 401)).toBeLessThan(500);
    await other.query('UPDATE users SET disabled = false WHERE id = $1', [f.alice.id]);
    await db.endPool(other);
  });

  it('tells of changes in a schema whose name holds a space', async () => {
    const name = `ejwt test ${Math.random().toString(36).slice(2, 8)}`;
    const admin = db.newPool();
    await admin.query(`CREATE SCHEMA "${name}"`);
    const pool = new Pool({ connectionString: TEST_DATABASE_URL, options: `-c search_path="${name.replace(/ /g, '\\ ')}"` });
    try {
      const users = new PostgresUserStore(pool);
      await users.ready();
      const f = await setup({ denylist: new PostgresDenylistStore(pool) }, users);
      const feed = PostgresChangeFeed.of(pool)!;
      expect(await within(3000, () => feed.currentAsOf() > -Infinity)).toBeLessThan(3000);
      const token = f.tokenFor();
      expect((await me(f, token)).status).toBe(200);
      expect((await me(f, token)).status).toBe(200);
      await admin.query(`UPDATE "${name}".users SET disabled = true WHERE id = $1`, [f.alice.id]);
      expect(await within(500, async () => (await me(f, token)).status === 401)).toBeLessThan(500);
      expect(f.failures.at(-1)?.reason).toBe('user.disabled');
    } finally {
      await pool.end();
      await admin.query(`DROP SCHEMA "${name}" CASCADE`);
      await db.endPool(admin);
    }
  });

  it('refuses within 1 s a token another process revoked (a denylist row of another pool)', async () => {
    const { f } = await instance();
    const token = f.tokenFor();
    expect((await me(f, token)).status).toBe(200);
    const other = db.newPool();
    await new PostgresDenylistStore(other).add(jtiOf(token), Date.now() + 900_000 + f.clock.now());
    expect(await within(1000, async () => (await me(f, token)).status === 401)).toBeLessThan(1000);
    expect(f.failures.at(-1)?.reason).toBe('token.revoked');
    await db.endPool(other);
  });

  it('falls back to store reads when its LISTEN connection is killed, never serving state older than the bound, and keeps state again once reconnected', async () => {
    const maxStaleness = 200;
    const { f, feed, calls, reset } = await instance({ sessionCache: { maxStaleness } });
    const token = f.tokenFor();
    expect((await me(f, token)).status).toBe(200);
    const admin = db.newPool();
    const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
      `express-jwt-auth change feed ${feed.id}`,
    ]);
    expect(rows).toHaveLength(1);
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    // Written while the feed is down (or about to notice it is): no notification reaches this process.
    await admin.query('UPDATE users SET disabled = true WHERE id = $1', [f.alice.id]);
    await sleep(maxStaleness + 20);
    expectBearerError(await me(f, token), 401, 'invalid_token');
    expect(f.failures.at(-1)?.reason).toBe('user.disabled');

    await admin.query('UPDATE users SET disabled = false WHERE id = $1', [f.alice.id]);
    // The feed reconnects with backoff, forgets everything and confirms itself again.
    expect(await within(5000, () => feed.currentAsOf() > -Infinity && performance.now() - feed.currentAsOf() < maxStaleness)).toBeLessThan(5000);
    expect(await within(1000, async () => (await me(f, token)).status === 200)).toBeLessThan(1000);
    expect((await me(f, token)).status).toBe(200);
    reset();
    for (let i = 0; i < 5; i++) expect((await me(f, token)).status).toBe(200);
    expect(calls()).toEqual([]);
    await db.endPool(admin);
  });
});

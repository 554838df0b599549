import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { postgresPoolOptions, POSTGRES_TIMEOUT_DEFAULTS } from '../../../lib/stores/postgres/pool-options';
import { PostgresRefreshTokenStore } from '../../../lib/stores/postgres/refresh-tokens';
import { PostgresUserStore } from '../../../lib/stores/postgres/users';
import { setup } from '../../helpers';
import { describePostgres, TEST_DATABASE_URL, useTestDatabase } from './helpers';
import { startPausingProxy, type PausingProxy } from './pausing-proxy';

/** Issue 14, finding 4: a paused PostgreSQL must not hang requests without limit. */

describe('postgresPoolOptions', () => {
  it('gives every bound its documented default', () => {
    expect(postgresPoolOptions()).toEqual({
      connectionTimeoutMillis: 5000,
      statement_timeout: 5000,
      query_timeout: 6000,
      idle_in_transaction_session_timeout: 30_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    expect(POSTGRES_TIMEOUT_DEFAULTS.queryTimeout).toBeGreaterThan(POSTGRES_TIMEOUT_DEFAULTS.statementTimeout);
  });

  it('takes each bound in milliseconds', () => {
    expect(postgresPoolOptions({ connectTimeout: 1, statementTimeout: 2, queryTimeout: 3, idleInTransactionTimeout: 4, keepAliveDelay: 5 })).toEqual({
      connectionTimeoutMillis: 1,
      statement_timeout: 2,
      query_timeout: 3,
      idle_in_transaction_session_timeout: 4,
      keepAlive: true,
      keepAliveInitialDelayMillis: 5,
    });
  });

  it.each([
    ['queryTimeout', { queryTimeout: 0 }, 'queryTimeout must be a positive whole number of milliseconds'],
    ['statementTimeout', { statementTimeout: 1.5 }, 'statementTimeout must be a positive whole number of milliseconds'],
    ['connectTimeout', { connectTimeout: '5s' }, 'connectTimeout must be a positive whole number of milliseconds'],
    ['an unknown name', { query_timeout: 5 }, 'query_timeout is not an option of postgresPoolOptions'],
  ])('refuses %s with a TypeError naming it', (_name, timeouts, message) => {
    expect(() => postgresPoolOptions(timeouts as never)).toThrow(TypeError);
    expect(() => postgresPoolOptions(timeouts as never)).toThrow(message);
  });
});

describePostgres('the PostgreSQL stores on a server that stops answering (a pausing TCP proxy)', () => {
  const db = useTestDatabase();
  // Small bounds, so the test is quick; the defaults are checked above.
  const QUERY_TIMEOUT = 800;
  const CONNECT_TIMEOUT = 800;
  const bounds = postgresPoolOptions({ queryTimeout: QUERY_TIMEOUT, statementTimeout: 600, connectTimeout: CONNECT_TIMEOUT });
  // What the clock may run past a bound: scheduling, on a loaded machine.
  const MARGIN = 500;
  let proxy: PausingProxy;
  const pools: Pool[] = [];

  beforeAll(async () => {
    proxy = await startPausingProxy(TEST_DATABASE_URL!);
    await new PostgresUserStore(db.pool).ready();
  });
  afterEach(() => {
    // SIGCONT, whatever happened: the pools below must be able to end.
    proxy.resume();
  });
  afterAll(async () => {
    proxy.resume();
    for (const pool of pools.splice(0)) await pool.end().catch(() => undefined);
    await proxy.close();
  });

  const proxied = (config: object = bounds) => {
    const pool = new Pool({ connectionString: proxy.url, options: `-c search_path=${db.schema}`, max: 2, ...config });
    pool.on('error', () => undefined);
    pools.push(pool);
    return pool;
  };

  /** How long `work` took to settle, in ms, and how. */
  async function timed(work: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
    const start = Date.now();
    let error: unknown;
    await work.catch((err: unknown) => (error = err));
    return { ms: Date.now() - start, error };
  }

  it('still waits without the bounds: the proxy really hangs a pooled connection (the state the issue found)', async () => {
    const pool = proxied({});
    await pool.query('SELECT 1');
    proxy.pause();
    let settled = false;
    const query = pool.query('SELECT 1').finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, QUERY_TIMEOUT + MARGIN));
    expect(settled).toBe(false);
    proxy.resume();
    await query;
  });

  it('ends a bearer request within queryTimeout on a pooled connection to a paused server: a 500 through next(err), and serves again after', async () => {
    const users = new PostgresUserStore(proxied());
    const f = await setup({}, users);
    const me = () => request(f.app).get('/users/me').set('Authorization', `Bearer ${f.tokenFor()}`);
    expect((await me()).status).toBe(200);

    proxy.pause();
    const { ms, error } = await timed(me().then((res) => expect(res.status).toBe(500)));
    expect(error).toBeUndefined();
    expect(ms).toBeLessThan(QUERY_TIMEOUT + MARGIN);
    expect(ms).toBeGreaterThanOrEqual(QUERY_TIMEOUT - 50);
    expect(f.appErrors).toHaveLength(1);
    expect((f.appErrors[0] as Error).message).toMatch(/timeout/i);

    proxy.resume();
    // The connection that timed out was discarded; the pool opens a new one.
    expect((await me()).status).toBe(200);
  });

  it('ends a request that needs a new connection within connectTimeout', async () => {
    const users = new PostgresUserStore(proxied());
    proxy.pause();
    const { ms, error } = await timed(users.findById('someone'));
    expect((error as Error).message).toMatch(/timeout/i);
    expect(ms).toBeLessThan(CONNECT_TIMEOUT + MARGIN);
  });

  it('fails a transaction within one queryTimeout, without waiting for a ROLLBACK nobody answers, and discards its connection', async () => {
    const pool = proxied();
    const store = new PostgresRefreshTokenStore(pool);
    const now = Date.now();
    const family = { id: randomBytes(8).toString('hex'), userId: 'u', scopes: [], epoch: 0, createdAt: now, expiresAt: now + 3600_000, revokedAt: null, jkt: null };
    const token = (hash: string) => ({ hash, familyId: family.id, createdAt: now, expiresAt: now + 600_000, rotatedAt: null, replacedBy: null, retried: false });
    await store.createFamily(family, token('first'));

    proxy.pause();
    const { ms, error } = await timed(store.rotate('first', token('second'), now, 5000));
    expect((error as Error).message).toMatch(/timeout/i);
    expect(ms).toBeLessThan(QUERY_TIMEOUT + MARGIN);

    proxy.resume();
    // Nothing was written, and the pool works again.
    expect((await store.find('first'))?.token.rotatedAt).toBeNull();
    expect(await store.find('second')).toBeNull();
  });

  it('has PostgreSQL cancel a statement longer than statementTimeout (SQLSTATE 57014), the connection staying usable', async () => {
    const pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 1, ...postgresPoolOptions({ statementTimeout: 200, queryTimeout: 2000 }) });
    pools.push(pool);
    const { rows } = await pool.query<{ statement_timeout: string; idle_in_transaction_session_timeout: string }>(
      "SELECT current_setting('statement_timeout') AS statement_timeout, current_setting('idle_in_transaction_session_timeout') AS idle_in_transaction_session_timeout",
    );
    expect(rows[0]).toEqual({ statement_timeout: '200ms', idle_in_transaction_session_timeout: '30s' });
    await expect(pool.query('SELECT pg_sleep(1)')).rejects.toHaveProperty('code', '57014');
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

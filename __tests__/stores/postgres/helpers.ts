import { randomBytes } from 'node:crypto';
import { Pool, type PoolConfig } from 'pg';

/**
 * Shared set-up of the PostgreSQL store tests. They run only when
 * TEST_DATABASE_URL names a database they may create schemas in (CI sets
 * TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test); each test file
 * works in schemas of its own, dropped at the end, so parallel Jest workers
 * never see each other's rows.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;

/**
 * `describe` when TEST_DATABASE_URL is set, otherwise `describe.skip`. The
 * note that they were skipped comes once per run from
 * services-skip-reporter.js (Jest drops console output of skipped suites).
 */
export const describePostgres: (name: string, fn: () => void) => void = TEST_DATABASE_URL ? describe : describe.skip;

/** A random schema name no other test file uses. */
export function schemaName(): string {
  return `ejwt_test_${randomBytes(6).toString('hex')}`;
}

/** A pool whose connections see only `schema` (through search_path). */
export function poolFor(schema: string, config: PoolConfig = {}): Pool {
  return new Pool({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}`, ...config });
}

export interface TestDatabase {
  /** This file's main pool, on its own schema. */
  readonly pool: Pool;
  /** This file's schema. */
  readonly schema: string;
  /** Another pool on `schema` (this file's by default), ended in afterAll. */
  newPool(schema?: string, config?: PoolConfig): Pool;
  /** Creates another empty schema, dropped in afterAll. */
  newSchema(): Promise<string>;
  /** Ends a pool made by newPool now rather than in afterAll. */
  endPool(pool: Pool): Promise<void>;
}

/**
 * Registers beforeAll/afterAll hooks giving the enclosing describe block a
 * schema of its own and a pool on it; everything is dropped and ended after.
 */
export function useTestDatabase(): TestDatabase {
  const schema = schemaName();
  const schemas: string[] = [];
  const pools = new Set<Pool>();
  let admin: Pool | undefined;
  let main: Pool | undefined;

  const newPool = (on = schema, config: PoolConfig = {}) => {
    const pool = poolFor(on, config);
    pools.add(pool);
    return pool;
  };
  const newSchema = async () => {
    const name = schemaName();
    schemas.push(name);
    await admin!.query(`CREATE SCHEMA ${name}`);
    return name;
  };

  beforeAll(async () => {
    admin = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    schemas.push(schema);
    await admin.query(`CREATE SCHEMA ${schema}`);
    main = newPool();
  });

  afterAll(async () => {
    await Promise.all([...pools].map((pool) => pool.end()));
    pools.clear();
    if (admin) {
      for (const name of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      await admin.end();
    }
  });

  return {
    get pool() {
      if (!main) throw new Error('the test database is set up in beforeAll');
      return main;
    },
    schema,
    newPool,
    newSchema,
    endPool: async (pool) => {
      if (pools.delete(pool)) await pool.end();
    },
  };
}

/** The names of the tables in `schema`, sorted. */
export async function tablesOf(pool: Pool, schema: string): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
    [schema],
  );
  return rows.map((row) => row.table_name);
}

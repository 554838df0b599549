import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';

/** A PostgreSQL schema of the bench's own: the URL that works in it, and how to drop it. */
export interface BenchSchema {
  /** The database URL with `search_path` set to the schema. */
  url: string;
  /** Drops the schema and everything in it, and closes the connection that made it. */
  drop(): Promise<void>;
}

/** Creates a schema of a random name in the database `postgres` names, so runs never meet each other's data. */
export async function createBenchSchema(postgres: string): Promise<BenchSchema> {
  const schema = `ejwt_bench_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: postgres, max: 1 });
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } catch (err) {
    await admin.end();
    throw err;
  }
  const url = new URL(postgres);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await admin.end();
    },
  };
}

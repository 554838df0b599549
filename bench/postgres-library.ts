import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createBenchSchema } from './postgres-schema';
import { startServer, type BenchServer } from './spawn-server';

/** The library server on PostgreSQL and Redis, and how to stop it and remove what it stored. */
export interface PostgresLibrary {
  server: BenchServer;
  close(): Promise<void>;
}

/**
 * The bench library server (servers/library.js) on the PostgreSQL database
 * BENCH_POSTGRES_URL names, in a schema of its own, and the Redis of
 * BENCH_REDIS_URL, under a key prefix of its own: the scaled-out setup, whose
 * rows have their own open route. Both are removed by `close()`. Undefined
 * when either variable is not set.
 */
export async function startPostgresLibrary(dir: string, env: NodeJS.ProcessEnv): Promise<PostgresLibrary | undefined> {
  const postgres = env.BENCH_POSTGRES_URL;
  const redisUrl = env.BENCH_REDIS_URL;
  if (!postgres || !redisUrl) return undefined;
  const prefix = `ejwt-bench-${randomBytes(6).toString('hex')}`;
  const schema = await createBenchSchema(postgres);
  const removeAll = async () => {
    await schema.drop();
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      const keys: string[] = [];
      for (let cursor = '0'; ; ) {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        keys.push(...found);
        if ((cursor = next) === '0') break;
      }
      if (keys.length > 0) await redis.del(...keys);
    } catch {
      // Keys left behind expire or stay under a prefix nothing else uses.
    } finally {
      redis.disconnect();
    }
  };
  let server: BenchServer;
  try {
    server = await startServer('library-postgres', dir, { BENCH_DATABASE_URL: schema.url, BENCH_SERVER_REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix }, join(__dirname, 'servers', 'library.js'));
  } catch (err) {
    await removeAll();
    throw err;
  }
  return {
    server,
    close: async () => {
      await server.stop();
      await removeAll();
    },
  };
}

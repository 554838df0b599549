import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBenchSchema } from './postgres-schema';
import { measurePropagation, type PropagationRow } from './propagation';
import type { Settings } from './settings';

const EXAMPLE = join(__dirname, '..', 'examples', 'server');
const PASSWORD = 'bench-propagation-Pa55word';

export interface PropagationMeasurement {
  trials: number;
  rows: PropagationRow[];
}

/**
 * The propagation rows: two example-server processes (build/examples/server)
 * on the PostgreSQL database BENCH_POSTGRES_URL names (in a schema of their
 * own, dropped after) and the Redis of BENCH_REDIS_URL (under a key prefix of
 * their own). Undefined, and skipped, when either is not set.
 */
export async function runPropagation(settings: Settings, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<PropagationMeasurement | undefined> {
  const postgres = env.BENCH_POSTGRES_URL;
  const redis = env.BENCH_REDIS_URL;
  if (!postgres || !redis) {
    say('(skipped: set BENCH_POSTGRES_URL and BENCH_REDIS_URL to measure revocation propagation between two instances)');
    return undefined;
  }
  const trials = settings.quick ? 10 : 50;
  const schema = await createBenchSchema(postgres);
  const dir = mkdtempSync(join(tmpdir(), 'express-jwt-auth-propagation-'));
  const children: ChildProcess[] = [];
  try {
    const serverEnv: NodeJS.ProcessEnv = {
      PATH: env.PATH,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dir,
      DATABASE_URL: schema.url,
      REDIS_URL: redis,
      REDIS_KEY_PREFIX: `ejwt-bench-${randomBytes(6).toString('hex')}`,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      LOG_LEVEL: 'silent',
    };
    const run = (script: string, args: string[], stdin?: string) => {
      const child = spawn(process.execPath, [join(EXAMPLE, script), ...args], { env: serverEnv, stdio: ['pipe', 'pipe', 'ignore'] });
      children.push(child);
      child.stdin!.end(stdin);
      return child;
    };
    const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const listening = (child: ChildProcess) =>
      new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
          if (match) resolve(match[1]!);
        });
        child.once('close', (code) => reject(new Error(`example server exited (${code}) before listening:\n${out}`)));
      });
    const [a, b] = await Promise.all([listening(run('main.js', [])), listening(run('main.js', []))]);
    if ((await exited(run('users-cli.js', ['add', 'alice', '--password-stdin'], `${PASSWORD}\n`))) !== 0) throw new Error('users CLI add failed');
    const rows = await measurePropagation({
      a: a!,
      b: b!,
      username: 'alice',
      password: PASSWORD,
      trials,
      runCli: (args) => exited(run('users-cli.js', args)),
    });
    for (const row of rows) say(`${row.kind.padEnd(24)} p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms, max ${row.max.toFixed(2)} ms (${row.samples.length} trials)`);
    return { trials, rows };
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

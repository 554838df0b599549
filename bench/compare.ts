import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { measure, summarize, type Run, type Target } from './alternate';
import { load } from './load';
import { startServer, type BenchServer } from './spawn-server';

const SCENARIOS = ['open', 'valid', 'badSignature', 'expired', 'missing'] as const;

/**
 * `node build/bench/compare.js <checkout A> <checkout B> [--duration=3] [--rounds=5]`:
 * the before/after of a change on the hot path. Runs the bench library server
 * of two built checkouts (their `build/bench/servers/library.js`) side by side
 * and measures the request-rate scenarios on both, alternating A and B run by
 * run, and prints req/s and server CPU µs per request (medians) for each.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const trees = args.filter((a) => !a.startsWith('--')).map((a) => resolve(a));
  const option = (name: string, fallback: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const duration = option('duration', 3);
  const rounds = option('rounds', 5);
  if (trees.length !== 2) throw new Error('usage: node build/bench/compare.js <checkout A> <checkout B> [--duration=3] [--rounds=5]');

  const dir = mkdtempSync(join(tmpdir(), 'express-jwt-auth-compare-'));
  const servers: BenchServer[] = [];
  try {
    for (const [i, tree] of trees.entries()) {
      const name = `library-${'AB'[i]}`;
      servers.push(await startServer(name, dir, { BENCH_DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}` }, join(tree, 'build', 'bench', 'servers', 'library.js')));
    }
    const target = (server: BenchServer, scenario: (typeof SCENARIOS)[number]): Target => {
      const token = server.fixtures[scenario];
      return {
        label: scenario,
        spec: { url: `${server.url}${scenario === 'open' ? '/open' : '/users/me'}`, ...(token !== undefined && { headers: { authorization: `Bearer ${token}` } }), connections: 16 },
        expect: scenario === 'open' || scenario === 'valid' ? [200] : [401],
        server,
      };
    };
    const runs = new Map<string, Run[]>();
    for (const server of servers) for (const scenario of SCENARIOS) await load({ ...target(server, scenario).spec, connections: 16, duration: 1 });
    for (let round = 0; round < rounds; round++) {
      for (const scenario of SCENARIOS) {
        // A then B, then B then A: neither always runs second.
        for (const i of round % 2 === 0 ? [0, 1] : [1, 0]) {
          const t = target(servers[i], scenario);
          const run = await measure(t, { ...t.spec, connections: 16, duration });
          const key = `${'AB'[i]} ${scenario}`;
          runs.set(key, [...(runs.get(key) ?? []), run]);
        }
      }
      process.stdout.write(`round ${round + 1}/${rounds} done\n`);
    }
    process.stdout.write(`\nA = ${trees[0]}\nB = ${trees[1]}\n${duration} s × ${rounds} rounds, alternating; medians\n\n`);
    process.stdout.write('| Scenario | A req/s | B req/s | A CPU µs/req | B CPU µs/req | B − A |\n|---|--:|--:|--:|--:|--:|\n');
    for (const scenario of SCENARIOS) {
      const [a, b] = ['A', 'B'].map((k) => summarize(target(servers[0], scenario), runs.get(`${k} ${scenario}`) ?? []));
      const delta = b.cpuMicros - a.cpuMicros;
      process.stdout.write(
        `| ${scenario} | ${a.requestsPerSecond.toFixed(0)} | ${b.requestsPerSecond.toFixed(0)} | ${a.cpuMicros.toFixed(0)} | ${b.cpuMicros.toFixed(0)} | ${delta >= 0 ? '+' : '−'}${Math.abs(delta).toFixed(0)} µs |\n`,
      );
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`compare failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { load } from './load';
import { startServer } from './spawn-server';

/**
 * `node build/bench/profile.js [--seconds=6] [scenario …]`: where a request's
 * CPU goes. For each scenario (default all of SCENARIOS), a fresh bench
 * library server runs under `node --cpu-prof`, autocannon drives it (16
 * connections) for a warm-up second and then `seconds`, and the self time of
 * the samples of that run is summed by where the code lives and divided by
 * the requests it answered. The profiler itself costs time, so read the columns against each
 * other and against `open`, not as absolute costs.
 */
const SCENARIOS: Record<string, { path: string; fixture?: string }> = {
  open: { path: '/open' },
  valid: { path: '/users/me', fixture: 'valid' },
  validES256: { path: '/es256/users/me', fixture: 'validES256' },
  badSignature: { path: '/users/me', fixture: 'badSignature' },
  expired: { path: '/users/me', fixture: 'expired' },
  missing: { path: '/users/me' },
};

/** Where a profile node's code lives, by its script URL and function name. */
function bucketOf(url: string, name: string): string | undefined {
  if (name === '(idle)') return undefined;
  if (name === '(garbage collector)') return 'garbage collection';
  if (url.includes('/dist/')) return `library: ${/\/dist\/([^/]+)\//.exec(url)?.[1] ?? 'top level'}`;
  if (url.includes('/build/examples/')) return 'the example app (request line, hooks)';
  if (url.includes('/build/bench/')) return 'the bench server';
  if (/node_modules\/(pino|@pinojs|sonic-boom|fast-redact|quick-format-unescaped|on-exit-leak-free|thread-stream)\//.test(url)) return 'pino';
  if (url.includes('node_modules/better-sqlite3/')) return 'better-sqlite3';
  if (url.includes('node_modules/')) return 'Express and its modules (router, body parsing, etag, send)';
  if (url.startsWith('node:internal/crypto') || /^(Hmac|Hash|digest|update)$/.test(name)) return 'node:crypto';
  if (url.startsWith('node:')) return 'Node: HTTP, streams, events, timers';
  return 'native and other (writev, program, regexps)';
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

/** Self time by bucket per request, of the samples in the last `windowMicros` of the profile (the measured run). */
function summarize(file: string, requests: number, windowMicros: number): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const buckets = new Map<string, number>();
  const from = profile.endTime - windowMicros;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    // Start-up (module loading, the fixtures' logins) and the warm-up second are not the request's cost.
    if (at < from) return;
    const { url, functionName } = nodes.get(id)!.callFrame;
    const bucket = bucketOf(url, functionName);
    if (bucket !== undefined) buckets.set(bucket, (buckets.get(bucket) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...buckets.values()].reduce((sum, t) => sum + t, 0);
  const perRequest = new Map([...buckets].map(([bucket, t]) => [bucket, t / requests]));
  perRequest.set('everything the process did (busy)', total / requests);
  return perRequest;
}

async function profileScenario(name: string, seconds: number): Promise<Map<string, number>> {
  const scenario = SCENARIOS[name];
  if (scenario === undefined) throw new Error(`unknown scenario ${name} (known: ${Object.keys(SCENARIOS).join(', ')})`);
  const dir = mkdtempSync(join(tmpdir(), 'express-jwt-auth-profile-'));
  try {
    const server = await startServer('library', dir, { BENCH_DATABASE_URL: `sqlite:${join(dir, 'bench.db')}` }, undefined, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const token = scenario.fixture === undefined ? undefined : server.fixtures[scenario.fixture];
    const spec = { url: `${server.url}${scenario.path}`, ...(token !== undefined && { headers: { authorization: `Bearer ${token}` } }), connections: 16 };
    await load({ ...spec, duration: 1 });
    const started = performance.now();
    const run = await load({ ...spec, duration: seconds });
    await server.stop();
    // The measured run and the stop, which does next to nothing: the profile's last this many µs.
    const windowMicros = (performance.now() - started) * 1000;
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error('the server wrote no profile');
    return summarize(join(dir, file), Object.values(run.statuses).reduce((sum, n) => sum + n, 0), windowMicros);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const seconds = Number(args.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 6);
  const names = args.filter((a) => !a.startsWith('--'));
  const scenarios = names.length > 0 ? names : Object.keys(SCENARIOS);
  const results = new Map<string, Map<string, number>>();
  for (const name of scenarios) {
    process.stderr.write(`profiling ${name} (${seconds} s)\n`);
    results.set(name, await profileScenario(name, seconds));
  }
  const buckets = [...new Set([...results.values()].flatMap((m) => [...m.keys()]))].sort((a, b) =>
    a.startsWith('everything') ? -1 : b.startsWith('everything') ? 1 : (results.get(scenarios[0])!.get(b) ?? 0) - (results.get(scenarios[0])!.get(a) ?? 0),
  );
  const lines = [`| µs/request (self time) | ${scenarios.join(' | ')} |`, `|---|${scenarios.map(() => '--:').join('|')}|`];
  for (const bucket of buckets) lines.push(`| ${bucket} | ${scenarios.map((s) => (results.get(s)!.get(bucket) ?? 0).toFixed(1)).join(' | ')} |`);
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`profile failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

import type { Target } from './alternate';
import { load, type LoadResult } from './load';
import type { BenchServer } from './spawn-server';

export interface MemorySample {
  /** Seconds into the soak. */
  at: number;
  heapUsed: number;
  rss: number;
}

export interface SoakResult {
  seconds: number;
  /** Responses per status code, all kinds of traffic together. */
  statuses: Record<string, number>;
  /** Requests that got no HTTP answer (connection errors, timeouts). */
  failures: number;
  requests: number;
  /** Memory after a forced full collection: once warm, then every sixth of the soak. */
  samples: MemorySample[];
}

/**
 * Mixed traffic for `seconds`: valid tokens, the three kinds of rejection,
 * malformed headers, good and bad logins, all at once, while the server's
 * memory is sampled after forced full collections. The first sample is taken
 * after a sixth of the soak, once caches and JIT have warmed up.
 */
export async function soak(server: BenchServer, mix: readonly Target[], seconds: number): Promise<SoakResult> {
  const runs: Promise<LoadResult>[] = mix.map((target) => load({ connections: 1, ...target.spec, duration: seconds }));
  const samples: MemorySample[] = [];
  const start = Date.now();
  const step = (seconds * 1000) / 6;
  for (let k = 1; k < 6; k++) {
    await new Promise((resolve) => setTimeout(resolve, start + k * step - Date.now()));
    samples.push(sample(await server.memory(), start));
  }
  const results = await Promise.all(runs);
  samples.push(sample(await server.memory(), start));

  const statuses: Record<string, number> = {};
  let failures = 0;
  let requests = 0;
  for (const result of results) {
    failures += result.failures;
    for (const [code, count] of Object.entries(result.statuses)) {
      statuses[code] = (statuses[code] ?? 0) + count;
      requests += count;
    }
  }
  return { seconds, statuses, failures, requests, samples };
}

function sample(memory: NodeJS.MemoryUsage, start: number): MemorySample {
  return { at: (Date.now() - start) / 1000, heapUsed: memory.heapUsed, rss: memory.rss };
}

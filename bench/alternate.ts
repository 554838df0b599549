import { answeredAs, load, median, type LoadResult, type LoadSpec } from './load';
import type { Settings } from './settings';
import type { BenchServer } from './spawn-server';

/** Something to measure: a server, a path and the statuses it must answer with. */
export interface Target {
  /** Row label in the table. */
  label: string;
  spec: Omit<LoadSpec, 'duration' | 'connections'> & { connections?: number };
  /** Every response must have one of these statuses, or the row is marked wrong. */
  expect: number[];
  /** The server answering, whose CPU time per request is measured. */
  server: BenchServer;
}

/** One run, with the server's CPU time per response (µs, all its threads). */
export interface Run extends LoadResult {
  cpuMicros: number;
}

export interface Measured {
  target: Target;
  runs: Run[];
  /** Medians over the runs. */
  requestsPerSecond: number;
  /** Server CPU time per response, µs: steadier than req/s on a shared machine. */
  cpuMicros: number;
  p50: number;
  p99: number;
  /** Every run answered as expected, with no connection errors. */
  answered: boolean;
  statuses: Record<string, number>;
}

/**
 * Measures `targets` in alternation: each round runs every target once, the
 * order rotated each round, so that drift in the machine (another process,
 * thermal throttling) spreads over all of them instead of landing on one.
 * Each target first gets a one-second warm-up (JIT, connection set-up) that
 * is not counted.
 */
export async function alternate(targets: readonly Target[], settings: Settings, say: (line: string) => void): Promise<Measured[]> {
  const runs = targets.map((): Run[] => []);
  const spec = (target: Target, duration: number): LoadSpec => ({ connections: settings.connections, ...target.spec, duration });
  for (const target of targets) await load(spec(target, 1));
  for (let round = 0; round < settings.rounds; round++) {
    for (let k = 0; k < targets.length; k++) {
      const i = (k + round) % targets.length;
      const result = await measure(targets[i], spec(targets[i], settings.duration));
      runs[i].push(result);
      say(
        `  round ${round + 1}/${settings.rounds}  ${targets[i].label.padEnd(48)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s` +
          `  ${result.cpuMicros.toFixed(0).padStart(4)} µs CPU  p99 ${result.p99.toFixed(2)} ms`,
      );
    }
  }
  return targets.map((target, i) => summarize(target, runs[i]));
}

/** One load run on `target`, with the server's CPU time per response over it. */
export async function measure(target: Target, spec: LoadSpec): Promise<Run> {
  const before = await target.server.cpuMicros();
  const result = await load(spec);
  const used = (await target.server.cpuMicros()) - before;
  const responses = Object.values(result.statuses).reduce((sum, n) => sum + n, 0);
  return { ...result, cpuMicros: responses > 0 ? used / responses : Number.NaN };
}

export function summarize(target: Target, runs: Run[]): Measured {
  const statuses: Record<string, number> = {};
  for (const run of runs) for (const [code, count] of Object.entries(run.statuses)) statuses[code] = (statuses[code] ?? 0) + count;
  return {
    target,
    runs,
    requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
    cpuMicros: median(runs.map((r) => r.cpuMicros)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    answered: runs.every((r) => answeredAs(r, target.expect)),
    statuses,
  };
}

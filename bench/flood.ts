import { measure, summarize, type Measured, type Run, type Target } from './alternate';
import { load, median } from './load';
import { LOGIN_CONNECTIONS, loginTarget } from './logins';
import type { Settings } from './settings';
import type { BenchServer } from './spawn-server';

/**
 * Few connections: the probe measures how fast a request is answered, not
 * how long it queues behind 15 others at full saturation.
 */
export const PROBE_CONNECTIONS = 2;

export interface FloodMeasurement {
  idle: Measured;
  flooded: Measured;
  /** Logins per second the flood achieved meanwhile (median). */
  floodLogins: number;
}

/**
 * `/users/me` latency alone, then while a flood of logins (argon2id, each
 * costing tens of milliseconds of CPU) runs against the same server, in
 * alternation. If argon2 ran on the event loop, every probe would wait for a
 * hash and p99 would be a hash's duration.
 */
export async function measureFlood(probe: Target, server: BenchServer, settings: Settings, say: (line: string) => void): Promise<FloodMeasurement> {
  const login = loginTarget(server);
  const idleRuns: Run[] = [];
  const floodedRuns: Run[] = [];
  const floodRates: number[] = [];
  const probeSpec = { ...probe.spec, connections: PROBE_CONNECTIONS, duration: settings.duration };
  await load({ ...probeSpec, duration: 1 });
  for (let round = 0; round < settings.rounds; round++) {
    const idle = await measure(probe, probeSpec);
    idleRuns.push(idle);
    // The flood starts first and ends last, so the whole probe runs inside it.
    const flood = load({ ...login.spec, connections: LOGIN_CONNECTIONS, duration: settings.duration + 1 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const flooded = await measure(probe, probeSpec);
    floodedRuns.push(flooded);
    floodRates.push((await flood).requestsPerSecond);
    say(`  round ${round + 1}/${settings.rounds}  p99 idle ${idle.p99.toFixed(2)} ms, during logins ${flooded.p99.toFixed(2)} ms`);
  }
  return {
    idle: summarize({ ...probe, label: `${probe.label}, idle` }, idleRuns),
    flooded: summarize({ ...probe, label: `${probe.label}, during a login flood` }, floodedRuns),
    floodLogins: median(floodRates),
  };
}

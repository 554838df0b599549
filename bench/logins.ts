import { measureCapacity, type Capacity } from './argon2-capacity-run';
import { measure, summarize, type Measured, type Run, type Target } from './alternate';
import { load, median } from './load';
import type { Settings } from './settings';
import type { BenchServer } from './spawn-server';

/** Enough logins in flight to keep every hashing slot busy (`hashing.concurrency`: the cores), with a few waiting. */
export const LOGIN_CONNECTIONS = 8;

export function loginTarget(server: BenchServer): Target {
  return {
    label: 'POST /token, password grant (argon2id)',
    spec: {
      url: `${server.url}/token`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: server.fixtures.login,
      connections: LOGIN_CONNECTIONS,
    },
    expect: [200],
    server,
  };
}

export interface LoginMeasurement {
  logins: Measured;
  /** Median argon2 verifications per second the machine allows, outside any server. */
  capacity: number;
  capacities: Capacity[];
}

/**
 * Login throughput against what argon2 allows: each round measures raw
 * argon2id verifications per second (one per core, in a separate process,
 * with the server's parameters) and then logins per second through
 * `POST /token`, alternately.
 */
export async function measureLogins(server: BenchServer, settings: Settings, say: (line: string) => void): Promise<LoginMeasurement> {
  const target = loginTarget(server);
  const runs: Run[] = [];
  const capacities: Capacity[] = [];
  await load({ ...target.spec, connections: LOGIN_CONNECTIONS, duration: 1 });
  for (let round = 0; round < settings.rounds; round++) {
    const capacity = await measureCapacity(settings.duration, server.fixtures.argon2);
    capacities.push(capacity);
    const run = await measure(target, { ...target.spec, connections: LOGIN_CONNECTIONS, duration: settings.duration });
    runs.push(run);
    say(`  round ${round + 1}/${settings.rounds}  argon2 alone ${capacity.perSecond.toFixed(1)}/s, logins ${run.requestsPerSecond.toFixed(1)}/s`);
  }
  return { logins: summarize(target, runs), capacity: median(capacities.map((c) => c.perSecond)), capacities };
}

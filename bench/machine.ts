import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

/** The machine a run happened on, as RESULTS.md reports it. */
export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /** One-minute load average when the run started. */
  loadAverage: number;
}

export function describeMachine(): Machine {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage: loadavg()[0],
  };
}

/**
 * The share of all cores (0 to 1) busy over the next `ms` while the bench
 * itself runs nothing: other people's work that will compete with the servers.
 */
export async function otherLoad(ms = 1000): Promise<number> {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTimes();
  const total = after.total - before.total;
  return total > 0 ? 1 - (after.idle - before.idle) / total : 0;
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const { times } of cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

/** Quiet enough to quote: under 10% of the machine busy before and after the run. */
export const QUIET_LOAD = 0.1;

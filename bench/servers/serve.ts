import type { Express } from 'express';

/** What a bench server tells the runner once it listens. */
export interface ReadyMessage {
  type: 'ready';
  port: number;
  /** Tokens and request bodies the runner sends to this server, all valid for it unless named otherwise. */
  fixtures: Record<string, string>;
}

/** The runner asks for stats: memory after a full collection when `gc`, and CPU time so far. */
export interface StatsRequest {
  type: 'stats';
  gc: boolean;
}

export interface StatsMessage {
  type: 'stats';
  memory: NodeJS.MemoryUsage;
  cpu: NodeJS.CpuUsage;
}

/**
 * Runs a bench server as a child process of the runner: listens on a free
 * loopback port, reports the port over IPC, answers questions about its memory
 * and CPU time over IPC (so no extra route shows up in the app), and exits
 * with its parent.
 */
export function serve(app: Express, fixtures: Record<string, string>): void {
  if (!process.send) throw new Error('bench servers run as children of bench/run.js (they need an IPC channel)');
  const send = process.send.bind(process);
  const server = app.listen(0, '127.0.0.1', (err?: Error) => {
    if (err) throw err;
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    send({ type: 'ready', port, fixtures } satisfies ReadyMessage);
  });
  // Keep-alive connections from the load generator outlive a run; let them be.
  server.keepAliveTimeout = 60_000;
  process.on('message', (message: Partial<StatsRequest>) => {
    if (message.type !== 'stats') return;
    if (message.gc) {
      // --expose-gc: measure what survives a full collection, not garbage not yet collected.
      global.gc?.();
      global.gc?.();
    }
    send({ type: 'stats', memory: process.memoryUsage(), cpu: process.cpuUsage() } satisfies StatsMessage);
  });
  process.on('disconnect', () => process.exit(0));
}

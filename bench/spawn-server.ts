import { fork, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReadyMessage, StatsMessage, StatsRequest } from './servers/serve';

/** A bench server running in a child process of its own. */
export interface BenchServer {
  name: string;
  url: string;
  fixtures: Record<string, string>;
  /** The server's memory after a forced full collection. */
  memory(): Promise<NodeJS.MemoryUsage>;
  /** The CPU time the server has used so far, µs (user + system, all its threads). */
  cpuMicros(): Promise<number>;
  /** The last lines the server wrote to stderr (its log), for error reports. */
  logTail(): string;
  stop(): Promise<void>;
}

/**
 * Starts `servers/<name>.js` (or `script`) with `--expose-gc` (and `execArgv`) and waits until
 * it listens. Its stderr (the example's logs) goes to a file in `dir`, as a
 * server's log would: a pipe the runner had to drain would cost more.
 */
export async function startServer(
  name: string,
  dir: string,
  env: Record<string, string>,
  script = join(__dirname, 'servers', `${name}.js`),
  execArgv: readonly string[] = [],
): Promise<BenchServer> {
  const logFile = join(dir, `${name}.log`);
  const log = openSync(logFile, 'a');
  const child = fork(script, [], {
    execArgv: ['--expose-gc', ...execArgv],
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'ignore', log, 'ipc'],
  });
  closeSync(log);
  const logTail = () => readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');

  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bench server ${name} exited (${code}) before listening:\n${logTail()}`));
    child.once('exit', onExit);
    child.on('message', function onReady(message: { type?: string }) {
      if (message.type !== 'ready') return;
      child.off('message', onReady);
      child.off('exit', onExit);
      resolve(message as ReadyMessage);
    });
  });

  return {
    name,
    url: `http://127.0.0.1:${ready.port}`,
    fixtures: ready.fixtures,
    memory: async () => (await askStats(child, true)).memory,
    cpuMicros: async () => {
      const { cpu } = await askStats(child, false);
      return cpu.user + cpu.system;
    },
    logTail,
    stop: () => stopChild(child),
  };
}

function askStats(child: ChildProcess, gc: boolean): Promise<StatsMessage> {
  return new Promise((resolve) => {
    child.on('message', function onStats(message: { type?: string }) {
      if (message.type !== 'stats') return;
      child.off('message', onStats);
      resolve(message as StatsMessage);
    });
    child.send({ type: 'stats', gc } satisfies StatsRequest);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    // The server exits when its IPC channel closes; the signal is for a stuck one.
    child.disconnect();
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

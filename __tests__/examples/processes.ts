import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/** The repository root, where `npm run build` puts dist/. */
export const ROOT = path.resolve(__dirname, '../..');

export interface NodeProcess {
  child: ChildProcess;
  /** What it printed so far. */
  out: { stdout: string; stderr: string };
  /** Resolves with its exit code once it has closed. */
  exited: Promise<number | null>;
}

/**
 * Runs `node <script> ...args` from the repository root, collecting its
 * output and writing `stdin` (then closing it). Every process started is
 * remembered in `started`, for a SIGKILL in afterAll.
 */
export function runNode(script: string, args: string[], env: NodeJS.ProcessEnv, stdin: string | undefined, started: ChildProcess[]): NodeProcess {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env, stdio: 'pipe' });
  started.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out.stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out.stderr += chunk));
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(stdin);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, out, exited };
}

/** The base URL a server prints (`listening on http://127.0.0.1:<port>`), or an error with its output when it did not start. */
export async function listening({ out, exited }: NodeProcess, timeoutMs = 15_000): Promise<string> {
  let done = false;
  void exited.then(() => (done = true));
  for (let waited = 0; waited < timeoutMs && !done; waited += 50) {
    const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out.stdout);
    if (match) return match[1]!;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out.stdout);
  if (match) return match[1]!;
  throw new Error(`the server did not start\nstdout:\n${out.stdout}\nstderr:\n${out.stderr}`);
}

/** SIGKILLs every process in `started` that is still running. */
export function killAll(started: ChildProcess[]): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** What a raw client got before the server closed the connection, and after how long. */
export interface Cut {
  response: string;
  ms: number;
}

/**
 * Opens a connection, writes `head` at once, then one byte of `drip` every
 * `everyMs` for as long as the server keeps the connection open (a slow-loris
 * client), and resolves when the server closes it. Fails after `limitMs`.
 */
export function slowClient(port: number, head: string, drip: string, everyMs: number, limitMs: number): Promise<Cut> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let response = '';
    let timer: NodeJS.Timeout | undefined;
    const limit = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error(`still open after ${limitMs} ms; got: ${JSON.stringify(response)}`));
    }, limitMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (response += chunk));
    socket.on('error', () => undefined); // a reset after the 408 is the server hanging up too
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(limit);
      resolve({ response, ms: Date.now() - started });
    });
    socket.on('connect', () => {
      socket.write(head);
      let i = 0;
      timer = setInterval(() => {
        if (!socket.destroyed && !socket.writableEnded) socket.write(drip[i++ % drip.length]);
      }, everyMs);
    });
  });
}

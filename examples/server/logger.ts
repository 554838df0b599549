import pino, { type DestinationStream, type Logger } from 'pino';

/** The levels LOG_LEVEL may name, quietest last. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The example's pino logger: one JSON object per line, on stderr by default
 * (stdout carries only the `listening on` line), with the level as a word so
 * `jq 'select(.level == "warn")'` reads naturally.
 */
export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Belt and braces: no line below carries these, but a log call added later might.
      redact: {
        paths: ['password', 'token', 'access_token', 'refresh_token', 'passwordHash', 'authorization', '*.password', '*.passwordHash', '*.authorization'],
        censor: '[redacted]',
      },
    },
    destination ?? stderr(),
  );
}

let sharedStderr: DestinationStream | undefined;

/**
 * stderr, written asynchronously as pino advises for throughput: a line is
 * queued and written off the request's path instead of blocking the event
 * loop on a write(2) per request. What is still queued is written
 * synchronously when the process exits, so `process.exit` loses no line.
 * One stream per process, however many loggers share it.
 */
function stderr(): DestinationStream {
  if (sharedStderr) return sharedStderr;
  const destination = pino.destination({ dest: 2, sync: false });
  process.once('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // stderr already closed (a parent that went away): nothing left to write to.
    }
  });
  return (sharedStderr = destination);
}

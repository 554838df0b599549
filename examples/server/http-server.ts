import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import type { Logger } from 'pino';

/** How long a client may take to send a request (HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS). */
export interface HttpTimeouts {
  /** Milliseconds to receive the request line and headers. Default 10 000 (config.ts). */
  headersTimeoutMs: number;
  /** Milliseconds to receive the whole request, body included. Default 30 000 (config.ts). */
  requestTimeoutMs: number;
}

/**
 * The example's HTTP server for `app` (or for the app mounted later with
 * `server.on('request', app)`), with short limits on how long a client
 * may take to send its request. Node's defaults (60 s for the headers, 300 s
 * for the whole request, checked every 30 s) let a client that sends a byte
 * now and then (a slow-loris attack) hold a socket, and the memory behind it,
 * for minutes; our bodies are at most 16 kB. A request cut off gets Node's
 * `408 Request Timeout` and the connection is closed.
 *
 * With `logger`, a request Node itself refuses before the app sees it (a
 * malformed request line or header, headers too large, a request cut off
 * by the timeouts: slow-loris and smuggling attempts) gets a `warn` `bad
 * request` line too, with the status Node answers and its error code.
 *
 * @example
 * createHttpServer(app, { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 }, logger).listen(3000);
 */
export function createHttpServer(app: Express | undefined, { headersTimeoutMs, requestTimeoutMs }: HttpTimeouts, logger?: Logger): http.Server {
  const server = http.createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      // Node enforces both limits from a timer that runs every connectionsCheckingInterval
      // (default 30 s), so a limit is only as sharp as that interval: check a few times within it.
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
    },
  );
  // The app may come later (main.ts listens first, to know its port): mounted as the 'request' listener.
  if (app) server.on('request', app);
  if (logger) server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => refuseClient(err, socket, logger));
  return server;
}

/** Node's own answers to a request it could not read (lib/_http_server.js), which a clientError listener must send itself. */
function statusOf(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return 413;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

function refuseClient(err: NodeJS.ErrnoException, socket: Duplex, logger: Logger): void {
  // A client that hung up (ECONNRESET) sent no request to refuse; one whose request the app already has
  // (a body cut off midway: Node's response object is on the socket) gets the app's request line.
  const inApp = (socket as Duplex & { _httpMessage?: unknown })._httpMessage != null;
  if (err.code !== 'ECONNRESET') {
    const status = statusOf(err.code);
    if (!inApp) logger.warn({ status, code: err.code ?? null }, 'bad request');
    if (socket.writable && (socket as Duplex & { bytesWritten?: number }).bytesWritten === 0) {
      socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
    }
  }
  socket.destroy();
}

import http from 'node:http';
import type { Express } from 'express';

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
 * @example
 * createHttpServer(app, { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 }).listen(3000);
 */
export function createHttpServer(app: Express | undefined, { headersTimeoutMs, requestTimeoutMs }: HttpTimeouts): http.Server {
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
  return server;
}

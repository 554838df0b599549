import express from 'express';
import type { Server } from 'node:http';
import { createHttpServer } from '../../../examples/server/http-server';
import { slowClient } from '../processes';

describe('the example HTTP server (createHttpServer)', () => {
  let server: Server;
  let port: number;
  const app = express();
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.post('/echo', express.text({ type: '*/*' }), (req, res) => {
    res.json({ length: String(req.body).length });
  });

  async function start(timeouts: { headersTimeoutMs: number; requestTimeoutMs: number }) {
    server = createHttpServer(app, timeouts);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  }

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sets the timeouts it is given', async () => {
    await start({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 });
    expect(server.headersTimeout).toBe(10_000);
    expect(server.requestTimeout).toBe(30_000);
  });

  it('cuts off a client that sends its headers a byte at a time (slow loris) with 408 at the headers timeout', async () => {
    await start({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const cut = await slowClient(port, 'GET /health HTTP/1.1\r\nHost: x\r\n', 'X-Padding: aaaaaaaa\r\n', 20, 5_000);
    expect(cut.response).toMatch(/^HTTP\/1\.1 408 /);
    expect(cut.ms).toBeGreaterThanOrEqual(250);
    expect(cut.ms).toBeLessThan(2_000);
  });

  it('cuts off a client that sends its body a byte at a time with 408 at the request timeout', async () => {
    await start({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const head = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n';
    const cut = await slowClient(port, head, 'a', 20, 5_000);
    expect(cut.response).toMatch(/^HTTP\/1\.1 408 /);
    expect(cut.ms).toBeGreaterThanOrEqual(550);
    expect(cut.ms).toBeLessThan(2_500);
  });

  it('still answers a request that arrives in time', async () => {
    await start({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});

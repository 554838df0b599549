import express from 'express';
import type { Server } from 'node:http';
import net from 'node:net';
import { createHttpServer } from '../../../examples/server/http-server';
import { createLogger } from '../../../examples/server/logger';
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

  it('logs a request Node refuses before the app sees it, and still answers it as Node does', async () => {
    const written: Array<Record<string, unknown>> = [];
    const logger = createLogger('info', { write: (line: string) => void written.push(JSON.parse(line)) });
    server = createHttpServer(app, { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000 }, logger);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    const send = (raw: string) =>
      new Promise<string>((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        let answer = '';
        socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
        socket.on('close', () => resolve(answer));
        socket.on('error', () => undefined);
        socket.write(raw);
      });
    expect(await send('GET /health HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(await send(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(written).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'bad request', status: 400, code: expect.stringMatching(/^HPE_/) }),
      expect.objectContaining({ level: 'warn', msg: 'bad request', status: 431, code: 'HPE_HEADER_OVERFLOW' }),
    ]);
  });
});

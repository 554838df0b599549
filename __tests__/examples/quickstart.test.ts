import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { expectMethodNotAllowed, NOT_POST, requestWith } from '../helpers';

/**
 * The README's quick start (examples/quickstart.ts, which the README shows verbatim: see readme.test.ts),
 * built and run as a process the way a reader runs it, then used over HTTP as a client would.
 */
describe("the README's quick start", () => {
  const MAIN = path.resolve(__dirname, '../../build/examples/quickstart.js');
  let url: string;
  let stop: () => void = () => undefined;

  beforeAll(async () => {
    const port = await freePort();
    const proc = spawn(process.execPath, [MAIN], {
      env: { ...process.env, PORT: String(port), JWT_SECRET: 'quickstart-secret-of-at-least-32-bytes!' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    stop = () => proc.kill();
    await new Promise<void>((resolve, reject) => {
      proc.once('exit', (code) => reject(new Error(`the quick start exited with ${code}`)));
      proc.stdout.setEncoding('utf8').on('data', (chunk: string) => chunk.includes('listening on') && resolve());
    });
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(() => stop());

  it('logs alice in, returns her at /users/me, and lists users for an admin without hashes', async () => {
    const login = await request(url).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password: 'correct horse battery staple' });
    expect(login.status).toBe(200);
    expect(login.headers['cache-control']).toBe('no-store');
    const bearer = `Bearer ${login.body.access_token}`;
    const me = await request(url).get('/users/me').set('Authorization', bearer);
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('alice');
    const list = await request(url).get('/admin/users').set('Authorization', bearer);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([expect.objectContaining({ username: 'alice' })]);
    expect(JSON.stringify(list.body)).not.toContain('argon2');
  });

  it('logs out at /revoke with 200 and a JSON body a JSON-only client can parse (RFC 7009 §2.2)', async () => {
    const login = await request(url).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password: 'correct horse battery staple' });
    const revoked = await request(url).post('/revoke').type('form').send({ token: login.body.refresh_token });
    expect(revoked.status).toBe(200);
    expect(revoked.headers['content-type']).toMatch(/^application\/json/);
    expect(revoked.body).toEqual({});
    const refresh = await request(url).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: login.body.refresh_token });
    expect(refresh.body.error).toBe('invalid_grant');
  });

  it.each(NOT_POST)('answers %s /token and /revoke with 405 and Allow: POST, as the README says', async (method) => {
    expectMethodNotAllowed(await requestWith(url, method, '/token'), method);
    expectMethodNotAllowed(await requestWith(url, method, '/revoke'), method);
  });

  it('challenges a request without credentials', async () => {
    const res = await request(url).get('/users/me');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
  });
});

/** A port nothing listens on right now (the kernel's pick for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

import express from 'express';
import type { Auth } from 'express-jwt-auth';
import { BENCH_USER } from './bench-user';

/** The bench user's password login, as a form body. */
export const LOGIN = new URLSearchParams({ grant_type: 'password', ...BENCH_USER }).toString();

/** An access token for the bench user, from a real password login at `auth`'s token endpoint. */
export async function accessToken(auth: Auth): Promise<string> {
  const server = express().post('/token', auth.token()).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: LOGIN });
    const body = (await res.json()) as { access_token?: string };
    if (res.status !== 200 || !body.access_token) throw new Error(`bench login failed: ${res.status} ${JSON.stringify(body)}`);
    return body.access_token;
  } finally {
    server.close();
  }
}

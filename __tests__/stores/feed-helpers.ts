import request from 'supertest';
import type { Fixture } from '../helpers';

/** What the change-feed tests share: a protected request, a token's `jti`, and polling for a change to arrive. */
export const me = (f: Fixture, token: string) => request(f.app).get('/users/me').set('Authorization', `Bearer ${token}`);
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const jtiOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;

/** Polls `probe` every 5 ms until it is true or `limitMs` passed; resolves the milliseconds it took, or Infinity. */
export async function within(limitMs: number, probe: () => Promise<boolean> | boolean): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < limitMs) {
    if (await probe()) return performance.now() - start;
    await sleep(5);
  }
  return Infinity;
}

import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { createAuth, generateKey, MemoryUserStore, type AuthMiddleware } from 'express-jwt-auth';
import { median } from './load';
import { BENCH_USER } from './servers/bench-user';
import { accessToken } from './servers/login-token';

/** One case of the in-process measurement: what the library's middleware costs per request, without HTTP. */
export interface CostRow {
  label: string;
  /** µs of CPU per request, the median of the rounds. */
  micros: number;
  /** What the middleware did: `next` (admitted) or the status it answered. */
  outcome: string;
  /** A refusal, which issue 11 allows 10 µs of library CPU. */
  refusal: boolean;
}

const ITERATIONS = 100_000;
const ROUNDS = 5;

/**
 * The library's own CPU per request, in process: `auth.authenticate()` on a
 * minimal request and response (no HTTP, no Express, no logging, no app), so
 * what is left is the library's work: extracting, verifying (or finding the
 * token remembered), the claim and session checks, and for a refusal the
 * error, its challenge and the answer. Each case runs ITERATIONS requests per
 * round, the cases alternating, ROUNDS rounds; medians.
 */
export async function measureLibraryCost(): Promise<CostRow[]> {
  const users = new MemoryUserStore();
  const secret = randomBytes(32).toString('base64url');
  const options = { secret, issuer: 'bench', audience: 'bench-api', users };
  const auth = createAuth(options);
  await users.create({ username: BENCH_USER.username, email: 'bench@example.com', passwordHash: await auth.passwords.hash(BENCH_USER.password), scopes: ['admin'] });
  const es256 = createAuth({ ...options, secret: undefined, keys: { active: generateKey('ES256') } });
  const valid = await accessToken(auth);
  const validES256 = await accessToken(es256);
  const expired = await accessToken(createAuth({ ...options, now: () => Date.now() - 3600_000 }));
  const forged = await accessToken(createAuth({ ...options, secret: randomBytes(32).toString('base64url') }));
  // A flood of distinct forgeries: none was seen before, so each is verified.
  const forgeries = Array.from({ length: ITERATIONS }, () => `${forged.slice(0, forged.lastIndexOf('.'))}.${randomBytes(32).toString('base64url')}`);

  const cases: Array<{ label: string; guard: AuthMiddleware; authorization: (i: number) => string | undefined; refusal: boolean }> = [
    { label: 'valid HS256 token', guard: auth.authenticate(), authorization: () => `Bearer ${valid}`, refusal: false },
    { label: 'valid ES256 token', guard: es256.authenticate(), authorization: () => `Bearer ${validES256}`, refusal: false },
    { label: 'bad signature (the same token again)', guard: auth.authenticate(), authorization: () => `Bearer ${forged}`, refusal: true },
    { label: 'bad signature (a new forgery each time)', guard: auth.authenticate(), authorization: (i) => `Bearer ${forgeries[i]}`, refusal: true },
    { label: 'expired token', guard: auth.authenticate(), authorization: () => `Bearer ${expired}`, refusal: true },
    { label: 'no Authorization header', guard: auth.authenticate(), authorization: () => undefined, refusal: true },
    { label: 'malformed header (`Bearer a b`)', guard: auth.authenticate(), authorization: () => 'Bearer a b', refusal: true },
  ];
  const samples = cases.map((): number[] => []);
  const outcomes = cases.map(() => new Set<string>());
  for (let round = -1; round < ROUNDS; round++) {
    for (const [k, c] of cases.entries()) {
      // Round -1 warms up (JIT, the token caches) and is not counted.
      const micros = await run(c.guard, c.authorization, round < 0 ? ITERATIONS / 5 : ITERATIONS, outcomes[k]);
      if (round >= 0) samples[k].push(micros);
    }
  }
  return cases.map((c, k) => ({ label: c.label, micros: median(samples[k]), outcome: [...outcomes[k]].join('/'), refusal: c.refusal }));
}

/** µs of process CPU per call of `guard` over `n` calls. */
async function run(guard: AuthMiddleware, authorization: (i: number) => string | undefined, n: number, outcomes: Set<string>): Promise<number> {
  let status = 0;
  let admitted = 0;
  const res = {
    status(code: number) {
      status = code;
      return res;
    },
    set() {
      return res;
    },
    json() {
      return res;
    },
  } as unknown as Response;
  const next: NextFunction = (err?: unknown) => {
    if (err !== undefined) throw err;
    admitted++;
  };
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const value = authorization(i);
    const headers: Record<string, string> = value === undefined ? {} : { authorization: value };
    const req = { method: 'GET', url: '/users/me', headers, rawHeaders: value === undefined ? [] : ['Authorization', value] } as unknown as Request;
    status = 0;
    const done = guard(req, res, next);
    // The steady state answers synchronously; a promise here would be waited for, and counted.
    if (done instanceof Promise) await done;
    outcomes.add(status === 0 ? 'next' : String(status));
  }
  const used = process.cpuUsage(start);
  if (admitted === 0 && outcomes.has('next')) throw new Error('next was not called');
  return (used.user + used.system) / n;
}

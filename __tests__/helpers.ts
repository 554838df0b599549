import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import request, { type Response as TestResponse } from 'supertest';
import { createHmac } from 'node:crypto';
import { InvalidTokenError } from '../lib/core/errors';
import { issueAccessToken } from '../lib/grants/token-response';
import { createAuth, type Auth } from '../lib/create-auth';
import type { AuthOptions } from '../lib/config/auth-options';
import type { FailureEvent } from '../lib/config/hooks';
import { PasswordHasher } from '../lib/login/passwords';
import { MemoryUserStore } from '../lib/stores/memory/users';
import type { UserStore } from '../lib/stores/types';
import type { User } from '../lib/core/user';
import { resolvedAuthOf } from '../lib/config/handles';

export const SECRET = 'test-secret-that-is-at-least-32-bytes-long!';
export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'test-api';
export const PASSWORD = 'correct horse battery staple';

/** A clock the test moves by hand. */
export function testClock(start = Date.UTC(2026, 0, 1, 12, 0, 0)) {
  let ms = start;
  return {
    now: () => ms,
    seconds: () => Math.floor(ms / 1000),
    advance: (seconds: number) => {
      ms += seconds * 1000;
    },
  };
}

export const hasher = new PasswordHasher();
let aliceHash: Promise<string> | undefined;
/** The hash of PASSWORD with the default parameters, made once per test file. */
export function passwordHash(): Promise<string> {
  aliceHash ??= hasher.hash(PASSWORD);
  return aliceHash;
}

/**
 * A user store whose records come back without `tokenEpoch`: an older schema,
 * or a store of your own that forgot the field. Tokens issued from such a
 * record carry no `epoch` either, so only an explicit check of the record's
 * epoch keeps "sign out everywhere" from silently doing nothing.
 */
export class EpochlessUserStore extends MemoryUserStore {
  private static strip(user: User | null): User | null {
    if (user) delete (user as Partial<User>).tokenEpoch;
    return user;
  }
  override async findById(id: string) { return EpochlessUserStore.strip(await super.findById(id)); }
  override async findByUsername(name: string) { return EpochlessUserStore.strip(await super.findByUsername(name)); }
}

export interface Fixture {
  app: Express;
  auth: Auth;
  users: UserStore;
  alice: User;
  clock: ReturnType<typeof testClock>;
  failures: FailureEvent[];
  appErrors: unknown[];
  /** A valid token for alice with the given scopes (default: all of hers). */
  tokenFor(user?: User, scopes?: string[]): string;
}

/**
 * An app with the library mounted the way the README shows:
 * /token and /revoke with app.all (POST; any other method 405), GET|PATCH /users/me, PUT /users/me/password,
 * DELETE /users/me/sessions, POST /users, GET /admin (requireScopes admin),
 * GET /boom (authenticated, then the app's own code throws).
 * Alice is created in `users` unless it already holds her (pass another fixture's `users` for a second instance).
 */
export async function setup(overrides: Partial<AuthOptions> = {}, users: UserStore = new MemoryUserStore()): Promise<Fixture> {
  const clock = testClock();
  const failures: FailureEvent[] = [];
  const appErrors: unknown[] = [];
  // A store shared with another fixture (another instance of the same deployment) already has her.
  const alice =
    (await users.findByUsername('alice')) ??
    (await users.create({ username: 'alice', email: 'alice@example.com', passwordHash: await passwordHash(), scopes: ['read', 'admin'] }));
  const auth = createAuth({
    secret: SECRET,
    issuer: ISSUER,
    audience: AUDIENCE,
    users,
    now: clock.now,
    onFailure: (event) => failures.push(event),
    ...overrides,
  });
  const app = express();
  app.all('/token', auth.token());
  app.all('/revoke', auth.revoke());
  app.get('/users/me', auth.authenticate(), (req, res) => {
    res.json(req.user);
  });
  app.patch('/users/me', auth.updateMe());
  app.put('/users/me/password', auth.changePassword());
  app.delete('/users/me/sessions', auth.signOutEverywhere());
  app.post('/users', auth.register());
  app.get('/admin', auth.requireScopes('admin'), (req, res) => {
    res.json({ user: req.user?.username, scopes: req.auth?.scopes });
  });
  app.get('/boom', auth.authenticate(), () => {
    throw new Error('the app failed');
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    appErrors.push(err);
    res.status(500).json({ error: 'server_error' });
  });
  const tokenFor = (user: User = alice, scopes: string[] = user.scopes) => issueAccessToken(resolvedAuthOf(auth), user, scopes).token;
  return { app, auth, users, alice, clock, failures, appErrors, tokenFor };
}

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Valid claims for alice at `nowSeconds`, to be altered by a forgery. */
export function claims(sub: string, nowSeconds: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: ISSUER, aud: AUDIENCE, sub, iat: nowSeconds, exp: nowSeconds + 600, jti: 'jti-1', scope: 'read admin', epoch: 0, ...extra };
}

/** Signs any header and payload with HS256 and `secret`, the way an attacker holding (or guessing) a key would. */
export function signRaw(header: Record<string, unknown>, payload: unknown, secret: string = SECRET, alg: 'sha256' | 'sha512' = 'sha256'): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const mac = createHmac(alg, secret).update(input).digest('base64url');
  return `${input}.${mac}`;
}

/** A token for `payload` with our header (HS256, at+jwt) unless `header` overrides it. */
export function sign(payload: unknown, secret: string = SECRET, header: Record<string, unknown> = {}): string {
  return signRaw({ alg: 'HS256', typ: 'at+jwt', ...header }, payload, secret);
}

/** Removes a claim from valid claims. */
export function without(values: Record<string, unknown>, name: string): Record<string, unknown> {
  const copy = { ...values };
  delete copy[name];
  return copy;
}

export { b64 };

/** The machine-readable reason of the InvalidTokenError that `verify` throws; fails the test if it does not throw one. */
export function refusalReason(verify: () => unknown): string {
  try {
    verify();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidTokenError);
    return (err as InvalidTokenError).reason;
  }
  throw new Error('expected a rejection');
}

/** A 429 as the token endpoint sends it: Retry-After, no-store, and the RFC 6749 §5.2-style body. */
export function expectTooMany(res: TestResponse, retryAfter: number): void {
  expect(res.status).toBe(429);
  expect(res.headers['retry-after']).toBe(String(retryAfter));
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.body).toEqual({ error: 'too_many_requests', error_description: 'Too many requests; try again later' });
}

/** An error of the token, revocation or account endpoints: its status, `error` code and no-store. */
export function expectOAuthError(res: TestResponse, status: number, error: string): void {
  expect(res.status).toBe(status);
  expect(res.body.error).toBe(error);
  expect(res.headers['cache-control']).toBe('no-store');
}

/** The methods other than POST a client may try at the token or revocation endpoint. */
export const NOT_POST = ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/**
 * A request to `path` with `method` and no body, as supertest sends it.
 * Every method supertest knows is a function of that name, lower case.
 */
export function requestWith(app: Express | string, method: (typeof NOT_POST)[number], path: string) {
  return (request(app) as unknown as Record<string, (path: string) => ReturnType<ReturnType<typeof request>['get']>>)[method.toLowerCase()](path);
}

/**
 * What the token and revocation endpoints answer a method other than POST
 * (RFC 6749 §3.2, RFC 7009 §2.1; RFC 9110 §15.5.6): 405 with `Allow: POST`,
 * no-store, and `invalid_request` in the body (none for HEAD, which has no body).
 */
export function expectMethodNotAllowed(res: TestResponse, method: string): void {
  expect(res.status).toBe(405);
  expect(res.headers.allow).toBe('POST');
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers.pragma).toBe('no-cache');
  if (method === 'HEAD') expect(res.text ?? '').toBe('');
  else expect(res.body).toEqual({ error: 'invalid_request', error_description: 'Use POST' });
}

/** A bearer refusal as RFC 6750 §3 has it: status, the challenge's error code, and the same code in the body. */
export function expectBearerError(res: TestResponse, status: number, error: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['www-authenticate']).toMatch(new RegExp(`^Bearer realm="api", error="${error}"`));
  expect(res.body.error).toBe(error);
}

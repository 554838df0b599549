import type { Request } from 'express';
import type { AuthError, FailureReason } from '../core/errors';
import type { PublicUser } from '../core/user';

/** What the `onFailure` hook receives. */
export interface FailureEvent {
  /** The error the client was sent (status, RFC code, headers). */
  error: AuthError;
  /** Why, machine-readable and stable (`token.expired`, `login.wrong_password`, `refresh.reused`, …): the same as `error.reason`. */
  reason: FailureReason;
  /** Why, in words (never sent to the client, never a token or password). */
  detail: string;
  request: Request;
}

/** What the `onLogin` hook receives. */
export interface LoginEvent {
  user: PublicUser;
  scopes: string[];
  request: Request;
}

/** The audit hooks of one createAuth or createVerifier. */
export interface Hooks {
  readonly onFailure: ((event: FailureEvent) => void) | undefined;
  readonly onLogin: ((event: LoginEvent) => void) | undefined;
  readonly onError: (error: unknown, context: string) => void;
}

/**
 * Calls an audit hook. A hook that throws must neither crash the process
 * (inside a Passport strategy its exception would be an unhandled rejection)
 * nor change the answer a client gets, so its error goes to `onError`; so
 * does the rejection of an `async` hook (one that writes to a database, say),
 * which would otherwise be an unhandled rejection that ends the process.
 */
function callHook(hooks: Hooks, name: string, call: () => unknown): void {
  // The resolved onError never throws or rejects (see bearer-options.ts).
  settle(call, (err) => hooks.onError(err, `${name} hook threw`));
}

/**
 * Calls `call`, an app's function that may throw or be `async`, and hands
 * what it throws, or what its promise rejects with, to `report`: never to the
 * caller, and never as an unhandled rejection.
 */
export function settle(call: () => unknown, report: (err: unknown) => void): void {
  try {
    const returned = call();
    if ((typeof returned === 'object' || typeof returned === 'function') && returned !== null && typeof (returned as { then?: unknown }).then === 'function') {
      Promise.resolve(returned).then(undefined, report);
    }
  } catch (err) {
    report(err);
  }
}

/** Tells the app's `onFailure` hook, if any, why a request was refused. */
export function reportFailure(hooks: Hooks, error: AuthError, request: Request): void {
  const onFailure = hooks.onFailure;
  if (onFailure) callHook(hooks, 'onFailure', () => onFailure({ error, reason: error.reason, detail: error.detail, request }));
}

/** Tells the app's `onLogin` hook, if any, of a successful login. */
export function reportLogin(hooks: Hooks, event: LoginEvent): void {
  const onLogin = hooks.onLogin;
  if (onLogin) callHook(hooks, 'onLogin', () => onLogin(event));
}

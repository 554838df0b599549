import type { Request } from 'express';
import type { AuthError } from '../core/errors';
import type { LoginEvent, ResolvedOptions } from './auth-options';

/** The detailed reason of a failure, for logs: the cause's message, else the description. */
export function failureReason(error: AuthError): string {
  const cause = error.cause;
  return cause instanceof Error ? cause.message : error.message;
}

type Hooks = Partial<Pick<ResolvedOptions, 'onFailure' | 'onLogin' | 'onError'>>;

/**
 * Calls an audit hook. A hook that throws must neither crash the process
 * (inside a Passport strategy its exception would be an unhandled rejection)
 * nor change the answer a client gets, so its error goes to `onError`.
 */
function callHook(auth: Hooks, name: string, call: () => void): void {
  try {
    call();
  } catch (err) {
    try {
      auth.onError?.(err, `${name} hook threw`);
    } catch {
      // onError itself failed: nothing left to tell.
    }
  }
}

/** Tells the app's `onFailure` hook, if any, why a request was refused. */
export function reportFailure(auth: Hooks, error: AuthError, request: Request): void {
  if (auth.onFailure) callHook(auth, 'onFailure', () => auth.onFailure!({ error, reason: failureReason(error), request }));
}

/** Tells the app's `onLogin` hook, if any, of a successful login. */
export function reportLogin(auth: Hooks, event: LoginEvent): void {
  if (auth.onLogin) callHook(auth, 'onLogin', () => auth.onLogin!(event));
}

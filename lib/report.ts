import type { Request } from 'express';
import type { AuthError } from './errors';
import type { ResolvedOptions } from './options';

/** The detailed reason of a failure, for logs: the cause's message, else the description. */
export function failureReason(error: AuthError): string {
  const cause = error.cause;
  return cause instanceof Error ? cause.message : error.message;
}

/** Tells the app's `onFailure` hook, if any, why a request was refused. */
export function reportFailure(auth: Pick<ResolvedOptions, 'onFailure'>, error: AuthError, request: Request): void {
  auth.onFailure?.({ error, reason: failureReason(error), request });
}

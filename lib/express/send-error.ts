import type { Response } from 'express';
import type { AuthError } from '../core/errors';

/** RFC 6749 §5.1/§5.2: token endpoint responses must not be cached. */
export const NO_STORE = Object.freeze({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });

/** Writes an AuthError as the client sees it: status, its headers, `{ error, error_description }`. */
export function sendError(res: Response, error: AuthError, extraHeaders?: Record<string, string>): void {
  res.status(error.status).set(extraHeaders).set(error.headers).json(error.toJSON());
}

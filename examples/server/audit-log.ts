import type { Logger } from 'pino';
import type { AuthOptions, FailureEvent } from 'express-jwt-auth';
import { loggedPath, noteOnRequestLine } from './request-log';

/** The fields of an `auth failure` line: the reason code and its detail, never the token or password. */
export function failureLogLine({ error, reason, detail, request }: FailureEvent): Record<string, unknown> {
  return {
    level: 'warn',
    msg: 'auth failure',
    status: error.status,
    error: error.code ?? null,
    reason,
    detail,
    method: request.method,
    path: loggedPath(request.path),
    ip: request.ip,
  };
}

/**
 * The createAuth hooks that write the audit log: a refused request's line is
 * a `warn` `auth failure` line with its reason, a password login's an `info`
 * `login` line. Each is the request's one line (see requestLog) when the app
 * logs requests, or a line of its own when it does not. Neither event holds
 * a password, a token or a hash (the login's user is the public user).
 *
 * @example
 * createAuth({ secret, issuer, audience, users, ...auditLog(logger) });
 */
export function auditLog(logger: Logger): Required<Pick<AuthOptions, 'onFailure' | 'onLogin'>> {
  return {
    onFailure(event) {
      const { level: _level, msg, ...fields } = failureLogLine(event);
      // On the request line, its own method, path and status stand (the path as the client sent it, mounts included).
      const { status: _status, method: _method, path: _path, ...reason } = fields;
      if (!noteOnRequestLine(event.request, 'warn', String(msg), reason)) logger.warn(fields, String(msg));
    },
    onLogin({ user, scopes, request }) {
      const fields = { userId: user.id, username: user.username, scopes, ip: request.ip };
      if (!noteOnRequestLine(request, 'info', 'login', fields)) logger.info(fields, 'login');
    },
  };
}

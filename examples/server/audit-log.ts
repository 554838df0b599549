import type { Logger } from 'pino';
import type { AuthOptions, FailureEvent } from 'express-jwt-auth';

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
    path: request.path,
    ip: request.ip,
  };
}

/**
 * The createAuth hooks that write the audit log: a `warn` line per refused
 * request with its reason, an `info` line per login. Neither event holds a
 * password, a token or a hash (the login's user is the public user).
 *
 * @example
 * createAuth({ secret, issuer, audience, users, ...auditLog(logger) });
 */
export function auditLog(logger: Logger): Required<Pick<AuthOptions, 'onFailure' | 'onLogin'>> {
  return {
    onFailure(event) {
      const { level: _level, msg, ...fields } = failureLogLine(event);
      logger.warn(fields, String(msg));
    },
    onLogin({ user, scopes, request }) {
      logger.info({ userId: user.id, username: user.username, scopes, ip: request.ip }, 'login');
    },
  };
}

import express, { type NextFunction, type Request, type Response } from 'express';
import type { Auth } from '../../lib/middleware/create-auth';
import type { FailureEvent } from '../../lib/options';
import type { UserStore } from '../../lib/stores/types';
import { publicUser } from '../../lib/user';

export interface AppOptions {
  auth: Auth;
  users: UserStore;
  /** Where log lines go. Default: stderr. */
  log?: (line: Record<string, unknown>) => void;
}

/** One JSON log line per refused request: the reason, never the token or password. */
export function failureLogLine({ error, reason, request }: FailureEvent): Record<string, unknown> {
  return {
    level: 'warn',
    msg: 'auth failure',
    status: error.status,
    error: error.code ?? null,
    reason,
    method: request.method,
    path: request.path,
    ip: request.ip,
  };
}

/**
 * The example API: the FastAPI security tutorial's routes on express-jwt-auth.
 * (The auth object's onFailure hook is where failures get logged; see main.ts.)
 */
export function createApp({ auth, users, log = (line) => process.stderr.write(JSON.stringify(line) + '\n') }: AppOptions) {
  const app = express();
  app.disable('x-powered-by');

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.post('/token', auth.token());

  app.get('/users/me', auth.authenticate(), (req, res) => {
    res.json(req.user);
  });

  app.get('/admin/users', auth.requireScopes('admin'), async (_req, res) => {
    res.json((await users.list()).map(publicUser));
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });

  // Our own faults and store failures: a 500 with no detail for the client, the error in the log.
  app.use((err: Error, req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: 'invalid_request' });
      return;
    }
    log({ level: 'error', msg: 'request failed', method: req.method, path: req.path, err: err.message });
    if (!res.headersSent) res.status(500).json({ error: 'server_error' });
  });

  return app;
}

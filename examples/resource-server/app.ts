import express, { type NextFunction, type Request, type Response } from 'express';
import type { Verifier } from 'express-jwt-auth';

export interface ResourceAppOptions {
  verifier: Verifier;
  /** Where server errors are logged. Default: one JSON line on stderr. */
  log?: (line: Record<string, unknown>) => void;
}

/**
 * A second service that trusts the example server's tokens: it holds no key
 * and no user store, and checks each token with the issuer's published keys.
 */
export function createResourceApp({ verifier, log = (line) => process.stderr.write(JSON.stringify(line) + '\n') }: ResourceAppOptions) {
  const app = express();
  app.disable('x-powered-by');

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/hello', verifier.authenticate(), (req, res) => {
    res.json({ sub: req.auth!.claims.sub, scopes: req.auth!.scopes });
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });

  // Our own faults, and an issuer we cannot reach (JwksUnavailableError): a 500, not the client's fault.
  app.use((err: Error, req: Request, res: Response, _next: NextFunction) => {
    log({ level: 'error', msg: 'request failed', method: req.method, path: req.path, err: err.message });
    if (!res.headersSent) res.status(500).json({ error: 'server_error' });
  });

  return app;
}

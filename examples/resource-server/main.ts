import { createVerifier } from 'express-jwt-auth';
import { createResourceApp } from './app';
import { ConfigError, loadResourceConfig } from './config';

/**
 * `npm run resource-server`: a service that accepts the example server's
 * access tokens, verified with the keys the issuer publishes at
 * ISSUER_JWKS_URL. Start the example server with JWT_ALGORITHM=ES256 (or
 * another asymmetric algorithm) first.
 */
function main(): void {
  const config = loadResourceConfig();
  // DPOP (default allowed): the issuer's DPoP-bound tokens too, each with its proof. One process, so the
  // default in-memory replay cache; several instances would share a RedisDpopReplayStore.
  const verifier = createVerifier({ jwksUri: config.jwksUrl, issuer: config.issuer, audience: config.audience, dpop: config.dpop });
  const app = createResourceApp({ verifier });
  const server = app.listen(config.port, config.host, (err?: Error) => {
    if (err) {
      process.stderr.write(`cannot listen on ${config.host}:${config.port}: ${err.message}\n`);
      process.exit(1);
    }
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    process.stdout.write(`listening on http://${host}:${port}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

try {
  main();
} catch (err) {
  if (err instanceof ConfigError || err instanceof TypeError) {
    process.stderr.write(`cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  throw err;
}

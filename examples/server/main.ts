import { createAuth, type HmacAlgorithm } from 'express-jwt-auth';
import { createApp } from './app';
import { exampleAuthOptions } from './auth-options';
import { ConfigError, loadConfig, loadKeysConfig } from './config';
import { createHttpServer } from './http-server';
import { createLogger } from './logger';
import { resolveSecret } from './secret';
import { reloadSigningKeys, resolveSigningKeys } from './signing-keys';
import { DatabaseUnavailableError, errorMessage, openStores } from './store';
import { connectRedis } from './redis';

/** How often the signing keys are read again (besides on SIGHUP). */
const KEYS_RELOAD_INTERVAL_MS = 60_000;

/** `npm start`: the example server on SQLite, or PostgreSQL when DATABASE_URL is postgres://… */
async function main(): Promise<void> {
  const config = loadConfig();
  const say = (line: string) => process.stderr.write(line + '\n');
  // The secret (or keys) first: a refused start must not leave a new database behind.
  const keysConfig = loadKeysConfig();
  const keys = resolveSigningKeys(config, keysConfig, say);
  // JWT_ALGORITHM=RS256/PS256/ES256/EdDSA signs with the keys; HS256 (the default) with the secret.
  const signing = keys ? { keys } : { secret: resolveSecret(config, say), algorithm: keysConfig.algorithm as HmacAlgorithm };
  // On PostgreSQL this connects and migrates: an unreachable database fails the start.
  const stores = await openStores(config.databaseUrl);
  const { users } = stores;
  const logger = createLogger(config.logLevel);
  const redis = config.redisUrl ? connectRedis(config.redisUrl, logger) : undefined;
  // Listen first, then mount the app: without PUBLIC_URL the API's identifier (RFC 9728) is the
  // address it listens on, whose port is only known now when PORT=0. Short request timeouts, so slow
  // clients cannot hold sockets (see http-server.ts).
  const server = createHttpServer(undefined, config, logger);
  await new Promise<void>((resolve) => {
    server.once('error', (err: Error) => {
      say(`cannot listen on ${config.host}:${config.port}: ${err.message}`);
      process.exit(1);
    });
    server.listen(config.port, config.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const listeningUrl = `http://${host}:${port}`;
  // Plain http is an identifier only on this machine; elsewhere (HOST=0.0.0.0 in a container) PUBLIC_URL says it.
  const loopback = /^(localhost|127(\.\d{1,3}){3}|::1)$/.test(config.host);
  const publicConfig = { ...config, publicUrl: config.publicUrl ?? (loopback ? listeningUrl : undefined) };
  const auth = createAuth(exampleAuthOptions(publicConfig, signing, stores, logger, redis));
  const app = createApp({
    auth,
    users,
    logger,
    allowRegistration: config.allowRegistration,
    trustProxy: config.trustProxy,
    corsOrigins: config.corsOrigins,
    notice: (line) => say(`discovery: ${line}`),
  });
  server.on('request', app);
  process.stdout.write(`listening on ${listeningUrl}\n`);
  if (keys) {
    // keys.json is read again on SIGHUP and every minute: a key staged by `keys stage` is published, one
    // promoted by `keys rotate` signs, and expired ones are deleted, with no restart.
    let lastProblem: string | undefined;
    const reload = () => {
      try {
        for (const line of reloadSigningKeys(keys, keysConfig)) logger.info(line);
        lastProblem = undefined;
      } catch (err) {
        // The keys in use stay as they are; said once per distinct problem, not every minute.
        const problem = errorMessage(err);
        if (problem !== lastProblem) logger.error({ err: problem }, 'keys not reloaded');
        lastProblem = problem;
      }
    };
    process.on('SIGHUP', reload);
    setInterval(reload, KEYS_RELOAD_INTERVAL_MS).unref();
  }
  const stop = () =>
    server.close(() => {
      redis?.disconnect();
      void stores.close().finally(() => process.exit(0));
    });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  // Configuration mistakes, unusable paths (ENOTDIR, EACCES, SQLITE_CANTOPEN…) and an unreachable
  // database get one clear line, not a stack trace.
  if (
    err instanceof ConfigError ||
    err instanceof TypeError ||
    err instanceof DatabaseUnavailableError ||
    typeof (err as { code?: unknown } | null)?.code === 'string'
  ) {
    process.stderr.write(`cannot start: ${errorMessage(err)}\n`);
    process.exit(1);
  }
  // Anything else is a bug: an unhandled rejection, with its stack trace.
  throw err;
});

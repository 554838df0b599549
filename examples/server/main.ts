import { createAuth } from '../../lib/middleware/create-auth';
import { createApp, failureLogLine } from './app';
import { ConfigError, loadConfig } from './config';
import { resolveSecret } from './secret';
import { openUserStore } from './store';

/** `npm start`: the example server on SQLite. */
function main(): void {
  const config = loadConfig();
  const say = (line: string) => process.stderr.write(line + '\n');
  const users = openUserStore(config.databaseUrl);
  const log = (line: Record<string, unknown>) => process.stderr.write(JSON.stringify(line) + '\n');
  const auth = createAuth({
    secret: resolveSecret(config, say),
    issuer: config.issuer,
    audience: config.audience,
    accessTokenTtl: config.accessTokenTtl,
    users,
    onFailure: (event) => log(failureLogLine(event)),
  });
  const app = createApp({ auth, users, log });
  // Express 5 calls this back with the error when listening fails (port taken, say).
  const server = app.listen(config.port, config.host, (err?: Error) => {
    if (err) {
      say(`cannot listen on ${config.host}:${config.port}: ${err.message}`);
      process.exit(1);
    }
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    process.stdout.write(`listening on http://${host}:${port}\n`);
  });
  const stop = () => server.close(() => void users.close?.().finally(() => process.exit(0)));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

try {
  main();
} catch (err) {
  // Configuration mistakes get one clear line, not a stack trace.
  if (err instanceof ConfigError || err instanceof TypeError) {
    process.stderr.write(`cannot start: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

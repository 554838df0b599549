import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { publicUser, type Auth, type OpenApiPathItem, type UserStore } from 'express-jwt-auth';
import type { OpenAPIV3_1 } from 'openapi-types';
import { serveDocs } from './docs';
import type { TrustProxy } from './config';
import { createLogger } from './logger';
import { loggedPath, noteOnRequestLine, requestLog } from './request-log';
import { serveSignInPage } from './sign-in-page';

export { failureLogLine } from './audit-log';

/** The scopes of the example API, for `createAuth({ scopes })`: requireScopes of any other is a start-up error. */
export const SCOPES: Readonly<Record<string, string>> = Object.freeze({ admin: 'List every account' });

export interface AppOptions {
  auth: Auth;
  users: UserStore;
  /** Where log lines go: one per request, and one per server error. Default: a pino logger on stderr at info. */
  logger?: Logger;
  /** Mount `POST /users` (self-registration). Default false. */
  allowRegistration?: boolean;
  /** Express's `trust proxy` (TRUST_PROXY): which X-Forwarded-For hops to believe for `req.ip`. Default false. */
  trustProxy?: TrustProxy;
  /** Exact origins of single-page apps elsewhere (CORS_ORIGINS) that may call the API with credentials. Default none. */
  corsOrigins?: readonly string[];
  /** Told, once, why a discovery document is not served (an issuer that is not a URL, no PUBLIC_URL). Default: nothing is said. */
  notice?: (line: string) => void;
}

const userList: OpenAPIV3_1.ResponseObject = {
  description: 'Every account, without password hashes.',
  content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/User' } } } },
};

/**
 * For answers that carry account data: no browser or shared cache may keep
 * them (RFC 9111 §5.2.2.5; OWASP ASVS 8.2.1). The library's own account
 * answers (PATCH /users/me, POST /users) set it themselves.
 */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.set('Cache-Control', 'no-store');
  next();
}

/**
 * The example API: the FastAPI security tutorial's routes on express-jwt-auth,
 * with a sign-in page at /, its OpenAPI document at /openapi.json, Swagger UI
 * at /docs and discovery metadata under /.well-known/.
 * (The auth object's hooks are where failures and logins get logged; see main.ts.)
 */
export function createApp({
  auth,
  users,
  logger = createLogger(),
  allowRegistration = false,
  trustProxy = false,
  corsOrigins = [],
  notice = () => undefined,
}: AppOptions) {
  const app = express();
  app.disable('x-powered-by');
  // req.ip keys the login rate limits and goes into the audit log: without a proxy it must be the peer's
  // address (false); behind proxies, only the hops we run may speak for the client (see the README).
  app.set('trust proxy', trustProxy);
  app.use(requestLog(logger));
  if (corsOrigins.length > 0) {
    // An SPA on another origin of the same site (CORS_ORIGINS): exact origins, with credentials so its
    // refresh-token cookie travels, never "*". The library checks the same origins again (cookies.allowedOrigins).
    app.use(
      cors({
        origin: [...corsOrigins],
        credentials: true,
        methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
        // DPoP (on by default here): the SPA sends proofs in `DPoP` and must read `DPoP-Nonce` (RFC 9449 §8).
        allowedHeaders: ['Authorization', 'Content-Type', 'X-Requested-With', 'DPoP'],
        exposedHeaders: ['Retry-After', 'WWW-Authenticate', 'DPoP-Nonce'],
        maxAge: 600,
      }),
    );
  }

  // The sign-in page (cookie mode): plain HTML and one script, under a strict Content-Security-Policy.
  serveSignInPage(app);

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // RFC 7517: the public keys, for services that verify our tokens (empty with an HMAC secret).
  const jwks = auth.jwks();
  app.get('/.well-known/jwks.json', jwks);

  // Each guard is made once and used twice: by its route, and by the route's OpenAPI operation.
  const token = auth.token();
  const revoke = auth.revoke();
  const signedIn = auth.authenticate();
  const updateMe = auth.updateMe();
  const changePassword = auth.changePassword();
  const signOutEverywhere = auth.signOutEverywhere();
  // Made only where mounted: registration needs a store that finds look-alike names (UserStore.findLookalike).
  const register = allowRegistration ? auth.register() : undefined;
  const admin = auth.requireScopes('admin');

  // app.all, not app.post: the handlers answer any other method with 405 and Allow: POST
  // (RFC 6749 §3.2, RFC 7009 §2.1) rather than leaving it to the 404 below.
  app.all('/token', token);
  // Logout: revoke the refresh token (its whole family) and, if wanted, the access token.
  app.all('/revoke', revoke);

  app.get('/users/me', signedIn, noStore, (req, res) => {
    res.json(req.user);
  });
  app.patch('/users/me', updateMe);
  app.put('/users/me/password', changePassword);
  app.delete('/users/me/sessions', signOutEverywhere);
  if (register) app.post('/users', register);

  app.get('/admin/users', admin, noStore, async (_req, res) => {
    res.json((await users.list()).map(publicUser));
  });

  const { operation } = auth.openapi;
  const registration: Record<string, OpenApiPathItem> = register ? { '/users': { post: operation(register, { tags: ['account'] }) } } : {};
  const document = auth.openapi.document({
      info: {
        title: 'express-jwt-auth example',
        version: '1.0.0',
        description: 'Log in with **Authorize** (a user made with `npm run users -- add`), then try the routes.',
      },
      tags: [{ name: 'auth', description: 'OAuth 2.0 token endpoint and logout' }, { name: 'account' }, { name: 'admin' }],
      paths: {
        '/health': { get: { summary: 'Liveness', responses: { '200': { description: '`{ "status": "ok" }`' } } } },
        '/.well-known/jwks.json': { get: operation(jwks, { tags: ['auth'] }) },
        '/token': { post: operation(token, { tags: ['auth'] }) },
        '/revoke': { post: operation(revoke, { tags: ['auth'] }) },
        '/users/me': {
          get: operation(signedIn, {
            tags: ['account'],
            summary: 'Who am I',
            responses: { '200': { description: 'The caller’s account.', content: { 'application/json': { schema: { $ref: '#/components/schemas/User' } } } } },
          }),
          patch: operation(updateMe, { tags: ['account'] }),
        },
        '/users/me/password': { put: operation(changePassword, { tags: ['account'] }) },
        '/users/me/sessions': { delete: operation(signOutEverywhere, { tags: ['account'] }) },
        ...registration,
        '/admin/users': { get: operation(admin, { tags: ['admin'], summary: 'List every account', responses: { '200': userList } }) },
      },
  });
  mountDiscovery(app, auth, document, notice);
  serveDocs(app, document);

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
    // The request's one line, at error level with the cause (see request-log.ts).
    if (!noteOnRequestLine(req, 'error', 'request failed', { err: err.message })) logger.error({ method: req.method, path: loggedPath(req.path), err: err.message }, 'request failed');
    if (!res.headersSent) res.status(500).json({ error: 'server_error' });
  });

  return app;
}

/**
 * RFC 8414 and RFC 9728 metadata, read from the document /openapi.json
 * serves, and added to it once mounted. The authorization server metadata
 * needs the issuer (JWT_ISSUER) to be the server's URL; the protected
 * resource metadata needs PUBLIC_URL (or a loopback listening address).
 * Without them the route is left out and `notice` says why.
 */
function mountDiscovery(app: express.Express, auth: Auth, document: OpenAPIV3_1.Document, notice: (line: string) => void): void {
  const mount = (path: string, summary: string, description: string, make: () => (req: Request, res: Response) => void) => {
    try {
      app.get(path, make());
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      notice(`${path} is off: ${err.message}`);
      return;
    }
    document.paths![path] = { get: { tags: ['auth'], summary, responses: { '200': { description, content: { 'application/json': {} } } } } };
  };
  mount('/.well-known/oauth-authorization-server', 'Authorization server metadata (RFC 8414)', 'The token, revocation and JWKS endpoints, grant types and scopes.', () =>
    auth.metadata(document),
  );
  mount('/.well-known/oauth-protected-resource', 'Protected resource metadata (RFC 9728)', 'This API\'s identifier, its authorization server, scopes and bearer methods.', () =>
    auth.resourceMetadata(document),
  );
}

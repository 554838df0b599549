import type { Express } from 'express';
import request from 'supertest';
import { createApp, SCOPES } from '../../../examples/server/app';
import { createLogger } from '../../../examples/server/logger';
import { runUsersCli } from '../../../examples/server/users-cli';
import { createAuth } from '../../../lib/create-auth';
// The document as the JSON a client reads (openapi-types' unions need no narrowing in assertions).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type OpenApiDocument = any;
type OpenApiMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';
import { PasswordHasher } from '../../../lib/login/passwords';
import { SqliteUserStore } from '../../../lib/stores/sqlite/users';

const ALICE_PASSWORD = 'alice-Pa55word-that-is-long';
const BOB_PASSWORD = 'bob-Pa55word-that-is-long';
const ARGON2 = { memoryCost: 8192, timeCost: 1 };
const SCHEME = 'OAuth2PasswordBearer';

/** Every operation of the document, with its path and method. */
function operations(doc: OpenApiDocument) {
  return Object.entries(doc.paths as Record<string, OpenApiDocument>).flatMap(([path, item]) =>
    (Object.keys(item) as OpenApiMethod[]).filter((key) => typeof item[key] === 'object').map((method) => ({ path, method, op: item[method]! })),
  );
}

describe('example server: GET /openapi.json and Swagger UI at /docs', () => {
  let users: SqliteUserStore;
  let app: Express;
  let doc: OpenApiDocument;

  const login = (username: string, password: string) =>
    request(app).post('/token').type('form').send(new URLSearchParams({ grant_type: 'password', username, password }).toString());

  async function tokenOf(username: string, password: string): Promise<string> {
    const res = await login(username, password);
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  }

  beforeEach(async () => {
    users = new SqliteUserStore(':memory:');
    const hasher = new PasswordHasher(ARGON2);
    const io = (password: string) => ({ readStdin: async () => `${password}\n`, out: () => undefined });
    await runUsersCli(['add', 'alice', '--scopes', 'admin', '--password-stdin'], users, io(ALICE_PASSWORD), hasher);
    await runUsersCli(['add', 'bob', '--password-stdin'], users, io(BOB_PASSWORD), hasher);
    const auth = createAuth({ secret: 'docs-test-secret-of-more-than-32-bytes!', issuer: 'example', audience: 'api', users, argon2: ARGON2, scopes: { ...SCOPES } });
    app = createApp({ auth, users, logger: createLogger('silent'), allowRegistration: true });
    const res = await request(app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.body as OpenApiDocument;
  });

  afterEach(async () => {
    await users.close();
  });

  it('serves an OpenAPI 3.1 document whose OAuth2 password flow posts to /token and lists the admin scope', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes[SCHEME].flows.password).toEqual({
      tokenUrl: '/token',
      refreshUrl: '/token',
      scopes: { admin: 'List every account' },
    });
    expect(Object.keys(doc.paths).sort()).toEqual(['/.well-known/jwks.json', '/admin/users', '/health', '/revoke', '/token', '/users', '/users/me', '/users/me/password', '/users/me/sessions']);
    expect(doc.paths['/admin/users'].get?.security).toEqual([{ [SCHEME]: ['admin'] }]);
    expect(doc.paths['/users/me'].get?.security).toEqual([{ [SCHEME]: [] }]);
    expect(doc.paths['/token'].post?.security).toBeUndefined();
    expect(doc.paths['/health'].get?.security).toBeUndefined();
  });

  it('has a route for every documented operation, and every documented guard answers as documented', async () => {
    const bobToken = await tokenOf('bob', BOB_PASSWORD);
    const checked = { routes: 0, guarded: 0, scoped: 0 };
    for (const { path, method, op } of operations(doc)) {
      const anonymous = await request(app)[method](path);
      expect({ path, method, status: anonymous.status }).not.toEqual({ path, method, status: 404 });
      checked.routes++;
      if (!op.security) continue;
      checked.guarded++;
      // Documented as protected: refused without a token, with the challenge the document promises.
      expect({ path, method, status: anonymous.status }).toEqual({ path, method, status: 401 });
      expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="api"');
      expect(op.responses?.['401'].headers).toHaveProperty('WWW-Authenticate');
      const [scopes] = Object.values(op.security[0] as Record<string, string[]>);
      if (scopes.length === 0) continue;
      // Documented as needing scopes bob lacks: 403 naming them.
      const asBob = await request(app)[method](path).set('Authorization', `Bearer ${bobToken}`);
      expect({ path, method, status: asBob.status }).toEqual({ path, method, status: 403 });
      expect(asBob.headers['www-authenticate']).toContain(`scope="${scopes.join(' ')}"`);
      expect(op.responses).toHaveProperty('403');
      checked.scoped++;
    }
    expect(checked).toEqual({ routes: 10, guarded: 5, scoped: 1 });
  });

  it('accepts a login the way Swagger UI sends it: a form, empty client credentials in a Basic header or client_id in the body', async () => {
    const form = new URLSearchParams({ grant_type: 'password', username: 'alice', password: ALICE_PASSWORD }).toString();
    const basic = await request(app)
      .post('/token')
      .set('Authorization', `Basic ${Buffer.from(':').toString('base64')}`)
      .set('X-Requested-With', 'XMLHttpRequest')
      .type('form')
      .send(form);
    expect(basic.status).toBe(200);
    expect(basic.body.token_type).toBe('Bearer');

    const inBody = await request(app).post('/token').type('form').send(`${form}&client_id=swagger-ui&scope=`);
    expect(inBody.status).toBe(200);
    expect(inBody.body.scope).toBe('admin');
  });

  it('redirects /docs to /docs/ and serves Swagger UI from the package, loading ../openapi.json, no CDN', async () => {
    const redirect = await request(app).get('/docs');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/docs/');

    const page = await request(app).get('/docs/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div id="swagger-ui"></div>');
    expect(page.text).toContain('<title>express-jwt-auth example – docs</title>');
    expect(page.text).not.toMatch(/(src|href)=["']?(https?:)?\/\//);

    const init = await request(app).get('/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
    expect(init.text).toContain('"swaggerUrl": "../openapi.json"');
    const bundle = await request(app).get('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect((await request(app).get('/docs/package.json')).status).toBe(404);
  });

  it('leaves /users out of the document when registration is off', async () => {
    const auth = createAuth({ secret: 'docs-test-secret-of-more-than-32-bytes!', issuer: 'example', audience: 'api', users, argon2: ARGON2 });
    const closed = createApp({ auth, users, logger: createLogger('silent') });
    const res = await request(closed).get('/openapi.json');
    expect(res.body.paths).not.toHaveProperty('/users');
    expect((await request(closed).post('/users').send({})).status).toBe(404);
    // No scopes option: admin is still listed, from the route that requires it.
    expect(res.body.components.securitySchemes[SCHEME].flows.password.scopes).toEqual({ admin: '' });
  });
});

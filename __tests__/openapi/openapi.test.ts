import express, { type RequestHandler } from 'express';
import request from 'supertest';
import { createAuth, type Auth } from '../../lib/create-auth';
import { MemoryUserStore } from '../../lib/stores/memory/users';
import { issueAccessToken } from '../../lib/grants/token-response';
import { AUDIENCE, ISSUER, passwordHash, SECRET } from '../helpers';
import { resolvedAuthOf } from '../../lib/config/handles';

/**
 * A document or operation as the JSON a client reads. openapi-types makes every member optional or a
 * union, which assertions on known documents need not narrow.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const SCHEME = 'OAuth2PasswordBearer';
const ok: RequestHandler = (_req, res) => {
  res.json({ ok: true });
};

/** An auth over a store holding alice (scopes read and admin). */
async function makeAuth(scopes?: Record<string, string>) {
  const users = new MemoryUserStore();
  const alice = await users.create({ username: 'alice', passwordHash: await passwordHash(), scopes: ['read', 'admin'] });
  const auth = createAuth({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE, users, ...(scopes && { scopes }) });
  return { auth, alice, tokenWith: (granted: string[]) => issueAccessToken(resolvedAuthOf(auth), alice, granted).token };
}

/** One guarded route, mounted and documented from the same middleware, the way an app does it. */
function guardedApi(auth: Auth, guard: RequestHandler) {
  const token = auth.token();
  const app = express();
  app.all('/token', token);
  app.get('/reports', guard, ok);
  const doc: Json = auth.openapi.document({
    info: { title: 'Reports', version: '1' },
    paths: {
      '/token': { post: auth.openapi.operation(token) },
      '/reports': { get: auth.openapi.operation(guard, { summary: 'Reports', responses: { '200': { description: 'The reports' } } }) },
    },
  });
  return { app, doc: doc as Json };
}

describe('auth.openapi', () => {
  it('documents exactly the scopes requireScopes enforces, and follows when the route\'s scopes change', async () => {
    const { auth, tokenWith } = await makeAuth();
    const readToken = tokenWith(['read']);

    const before = guardedApi(auth, auth.requireScopes('read'));
    expect(before.doc.paths['/reports'].get?.security).toEqual([{ [SCHEME]: ['read'] }]);
    expect((await request(before.app).get('/reports').set('Authorization', `Bearer ${readToken}`)).status).toBe(200);

    // The route now needs admin too: the document says so, and the same token is refused.
    const after = guardedApi(auth, auth.requireScopes('read', 'admin'));
    expect(after.doc.paths['/reports'].get?.security).toEqual([{ [SCHEME]: ['read', 'admin'] }]);
    const refused = await request(after.app).get('/reports').set('Authorization', `Bearer ${readToken}`);
    expect(refused.status).toBe(403);
    expect(refused.headers['www-authenticate']).toContain('scope="read admin"');
    expect(after.doc.paths['/reports'].get?.responses?.['403'].description).toContain('`admin`');
    expect(Object.keys(after.doc.components.securitySchemes[SCHEME].flows.password.scopes)).toEqual(['read', 'admin']);
  });

  it('writes an OpenAPI 3.1 OAuth2 password scheme whose tokenUrl and refreshUrl are the path of auth.token()', async () => {
    const { auth } = await makeAuth({ read: 'Read reports', admin: 'Manage every account' });
    const token = auth.token();
    const doc: Json = auth.openapi.document({ info: { title: 'T', version: '2' }, paths: { '/oauth/token': { post: auth.openapi.operation(token) } } });
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual({ title: 'T', version: '2' });
    expect(doc.components.securitySchemes).toEqual({
      [SCHEME]: {
        type: 'oauth2',
        description: expect.stringContaining('Authorization: Bearer'),
        flows: { password: { tokenUrl: '/oauth/token', refreshUrl: '/oauth/token', scopes: { read: 'Read reports', admin: 'Manage every account' } } },
      },
    });
    expect(auth.openapi.securityScheme('https://auth.example.com/token').flows.password.tokenUrl).toBe('https://auth.example.com/token');
  });

  it('describes the token endpoint per RFC 6749: form (or JSON) body, 200 with no-store, 400 with the error codes, no security', async () => {
    const { auth } = await makeAuth();
    const op: Json = auth.openapi.operation(auth.token());
    expect(op.security).toBeUndefined();
    expect(Object.keys(op.requestBody?.content ?? {})).toEqual(['application/x-www-form-urlencoded', 'application/json']);
    expect(op.requestBody?.content['application/x-www-form-urlencoded'].schema).toEqual({ $ref: '#/components/schemas/TokenRequest' });
    expect(Object.keys(op.responses ?? {})).toEqual(['200', '400', '413', '429', '503']);
    expect(op.responses?.['200'].headers?.['Cache-Control'].schema).toEqual({ type: 'string', enum: ['no-store'] });
    expect(op.responses?.['400'].description).toMatch(/invalid_request.*invalid_grant.*invalid_scope.*unsupported_grant_type/s);

    const doc: Json = auth.openapi.document({ info: { title: 'T', version: '1' }, paths: { '/token': { post: op } } });
    expect(doc.components.schemas.TokenRequest).toMatchObject({ required: ['grant_type'], properties: { grant_type: { enum: ['password', 'refresh_token'] } } });
    expect(doc.components.schemas.TokenResponse).toMatchObject({ required: ['access_token', 'token_type', 'expires_in', 'scope'] });
    expect(doc.components.schemas.User).toMatchObject({ properties: { username: { type: 'string' } } });
    expect(doc.components.schemas.User.properties).not.toHaveProperty('passwordHash');
  });

  it('gives authenticate() routes the scheme with no scopes, 400 and 401 with WWW-Authenticate, and no 403', async () => {
    const { auth } = await makeAuth();
    const op: Json = auth.openapi.operation(auth.authenticate(), { summary: 'Me', responses: { '200': { description: 'Me' } } });
    expect(op.summary).toBe('Me');
    expect(op.security).toEqual([{ [SCHEME]: [] }]);
    expect(Object.keys(op.responses ?? {}).sort()).toEqual(['200', '400', '401']);
    expect(op.responses?.['401'].headers).toHaveProperty('WWW-Authenticate');
    expect(op.responses?.['401'].content?.['application/json'].schema).toEqual({ $ref: '#/components/schemas/OAuthError' });
  });

  it('merges authenticate() and requireScopes() of one route, and describes the library\'s account and revoke routes', async () => {
    const { auth } = await makeAuth();
    const both: Json = auth.openapi.operation([auth.authenticate(), auth.requireScopes('admin'), ok]);
    expect(both.security).toEqual([{ [SCHEME]: ['admin'] }]);
    expect(both.responses).toHaveProperty('403');

    const revoke: Json = auth.openapi.operation(auth.revoke());
    expect(revoke.security).toBeUndefined();
    expect(revoke.requestBody?.content['application/x-www-form-urlencoded'].schema).toEqual({ $ref: '#/components/schemas/RevokeRequest' });
    const changePassword: Json = auth.openapi.operation(auth.changePassword());
    expect(changePassword.security).toEqual([{ [SCHEME]: [] }]);
    expect(Object.keys(changePassword.responses ?? {}).sort()).toEqual(['204', '400', '401', '429', '503']);
    const register: Json = auth.openapi.operation(auth.register());
    expect(register.security).toBeUndefined();
    expect(Object.keys(register.responses ?? {}).sort()).toEqual(['201', '400', '409', '429', '503']);
  });

  it('describes what revoke answers: an empty JSON object with no-store, and its 400, 413 and 429 (RFC 7009 §2.2)', async () => {
    const { auth } = await makeAuth();
    const revoke: Json = auth.openapi.operation(auth.revoke());
    const ok = revoke.responses?.['200'];
    expect(ok.headers).toEqual({ 'Cache-Control': expect.any(Object), Pragma: expect.any(Object) });
    expect(ok.content?.['application/json'].schema).toEqual({ type: 'object', additionalProperties: false, maxProperties: 0 });
    expect(Object.keys(revoke.responses ?? {}).sort()).toEqual(['200', '400', '413', '429']);
    expect(revoke.responses?.['429'].headers).toHaveProperty('Retry-After');
  });

  it('lists scopes routes use without descriptions when the scopes option is absent', async () => {
    const { auth } = await makeAuth();
    const doc: Json = auth.openapi.document({
      info: { title: 'T', version: '1' },
      tokenUrl: '/token',
      paths: { '/a': { get: auth.openapi.operation(auth.requireScopes('read')) }, '/b': { delete: auth.openapi.operation(auth.requireScopes('admin')) } },
    });
    expect(doc.components.securitySchemes[SCHEME].flows.password.scopes).toEqual({ read: '', admin: '' });
  });

  it('refuses at start-up a requireScopes of a scope the scopes option does not declare, naming it', async () => {
    const { auth } = await makeAuth({ admin: 'Manage every account' });
    expect(() => auth.requireScopes('admin')).not.toThrow();
    expect(() => auth.requireScopes('admn')).toThrow(TypeError);
    expect(() => auth.requireScopes('admin', 'admn')).toThrow('requireScopes: scope "admn" is not declared in the scopes option (declared: admin)');
  });

  it.each([
    ['an array', ['admin']],
    ['an invalid scope', { 'has space': 'x' }],
    ['a description that is not a string', { admin: true }],
  ])('refuses a scopes option that is %s with a TypeError naming scopes', async (_name, scopes) => {
    await expect(makeAuth(scopes as unknown as Record<string, string>)).rejects.toThrow(/^scopes/);
    await expect(makeAuth(scopes as unknown as Record<string, string>)).rejects.toThrow(TypeError);
  });

  it('refuses to describe what it cannot vouch for: foreign middleware, another auth\'s, a hand-written security', async () => {
    const { auth } = await makeAuth();
    const other = (await makeAuth()).auth;
    expect(() => auth.openapi.operation(ok)).toThrow(/operation: route must be middleware made by createAuth/);
    expect(() => auth.openapi.operation(other.authenticate())).toThrow('operation: route was made by another createAuth');
    expect(() => auth.openapi.operation(auth.authenticate(), { security: [{ [SCHEME]: [] }] })).toThrow(/security comes from the route's middleware/);
    expect(() => auth.openapi.operation([auth.token(), auth.revoke()])).toThrow(/two handlers/);
  });

  it('refuses a document without a token endpoint, or with a malformed info or path, naming the problem', async () => {
    const { auth } = await makeAuth();
    const me = { get: auth.openapi.operation(auth.authenticate()) };
    expect(() => auth.openapi.document({ info: { title: 'T', version: '1' }, paths: { '/me': me } })).toThrow(/no path is described with auth.openapi.operation\(auth.token\(\)\)/);
    expect(() => auth.openapi.document({ info: { title: 'T' } as never, paths: {}, tokenUrl: '/token' })).toThrow(/info must have a title and a version/);
    expect(() => auth.openapi.document({ info: { title: 'T', version: '1' }, paths: { me }, tokenUrl: '/token' })).toThrow('document: path "me" must start with "/"');
  });

  it('makes a plain JSON document, and middleware that Express sees as plain functions', async () => {
    const { auth } = await makeAuth({ admin: 'Manage every account' });
    const guard = auth.requireScopes('admin');
    expect(Object.keys(guard)).toEqual([]);
    expect(guard.name).toBe('requireScopes');
    const { doc } = guardedApi(auth, guard);
    const roundTripped = JSON.parse(JSON.stringify(doc)) as Json;
    expect(roundTripped).toEqual(doc);
    // The library's templates are copied, never shared: changing one document leaves the next intact.
    doc.paths['/token'].post!.responses!['200'].description = 'changed';
    doc.components.schemas.User.description = 'changed';
    const again = guardedApi(auth, guard).doc;
    expect(again.paths['/token'].post!.responses!['200'].description).toBe('Tokens issued (RFC 6749 §5.1).');
    expect(again.components.schemas.User.description).not.toBe('changed');
  });
});

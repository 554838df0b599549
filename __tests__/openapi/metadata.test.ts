import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuth, type Auth } from '../../lib/create-auth';
import type { AuthOptions } from '../../lib/config/auth-options';
import { generateKey } from '../../lib/jose/keys';
import { MemoryUserStore } from '../../lib/stores/memory/users';
import { AUDIENCE, passwordHash, PASSWORD, SECRET } from '../helpers';

// oauth4webapi is ES modules only: jest transpiles it (jest.config.js), tsc needs the import resolution mode.
type OAuth = typeof import('oauth4webapi', { with: { 'resolution-mode': 'import' } });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const oauth: OAuth = require('oauth4webapi');

/**
 * RFC 8414 and RFC 9728 metadata, fetched and checked by a real OAuth client
 * (oauth4webapi's discovery functions), then used: its token endpoint logs
 * in and its revocation endpoint logs out. Each server listens first, so its
 * issuer and resource identifiers are its own loopback URL; plain http there
 * needs oauth4webapi's allowInsecureRequests, as a development setup would.
 */

const INSECURE = { [oauth.allowInsecureRequests]: true } as const;

interface Server {
  base: string;
  auth: Auth;
  doc: ReturnType<Auth['openapi']['document']>;
  close(): Promise<void>;
}

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

/** Listens on 127.0.0.1, then mounts an auth whose issuer and resource are that address. */
async function serve(overrides: Partial<AuthOptions> = {}): Promise<Server> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const users = new MemoryUserStore();
  await users.create({ username: 'alice', email: null, passwordHash: await passwordHash(), scopes: ['read'] });
  const auth = createAuth({ secret: SECRET, issuer: base, audience: AUDIENCE, users, resource: base, scopes: { read: 'Read things', 'admin:all': 'Everything' }, ...overrides });
  const app = express();
  const token = auth.token();
  const revoke = auth.revoke();
  const jwks = auth.jwks();
  const admin = auth.requireScopes('read', 'admin:all');
  app.post('/oauth/token', token);
  app.post('/oauth/revoke', revoke);
  app.get('/keys.json', jwks);
  app.get('/admin', admin, (_req, res) => void res.json({}));
  const doc = auth.openapi.document({
    info: { title: 'test', version: '1' },
    paths: {
      '/oauth/token': { post: auth.openapi.operation(token) },
      '/oauth/revoke': { post: auth.openapi.operation(revoke) },
      '/keys.json': { get: auth.openapi.operation(jwks) },
      '/admin': { get: auth.openapi.operation(admin) },
    },
  });
  app.get('/.well-known/oauth-authorization-server', auth.metadata(doc));
  app.get('/.well-known/oauth-protected-resource', auth.resourceMetadata(doc));
  server.on('request', app);
  const handle: Server = { base, auth, doc, close: () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }) };
  servers.push(handle);
  return handle;
}

describe('authorization server metadata (RFC 8414)', () => {
  it('is accepted by oauth4webapi discovery, and says what the OpenAPI document says', async () => {
    const { base, doc } = await serve({ secret: undefined, keys: { active: generateKey('ES256') } });
    const issuer = new URL(base);
    const response = await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...INSECURE });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=3600');
    const as = await oauth.processDiscoveryResponse(issuer, response);
    expect(as).toEqual({
      issuer: base,
      token_endpoint: `${base}/oauth/token`,
      revocation_endpoint: `${base}/oauth/revoke`,
      jwks_uri: `${base}/keys.json`,
      grant_types_supported: ['password', 'refresh_token'],
      response_types_supported: [],
      scopes_supported: ['read', 'admin:all'],
      token_endpoint_auth_methods_supported: ['none'],
      revocation_endpoint_auth_methods_supported: ['none'],
    });
    // The same facts as the OpenAPI document: grant types, scopes, token URL.
    const schemas = doc.components!.schemas! as Record<string, { properties: { grant_type: { enum: string[] } } }>;
    expect(as.grant_types_supported).toEqual(schemas.TokenRequest.properties.grant_type.enum);
    const scheme = doc.components!.securitySchemes!.OAuth2PasswordBearer as { flows: { password: { tokenUrl: string; scopes: object } } };
    expect(as.scopes_supported).toEqual(Object.keys(scheme.flows.password.scopes));
    expect(as.token_endpoint).toBe(`${base}${scheme.flows.password.tokenUrl}`);
    // jwks_uri serves the public key.
    const keys = (await (await fetch(as.jwks_uri!)).json()) as { keys: unknown[] };
    expect(keys.keys).toHaveLength(1);
  });

  it('is what a real client logs in and out with: the token and revocation endpoints it names work', async () => {
    const { base } = await serve();
    const issuer = new URL(base);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...INSECURE }));
    // An HMAC secret is never published: no jwks_uri.
    expect(as.jwks_uri).toBeUndefined();
    const client = { client_id: 'express-jwt-auth' };
    // oauth4webapi has no password grant (RFC 9700 §2.4 deprecates it for third parties): a form POST to the discovered endpoint.
    const login = await fetch(as.token_endpoint!, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: PASSWORD }),
    });
    const { refresh_token: first } = (await login.json()) as { refresh_token: string };
    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), first, INSECURE));
    expect(refreshed.token_type).toBe('bearer');
    const second = refreshed.refresh_token!;
    const revoked = await oauth.revocationRequest(as, client, oauth.None(), second, INSECURE);
    await expect(oauth.processRevocationResponse(revoked)).resolves.toBeUndefined();
    const refresh = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), second, INSECURE);
    await expect(oauth.processRefreshTokenResponse(as, client, refresh)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it.each([
    ['a name', 'my-app', /^metadata: issuer is not a URL; RFC 8414 §2/],
    ['http off loopback', 'http://auth.example.com', /^metadata: issuer is not an https URL \(http only for localhost\)/],
    ['a query', 'https://auth.example.com/?tenant=1', /^metadata: issuer has a query or fragment/],
  ])('refuses an issuer that is %s at start-up (TypeError naming issuer)', (_what, issuer, message) => {
    const auth = createAuth({ secret: SECRET, issuer, audience: AUDIENCE, users: new MemoryUserStore() });
    const token = auth.token();
    const doc = auth.openapi.document({ info: { title: 't', version: '1' }, paths: { '/token': { post: auth.openapi.operation(token) } } });
    expect(() => auth.metadata(doc)).toThrow(message);
  });

  it('refuses a document it did not make, and asymmetric keys without a described JWKS route', async () => {
    const { auth, doc } = await serve();
    const other = createAuth({ secret: SECRET, issuer: 'https://auth.example.com', audience: AUDIENCE, users: new MemoryUserStore() });
    expect(() => other.metadata(doc)).toThrow('metadata: document was made by another createAuth');
    expect(() => auth.metadata({ ...doc })).toThrow('metadata: document must be what auth.openapi.document() returned');
    const rsa = createAuth({ keys: { active: generateKey('ES256') }, issuer: 'https://auth.example.com', audience: AUDIENCE, users: new MemoryUserStore() });
    const rsaDoc = rsa.openapi.document({ info: { title: 't', version: '1' }, paths: { '/token': { post: rsa.openapi.operation(rsa.token()) } } });
    expect(() => rsa.metadata(rsaDoc)).toThrow(/jwks_uri is needed: describe the JWKS route with auth\.openapi\.operation\(auth\.jwks\(\)\)/);
  });
});

describe('protected resource metadata (RFC 9728)', () => {
  it('is accepted by oauth4webapi resource discovery: resource is the identifier it was fetched under, the issuer its server', async () => {
    const { base } = await serve({ allowBodyToken: true });
    const resource = new URL(base);
    const response = await oauth.resourceDiscoveryRequest(resource, INSECURE);
    expect(response.status).toBe(200);
    const metadata = await oauth.processResourceDiscoveryResponse(resource, response);
    expect(metadata).toEqual({
      resource: base,
      authorization_servers: [base],
      scopes_supported: ['read', 'admin:all'],
      bearer_methods_supported: ['header', 'body'],
    });
  });

  it('says which DPoP proof algorithms both take, and whether the resource requires DPoP (RFC 9449 §5.1, RFC 9728 §2)', async () => {
    const { base } = await serve({ dpop: 'required', dpopAlgorithms: ['ES256', 'EdDSA'] });
    const issuer = new URL(base);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...INSECURE }));
    expect(as.dpop_signing_alg_values_supported).toEqual(['ES256', 'EdDSA', 'Ed25519']);
    const resource = await oauth.processResourceDiscoveryResponse(issuer, await oauth.resourceDiscoveryRequest(issuer, INSECURE));
    expect(resource).toMatchObject({ dpop_signing_alg_values_supported: ['ES256', 'EdDSA', 'Ed25519'], dpop_bound_access_tokens_required: true });
    const plain = await serve();
    const plainResource = new URL(plain.base);
    expect(await oauth.processResourceDiscoveryResponse(plainResource, await oauth.resourceDiscoveryRequest(plainResource, INSECURE))).not.toHaveProperty('dpop_signing_alg_values_supported');
  });

  it('is named by resource_metadata in every challenge (RFC 9728 §5.1), and that URL serves it', async () => {
    const { base } = await serve();
    const url = `${base}/.well-known/oauth-protected-resource`;
    const bare = await fetch(`${base}/admin`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toBe(`Bearer realm="api", resource_metadata="${url}"`);
    const bad = await fetch(`${base}/admin`, { headers: { Authorization: 'Bearer not.a.token' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(new RegExp(`^Bearer realm="api", error="invalid_token", error_description="[^"]*", resource_metadata="${url}"$`));
    expect(((await (await fetch(url)).json()) as { resource: string }).resource).toBe(base);
  });

  it('puts the well-known suffix before the path of a resource with one (RFC 9728 §3.1)', async () => {
    const auth = createAuth({ secret: SECRET, issuer: 'https://auth.example.com', audience: AUDIENCE, users: new MemoryUserStore(), resource: 'https://example.com/api' });
    const app = express().get('/x', auth.authenticate());
    const res = await new Promise<http.IncomingMessage>((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => {
        http.get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`, (answer) => {
          answer.resume();
          server.close();
          resolve(answer);
        });
      });
    });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", resource_metadata="https://example.com/.well-known/oauth-protected-resource/api"');
  });

  it('leaves authorization_servers out when the issuer is not a URL, and needs the resource option', () => {
    const auth = createAuth({ secret: SECRET, issuer: 'my-app', audience: AUDIENCE, users: new MemoryUserStore(), resource: 'https://api.example.com' });
    const doc = auth.openapi.document({ info: { title: 't', version: '1' }, paths: { '/token': { post: auth.openapi.operation(auth.token()) } } });
    expect(() => auth.resourceMetadata(doc)).not.toThrow();
    const plain = createAuth({ secret: SECRET, issuer: 'https://auth.example.com', audience: AUDIENCE, users: new MemoryUserStore() });
    const plainDoc = plain.openapi.document({ info: { title: 't', version: '1' }, paths: { '/token': { post: plain.openapi.operation(plain.token()) } } });
    expect(() => plain.resourceMetadata(plainDoc)).toThrow(/^resourceMetadata: set the resource option/);
  });

  it.each([
    ['http off loopback', 'http://api.example.com'],
    ['a fragment', 'https://api.example.com/#x'],
    ['not a URL', 'api'],
  ])('refuses a resource that is %s at start-up', (_what, resource) => {
    expect(() => createAuth({ secret: SECRET, issuer: 'https://auth.example.com', audience: AUDIENCE, users: new MemoryUserStore(), resource })).toThrow(/^resource (is not|has) .*: it must be this API's URL/);
  });
});

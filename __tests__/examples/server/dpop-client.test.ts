import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as OAuth from 'oauth4webapi' with { 'resolution-mode': 'import' };
import { createApp } from '../../../examples/server/app';
import { exampleAuthOptions } from '../../../examples/server/auth-options';
import { loadConfig } from '../../../examples/server/config';
import { createLogger } from '../../../examples/server/logger';
import { openStores, type Stores } from '../../../examples/server/store';
import { createAuth } from '../../../lib/create-auth';

// oauth4webapi is ESM only; jest (CommonJS) loads it through the transform in jest.config.js.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const oauth: typeof OAuth = require('oauth4webapi');

/**
 * oauth4webapi, a certified OAuth client with DPoP support (RFC 9449), end to
 * end against the example server on a real port: it makes the proofs, reads
 * the challenges and retries nonces itself, so these tests check the server
 * against a client it was not written with.
 */

const SECRET = 'dpop-client-test-secret-of-more-than-32-bytes';
const PASSWORD = 'alice-dpop-Pa55word-long';
const ARGON2 = { memoryCost: 8192, timeCost: 1 };
const insecure = { [oauth.allowInsecureRequests]: true } as const;

interface Running {
  base: URL;
  as: OAuth.AuthorizationServer;
  client: OAuth.Client;
  close(): Promise<void>;
}

/** The example server as main.ts wires it (exampleAuthOptions from its settings), on 127.0.0.1:<random port>. */
async function startExample(env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const config = loadConfig({ JWT_SECRET: SECRET, DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent', ...env });
  const stores: Stores = await openStores(config.databaseUrl);
  const logger = createLogger('silent');
  const auth = createAuth({ ...exampleAuthOptions(config, { secret: SECRET }, stores, logger), argon2: ARGON2 });
  await stores.users.create({ username: 'alice', passwordHash: await auth.passwords.hash(PASSWORD), scopes: ['admin'] });
  const server: Server = createApp({ auth, users: stores.users, logger }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return {
    base,
    as: { issuer: config.issuer, token_endpoint: new URL('/token', base).href },
    client: { client_id: 'example-spa' },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await stores.close();
    },
  };
}

describe('oauth4webapi as a DPoP client of the example server', () => {
  let app: Running;
  let dpop: OAuth.DPoPHandle;
  let keyPair: Awaited<ReturnType<typeof oauth.generateKeyPair>>;

  beforeAll(async () => {
    app = await startExample();
    keyPair = await oauth.generateKeyPair('ES256');
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => {
    dpop = oauth.DPoP(app.client, keyPair);
  });

  async function passwordGrant(handle: OAuth.DPoPHandle = dpop) {
    const response = await oauth.genericTokenEndpointRequest(app.as, app.client, oauth.None(), 'password', { username: 'alice', password: PASSWORD }, { DPoP: handle, ...insecure });
    return oauth.processGenericTokenEndpointResponse(app.as, app.client, response);
  }
  const me = (accessToken: string, handle: OAuth.DPoPHandle = dpop) =>
    oauth.protectedResourceRequest(accessToken, 'GET', new URL('/users/me', app.base), undefined, undefined, { DPoP: handle, ...insecure });

  it('gets a DPoP-bound token with the password grant, its cnf.jkt the thumbprint of the client key', async () => {
    const tokens = await passwordGrant();
    expect(tokens.token_type).toBe('dpop');
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString()) as { cnf?: { jkt: string } };
    expect(claims.cnf).toEqual({ jkt: await dpop.calculateThumbprint() });
  });

  it('reads GET /users/me with protectedResourceRequest (Authorization: DPoP and a proof with ath)', async () => {
    const tokens = await passwordGrant();
    const res = await me(tokens.access_token);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ username: 'alice', scopes: ['admin'] });
  });

  it('refreshes with the same key, and uses the new token', async () => {
    const first = await passwordGrant();
    const response = await oauth.refreshTokenGrantRequest(app.as, app.client, oauth.None(), first.refresh_token!, { DPoP: dpop, ...insecure });
    const refreshed = await oauth.processRefreshTokenResponse(app.as, app.client, response);
    expect(refreshed.token_type).toBe('dpop');
    expect(refreshed.refresh_token).not.toBe(first.refresh_token);
    expect((await me(refreshed.access_token)).status).toBe(200);
  });

  it('is refused a refresh with another key: invalid_grant', async () => {
    const first = await passwordGrant();
    const thief = oauth.DPoP(app.client, await oauth.generateKeyPair('ES256'));
    const response = await oauth.refreshTokenGrantRequest(app.as, app.client, oauth.None(), first.refresh_token!, { DPoP: thief, ...insecure });
    const refused = await oauth.processRefreshTokenResponse(app.as, app.client, response).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(oauth.ResponseBodyError);
    expect((refused as OAuth.ResponseBodyError).status).toBe(400);
    expect((refused as OAuth.ResponseBodyError).error).toBe('invalid_grant');
  });

  it('is refused /users/me with the token and another key: a DPoP invalid_token challenge', async () => {
    const tokens = await passwordGrant();
    const thief = oauth.DPoP(app.client, await oauth.generateKeyPair('ES256'));
    const refused = await me(tokens.access_token, thief).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const challenge = (refused as OAuth.WWWAuthenticateChallengeError).cause.find((c) => c.scheme === 'dpop');
    expect(challenge?.parameters).toMatchObject({ error: 'invalid_token', algs: 'RS256 PS256 ES256 EdDSA Ed25519' });
    expect((refused as OAuth.WWWAuthenticateChallengeError).status).toBe(401);
  });

  it('binds to an EdDSA or RSA key as well', async () => {
    for (const alg of ['EdDSA', 'PS256', 'RS256']) {
      const handle = oauth.DPoP(app.client, await oauth.generateKeyPair(alg));
      const tokens = await passwordGrant(handle);
      expect((await me(tokens.access_token, handle)).status).toBe(200);
    }
  });
});

describe('oauth4webapi answering the example server\'s nonce challenges (DPOP_NONCE_SECRET)', () => {
  let app: Running;
  beforeAll(async () => {
    app = await startExample({ DPOP_NONCE_SECRET: 'a-nonce-secret-that-is-32-bytes-long' });
  });
  afterAll(async () => {
    await app.close();
  });

  /** Runs `request` and, on a use_dpop_nonce answer, once more: the retry RFC 9449 §8 asks of a client. */
  async function withNonceRetry<T>(request: () => Promise<T>): Promise<{ result: T; challenged: boolean }> {
    try {
      return { result: await request(), challenged: false };
    } catch (err) {
      if (!oauth.isDPoPNonceError(err)) throw err;
      return { result: await request(), challenged: true };
    }
  }

  it('gets use_dpop_nonce at the token endpoint and at /users/me, and succeeds with the nonce it was given', async () => {
    const client = app.client;
    const keyPair = await oauth.generateKeyPair('ES256');
    const dpop = oauth.DPoP(client, keyPair);
    const login = await withNonceRetry(async () => {
      const response = await oauth.genericTokenEndpointRequest(app.as, client, oauth.None(), 'password', { username: 'alice', password: PASSWORD }, { DPoP: dpop, ...insecure });
      return oauth.processGenericTokenEndpointResponse(app.as, client, response);
    });
    expect(login.challenged).toBe(true);
    expect(login.result.token_type).toBe('dpop');

    // The nonce the token endpoint gave is the server's (one origin), so the resource request needs no retry.
    const res = await withNonceRetry(() => oauth.protectedResourceRequest(login.result.access_token, 'GET', new URL('/users/me', app.base), undefined, undefined, { DPoP: dpop, ...insecure }));
    expect(res.challenged).toBe(false);
    expect(res.result.status).toBe(200);

    // The same key in a client that never saw a nonce: challenged at the resource with a 401 DPoP challenge, in on the retry.
    const forgetful = oauth.DPoP(client, keyPair);
    let challenge: OAuth.WWWAuthenticateChallenge | undefined;
    let status: number | undefined;
    const again = await withNonceRetry(async () => {
      try {
        return await oauth.protectedResourceRequest(login.result.access_token, 'GET', new URL('/users/me', app.base), undefined, undefined, { DPoP: forgetful, ...insecure });
      } catch (err) {
        challenge = (err as OAuth.WWWAuthenticateChallengeError).cause?.find((c) => c.scheme === 'dpop');
        status = (err as OAuth.WWWAuthenticateChallengeError).status;
        throw err;
      }
    });
    expect(again.challenged).toBe(true);
    expect(status).toBe(401);
    expect(again.result.status).toBe(200);
    expect(challenge?.parameters.error).toBe('use_dpop_nonce');
  });
});

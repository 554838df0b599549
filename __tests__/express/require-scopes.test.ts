import express from 'express';
import request from 'supertest';
import { expectBearerError, setup, type Fixture } from '../helpers';

describe('requireScopes()', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setup();
  });

  it('admits a token that grants the scope', async () => {
    const res = await request(f.app).get('/admin').set('Authorization', `Bearer ${f.tokenFor()}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: 'alice', scopes: ['read', 'admin'] });
  });

  it('refuses a token without the scope as insufficient_scope with the needed scope', async () => {
    const res = await request(f.app).get('/admin').set('Authorization', `Bearer ${f.tokenFor(f.alice, ['read'])}`);
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="The access token does not grant the required scope", scope="admin"',
    );
    expect(res.body).toEqual({ error: 'insufficient_scope', error_description: 'The access token does not grant the required scope' });
    expect(f.failures.at(-1)).toMatchObject({ reason: 'scope.insufficient', detail: 'granted: read' });
  });

  it('authenticates first when authenticate() has not run', async () => {
    const res = await request(f.app).get('/admin');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it('requires every scope it names', async () => {
    f.app.get('/both', f.auth.authenticate(), f.auth.requireScopes('read', 'write'), (_req, res) => {
      res.json({ ok: true });
    });
    const res = await request(f.app).get('/both').set('Authorization', `Bearer ${f.tokenFor()}`);
    expectBearerError(res, 403, 'insufficient_scope');
    expect(res.headers['www-authenticate']).toContain('scope="read write"');
  });

  describe('compares whole scope names, never prefixes or substrings (RFC 6749 §3.3)', () => {
    beforeEach(async () => {
      // The account holds every scope below, so what a token grants is what it names.
      const held = ['admin', 'admin:write', 'read', 'readonly', 'only', 'write', 'Read', 'READ', 'read:all', 'xread', 'rea'];
      f.alice = (await f.users.update(f.alice.id, { scopes: held }))!;
      for (const scope of ['admin', 'admin:write', 'read', 'readonly']) {
        f.app.get(`/needs/${scope}`, f.auth.requireScopes(scope), (_req, res) => {
          res.json({ ok: true });
        });
      }
    });
    const get = (scope: string, granted: string[]) => request(f.app).get(`/needs/${scope}`).set('Authorization', `Bearer ${f.tokenFor(f.alice, granted)}`);

    it.each([
      ['admin', ['admin:write']],
      ['admin:write', ['admin']],
      ['read', ['readonly']],
      ['readonly', ['read']],
      ['readonly', ['read', 'only']],
      ['admin:write', ['admin', 'write']],
      ['read', ['Read', 'READ', 'read:all', 'xread', 'rea']],
    ])('refuses a route needing %s to a token granting %j', async (scope, granted) => {
      const res = await get(scope, granted);
      expectBearerError(res, 403, 'insufficient_scope');
      expect(res.headers['www-authenticate']).toContain(`scope="${scope}"`);
      expect(f.failures.at(-1)?.reason).toBe('scope.insufficient');
    });

    it.each([
      ['admin', ['admin:write', 'admin']],
      ['admin:write', ['admin', 'admin:write']],
      ['read', ['readonly', 'read']],
      ['readonly', ['read', 'readonly']],
    ])('admits a route needing %s to a token granting %j', async (scope, granted) => {
      expect((await get(scope, granted)).status).toBe(200);
    });
  });

  it('refuses invalid scope names at start-up with a TypeError', () => {
    expect(() => f.auth.requireScopes()).toThrow(TypeError);
    expect(() => f.auth.requireScopes('has space')).toThrow(/requireScopes: "has space" is not a valid scope/);
    expect(() => f.auth.requireScopes('quote"')).toThrow(TypeError);
  });
});

describe('requireScopes() after another instance authenticated the request', () => {
  it("checks the token itself: another audience's token does not pass", async () => {
    const internal = await setup({ audience: 'internal-api' });
    const publicApi = await setup({ audience: 'public-api' });
    const app = express();
    app.get('/internal/admin', publicApi.auth.authenticate(), internal.auth.requireScopes('admin'), (_req, res) => {
      res.json({ ok: true });
    });
    const res = await request(app).get('/internal/admin').set('Authorization', `Bearer ${publicApi.tokenFor()}`);
    expectBearerError(res, 401, 'invalid_token');
    expect(internal.failures.at(-1)?.reason).toBe('token.audience');
  });
});

describe('requireScopes() on a request whose fields an app copied from an admitted one', () => {
  it('checks the token of the request itself: the copy carries no verification', async () => {
    const f = await setup();
    let admitted: express.Request | undefined;
    const app = express();
    app.get('/first', f.auth.authenticate(), (req, res) => {
      admitted = req;
      res.json({ ok: true });
    });
    // An app that builds a sub-request from another one's fields: what spreading the admitted request
    // gives, but Node's own fields (its headers hold the token, its socket the connection).
    app.get('/copied', (req, _res, next) => {
      const spread = { ...admitted } as Record<string | symbol, unknown>;
      const ours = Object.getOwnPropertySymbols(spread).filter((key) => key.description?.startsWith('express-jwt-auth'));
      const symbols = Object.fromEntries(ours.map((key) => [key, spread[key]]));
      Object.assign(req, { user: spread.user, auth: spread.auth }, symbols);
      next();
    }, f.auth.requireScopes('admin'), (_req, res) => {
      res.json({ ok: true });
    });
    expect((await request(app).get('/first').set('Authorization', `Bearer ${f.tokenFor()}`)).status).toBe(200);
    const res = await request(app).get('/copied');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
  });
});

describe('requireScopes() after app code changed req.auth', () => {
  it('checks the scopes the token grants, not what was pushed into req.auth.scopes', async () => {
    const f = await setup();
    const app = express();
    app.get('/escalate', f.auth.authenticate(), (req, _res, next) => {
      req.auth!.scopes.push('admin');
      next();
    }, f.auth.requireScopes('admin'), (_req, res) => {
      res.json({ ok: true });
    });
    const res = await request(app).get('/escalate').set('Authorization', `Bearer ${f.tokenFor(f.alice, ['read'])}`);
    expectBearerError(res, 403, 'insufficient_scope');
  });
});

describe('requireScopes() after the account lost a scope', () => {
  it('refuses at once a scope taken from the account, on a token issued before', async () => {
    const f = await setup();
    const token = f.tokenFor();
    expect((await request(f.app).get('/admin').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    await f.users.update(f.alice.id, { scopes: ['read'] });
    const res = await request(f.app).get('/admin').set('Authorization', `Bearer ${token}`);
    expectBearerError(res, 403, 'insufficient_scope');
    expect(f.failures.at(-1)).toMatchObject({ reason: 'scope.insufficient', detail: 'granted: read' });
  });
});

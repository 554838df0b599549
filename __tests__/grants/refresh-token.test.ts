import request from 'supertest';
import { hashToken } from '../../lib/tokens/refresh-tokens';
import { MemoryRefreshTokenStore } from '../../lib/stores/memory/refresh-tokens';
import { SqliteRefreshTokenStore } from '../../lib/stores/sqlite/refresh-tokens';
import { openSqlite } from '../../lib/stores/sqlite/database';
import { EpochlessUserStore, expectOAuthError, PASSWORD, setup, type Fixture } from '../helpers';
import { resolvedAuthOf } from '../../lib/config/handles';

/** A memory store whose purge of expired tokens does nothing: the rotation rules alone decide. */
class NeverPurgedStore extends MemoryRefreshTokenStore {
  override async purgeExpired(): Promise<number> {
    return 0;
  }
}

describe('token() with grant_type=refresh_token', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setup();
  });

  const login = async (scope?: string) => {
    const res = await request(f.app)
      .post('/token')
      .type('form')
      .send({ grant_type: 'password', username: 'alice', password: PASSWORD, ...(scope && { scope }) });
    expect(res.status).toBe(200);
    return res.body as { access_token: string; refresh_token: string; scope: string };
  };
  const refresh = (token: string, extra: Record<string, string> = {}) =>
    request(f.app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: token, ...extra });
  const me = (accessToken: string) => request(f.app).get('/users/me').set('Authorization', `Bearer ${accessToken}`);

  function expectInvalidGrant(res: request.Response) {
    expect(res.status).toBe(400);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'The refresh token is invalid, expired or revoked' });
  }

  it('issues an opaque refresh token of 256 bits with the password grant', async () => {
    const { refresh_token } = await login();
    expect(refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(refresh_token, 'base64url')).toHaveLength(32);
  });

  it('stores only a SHA-256 hash of the refresh token', async () => {
    const db = openSqlite(':memory:');
    const g = await setup({ refreshTokenStore: new SqliteRefreshTokenStore(db) });
    const res = await request(g.app).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password: PASSWORD });
    const rows = JSON.stringify(db.prepare('SELECT * FROM refresh_tokens').all());
    expect(rows).not.toContain(res.body.refresh_token);
    expect(rows).toContain(hashToken(res.body.refresh_token));
    db.close();
  });

  it('rotates: returns a new pair, and the old refresh token then fails', async () => {
    const first = await login();
    const res = await refresh(first.refresh_token);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, refresh_token: expect.any(String), scope: 'read admin' });
    expect(res.body.refresh_token).not.toBe(first.refresh_token);
    expect((await me(res.body.access_token)).status).toBe(200);

    f.clock.advance(6); // past the grace period
    expectInvalidGrant(await refresh(first.refresh_token));
  });

  it('revokes the whole family when a rotated token is reused, so the newer one fails too', async () => {
    const first = await login();
    const second = (await refresh(first.refresh_token)).body;
    f.clock.advance(6);
    expectInvalidGrant(await refresh(first.refresh_token)); // theft detected
    expectInvalidGrant(await refresh(second.refresh_token));
    expect(f.failures.map((e) => e.reason)).toContain('refresh.reused');
  });

  it('lets a client that lost the response retry once within the grace period', async () => {
    const first = await login();
    const lost = (await refresh(first.refresh_token)).body;
    f.clock.advance(2);
    const retry = await refresh(first.refresh_token);
    expect(retry.status).toBe(200);
    // The retried pair works; the lost token is now a reuse.
    const next = await refresh(retry.body.refresh_token);
    expect(next.status).toBe(200);
    expectInvalidGrant(await refresh(lost.refresh_token));
    // ...which revoked the family.
    expectInvalidGrant(await refresh(next.body.refresh_token));
  });

  it('treats a rotated token replayed with a wider scope as reuse, not as invalid_scope', async () => {
    const first = await login('read');
    const second = (await refresh(first.refresh_token)).body;
    f.clock.advance(6);
    expectInvalidGrant(await refresh(first.refresh_token, { scope: 'read admin' }));
    expectInvalidGrant(await refresh(second.refresh_token)); // the family was revoked
  });

  it('gives no grace retry once the family has reached its absolute end', async () => {
    const g = await setup({ refreshTokenTtl: 60 });
    const send = (body: Record<string, string>) => request(g.app).post('/token').type('form').send(body);
    const first = (await send({ grant_type: 'password', username: 'alice', password: PASSWORD })).body;
    g.clock.advance(57);
    expect((await send({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).status).toBe(200);
    g.clock.advance(3); // within the grace, but the family ends at 60 s
    expect((await send({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).body.error).toBe('invalid_grant');
  });

  it('allows only one retry within the grace period', async () => {
    const first = await login();
    await refresh(first.refresh_token);
    expect((await refresh(first.refresh_token)).status).toBe(200);
    expectInvalidGrant(await refresh(first.refresh_token));
  });

  it('expires a refresh token after the absolute lifetime, even when used', async () => {
    let { refresh_token } = await login();
    for (let day = 0; day < 29; day++) {
      f.clock.advance(86400);
      const res = await refresh(refresh_token);
      expect(res.status).toBe(200);
      refresh_token = res.body.refresh_token;
    }
    f.clock.advance(86400);
    expectInvalidGrant(await refresh(refresh_token));
  });

  it('expires a refresh token left unused past the idle limit', async () => {
    // A store whose purge removes nothing, so the rotation's own idle rule answers, not the
    // hourly purge that would otherwise have deleted the token first (refresh.unknown).
    const g = await setup({ refreshTokenStore: new NeverPurgedStore() });
    const send = (body: Record<string, string>) => request(g.app).post('/token').type('form').send(body);
    const first = (await send({ grant_type: 'password', username: 'alice', password: PASSWORD })).body;
    const second = (await send({ grant_type: 'password', username: 'alice', password: PASSWORD })).body;

    g.clock.advance(7 * 86400 - 1); // one second short of the idle limit: still good
    expect((await send({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).status).toBe(200);
    g.clock.advance(1); // the other, unused for exactly the idle limit: dead
    expectInvalidGrant(await send({ grant_type: 'refresh_token', refresh_token: second.refresh_token }));
    expect(g.failures.map((event) => event.reason)).toEqual(['refresh.expired']);
  });

  it('lets the hourly purge remove a refresh token that died unused', async () => {
    const { refresh_token } = await login();
    f.clock.advance(7 * 86400);
    expectInvalidGrant(await refresh(refresh_token));
    expect(await resolvedAuthOf(f.auth).refreshTokens!.find(refresh_token)).toBeNull();
  });

  it('narrows the scope on request, and refuses a wider one as invalid_scope', async () => {
    const { refresh_token } = await login('read');
    const wider = await refresh(refresh_token, { scope: 'read admin' });
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');
    // The refused request did not consume the token.
    const narrow = await refresh(refresh_token, { scope: 'read' });
    expect(narrow.status).toBe(200);
    expect(narrow.body.scope).toBe('read');
  });

  it('drops scopes the user no longer holds', async () => {
    const { refresh_token } = await login();
    await f.users.update(f.alice.id, { scopes: ['read'] });
    const res = await refresh(refresh_token);
    expect(res.body.scope).toBe('read');
  });

  it('rejects an access token sent as a refresh token', async () => {
    const { access_token } = await login();
    expectInvalidGrant(await refresh(access_token));
  });

  it('rejects a refresh token sent as a bearer token', async () => {
    const { refresh_token } = await login();
    const res = await me(refresh_token);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('refuses a missing refresh_token as invalid_request', async () => {
    const res = await request(f.app).post('/token').type('form').send({ grant_type: 'refresh_token' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it('ends the family of a disabled or deleted user', async () => {
    const { refresh_token } = await login();
    await f.users.update(f.alice.id, { disabled: true });
    expectInvalidGrant(await refresh(refresh_token));
    await f.users.update(f.alice.id, { disabled: false });
    expectInvalidGrant(await refresh(refresh_token)); // stays revoked
  });

  it('answers 500 when the store fails during rotation, and both tokens stay as they were', async () => {
    const store = new MemoryRefreshTokenStore();
    const g = await setup({ refreshTokenStore: store });
    const first = (await request(g.app).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password: PASSWORD })).body;
    const second = (await request(g.app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).body;
    const rotate = store.rotate.bind(store);
    store.rotate = () => Promise.reject(new Error('disk full'));
    const failed = await request(g.app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: second.refresh_token });
    expect(failed.status).toBe(500);
    expect(g.appErrors).toEqual([expect.objectContaining({ message: 'disk full' })]);
    store.rotate = rotate;
    // The current token still rotates normally: it was not consumed.
    const ok = await request(g.app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: second.refresh_token });
    expect(ok.status).toBe(200);
  });

  it('issues no refresh token when switched off, and refuses the grant', async () => {
    const g = await setup({ refreshTokens: false });
    const res = await request(g.app).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.access_token).toEqual(expect.any(String));
    expect(res.body.refresh_token).toBeUndefined();
    const grant = await request(g.app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: 'x' });
    expectOAuthError(grant, 400, 'unsupported_grant_type');
  });
});

describe('grant_type=refresh_token with a user store whose records lack tokenEpoch', () => {
  it('refuses the refresh token (fails closed) and ends its family, so sign-out everywhere cannot silently do nothing', async () => {
    const f = await setup({}, new EpochlessUserStore());
    const record = (await f.users.findById(f.alice.id))!;
    expect(record.tokenEpoch).toBeUndefined();
    // A family started from that record has no epoch either: undefined === undefined would let it rotate.
    const { token, family } = await resolvedAuthOf(f.auth).refreshTokens!.start(record.id, record.scopes, record.tokenEpoch);
    expect(family.epoch).toBeUndefined();
    const res = await request(f.app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: token });
    expectOAuthError(res, 400, 'invalid_grant');
    expect(f.failures.map((event) => event.reason)).toEqual(['session.ended']);
    expect((await resolvedAuthOf(f.auth).refreshTokens!.find(token))!.family.revokedAt).not.toBeNull();
  });
});

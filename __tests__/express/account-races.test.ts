import request from 'supertest';
import type { User } from '../../lib/core/user';
import { PasswordHasher } from '../../lib/login/passwords';
import { MemoryUserStore } from '../../lib/stores/memory/users';
import { expectBearerError, expectOAuthError, PASSWORD, setup, type Fixture } from '../helpers';
import { PausingUserStore } from '../stores/pausing-user-store';

/**
 * Writes that meet: a login whose rehash of an outdated hash races a password
 * change, and "sign out everywhere" racing a password change and a login
 * (issue 13, finding 2). Each scenario is made deterministic by a store that
 * holds one chosen write until the other request has finished; one test also
 * runs the plain race many times with real concurrency.
 */
describe('account writes that race', () => {
  const NEW = 'a brand new password';
  /** Cheap argon2 for the auth, and cheaper still for the "outdated" hash, so every login with it rehashes. */
  const ARGON2 = { memoryCost: 1024, timeCost: 1 };
  const outdated = new PasswordHasher({ memoryCost: 512, timeCost: 1 });

  let store: PausingUserStore;
  let f: Fixture;
  beforeEach(async () => {
    store = new PausingUserStore(new MemoryUserStore());
    f = await setup({ argon2: ARGON2, rateLimits: false }, store);
  });

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const login = (username: string, password: string) =>
    request(f.app).post('/token').type('form').send({ grant_type: 'password', username, password }).then((res) => res);
  const changePassword = (token: string) =>
    request(f.app).put('/users/me/password').set(bearer(token)).send({ current_password: PASSWORD, new_password: NEW }).then((res) => res);

  /** A user whose hash has outdated parameters, so that a login with PASSWORD rehashes it. */
  async function userWithOutdatedHash(username = 'alice'): Promise<User> {
    const existing = await f.users.findByUsername(username);
    const hash = await outdated.hash(PASSWORD);
    const user = existing
      ? (await f.users.update(existing.id, { passwordHash: hash }))!
      : await f.users.create({ username, passwordHash: hash, scopes: ['read'] });
    expect(f.auth.passwords.needsRehash(user.passwordHash)).toBe(true);
    return user;
  }

  /** What must hold after a racing login with the old password and a password change that answered 204. */
  async function expectOnlyTheNewPassword(username: string, racingLogin: request.Response): Promise<void> {
    if (racingLogin.status === 200) {
      // It logged in before the change took effect: its session is one the change ended.
      expectBearerError(await request(f.app).get('/users/me').set(bearer(racingLogin.body.access_token)), 401, 'invalid_token');
      const refresh = await request(f.app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: racingLogin.body.refresh_token });
      expectOAuthError(refresh, 400, 'invalid_grant');
    } else {
      expectOAuthError(racingLogin, 400, 'invalid_grant');
    }
    expectOAuthError(await login(username, PASSWORD), 400, 'invalid_grant');
    const fresh = await login(username, NEW);
    expect(fresh.status).toBe(200);
    expect((await request(f.app).get('/users/me').set(bearer(fresh.body.access_token))).status).toBe(200);
  }

  /** The login's rehash: a write of the password hash alone. */
  const isRehash = (patch: { passwordHash?: string; tokenEpoch?: number }) => patch.passwordHash !== undefined && patch.tokenEpoch === undefined;
  /** A write that bumps the token epoch (password change, sign-out everywhere). */
  const isBump = (patch: { tokenEpoch?: number }) => patch.tokenEpoch !== undefined;

  it('keeps a password change that lands while a login with the old password rehashes it (the rehash is skipped)', async () => {
    const alice = await userWithOutdatedHash();
    const held = store.holdNext(isRehash);

    const racing = login('alice', PASSWORD);
    await held.reached;
    const change = await changePassword(f.tokenFor(alice));
    expect(change.status).toBe(204);
    held.release();

    const res = await racing;
    expect(res.status).toBe(200);
    // The rehash did not write the old password back.
    const stored = (await f.users.findById(alice.id))!;
    expect(await f.auth.passwords.verify(stored.passwordHash, NEW)).toBe(true);
    expect(stored.tokenEpoch).toBe(alice.tokenEpoch + 1);
    await expectOnlyTheNewPassword('alice', res);
  });

  it('issues the racing login tokens of the epoch it verified, never of the one the password change started', async () => {
    const alice = await userWithOutdatedHash();
    const held = store.holdNext(isRehash);

    const racing = login('alice', PASSWORD);
    await held.reached;
    expect((await changePassword(f.tokenFor(alice))).status).toBe(204);
    held.release();

    const res = await racing;
    const claims = JSON.parse(Buffer.from(res.body.access_token.split('.')[1], 'base64url').toString());
    expect(claims.epoch).toBe(alice.tokenEpoch);
    expectBearerError(await request(f.app).get('/users/me').set(bearer(res.body.access_token)), 401, 'invalid_token');
    expect(f.failures.at(-1)).toMatchObject({ reason: 'session.ended' });
  });

  it('changes the password when a login rehashes the old one just before the change is written', async () => {
    const alice = await userWithOutdatedHash();
    const held = store.holdNext(isBump);

    const change = changePassword(f.tokenFor(alice));
    await held.reached;
    const racing = await login('alice', PASSWORD);
    expect(racing.status).toBe(200);
    // The login saved a current hash of the old password.
    expect(f.auth.passwords.needsRehash((await f.users.findById(alice.id))!.passwordHash)).toBe(false);
    held.release();

    expect((await change).status).toBe(204);
    await expectOnlyTheNewPassword('alice', racing);
  });

  it('holds for many real races of a login with the old password and a password change', async () => {
    const trials = 24;
    const users = await Promise.all(Array.from({ length: trials }, (_, i) => userWithOutdatedHash(`racer${i}`)));

    const results = await Promise.all(
      users.map(async (user, i) => {
        // Start the login a little before, at or a little after the change, so the two meet at different points.
        const offset = (i % 3) - 1;
        const [racing, change] = await Promise.all([
          (async () => {
            if (offset > 0) await new Promise((resolve) => setImmediate(resolve));
            return login(user.username, PASSWORD);
          })(),
          (async () => {
            if (offset < 0) await new Promise((resolve) => setImmediate(resolve));
            return changePassword(f.tokenFor(user));
          })(),
        ]);
        return { user, racing, change };
      }),
    );

    for (const { user, racing, change } of results) {
      expect(change.status).toBe(204);
      await expectOnlyTheNewPassword(user.username, racing);
    }
  }, 60_000);

  it('ends a session that a login started while sign-out everywhere was under way', async () => {
    // Sign-out read the account, then a password change and a login with the
    // new password happened before sign-out wrote: sign-out must still end the
    // login's session, or a 204 "signed out everywhere" leaves one alive.
    const alice = (await f.users.findById(f.alice.id))!;
    const held = store.holdNext(isBump);
    const signOut = request(f.app).delete('/users/me/sessions').set(bearer(f.tokenFor(alice))).then((res) => res);
    await held.reached;

    const change = await request(f.app).put('/users/me/password').set(bearer(f.tokenFor(alice))).send({ current_password: PASSWORD, new_password: NEW });
    expect(change.status).toBe(204);
    const fresh = await login('alice', NEW);
    expect(fresh.status).toBe(200);
    expect((await request(f.app).get('/users/me').set(bearer(fresh.body.access_token))).status).toBe(200);
    held.release();

    expect((await signOut).status).toBe(204);
    expectBearerError(await request(f.app).get('/users/me').set(bearer(fresh.body.access_token)), 401, 'invalid_token');
    expect((await f.users.findById(alice.id))!.tokenEpoch).toBe(alice.tokenEpoch + 2);
  });

  it('counts every one of many concurrent sign-outs everywhere', async () => {
    const alice = (await f.users.findById(f.alice.id))!;
    const token = f.tokenFor(alice);
    // Each request passes the bearer check first, then they all bump at once.
    const held = store.holdEvery(isBump, 5);
    const signOuts = Array.from({ length: 5 }, () => request(f.app).delete('/users/me/sessions').set(bearer(token)).then((res) => res));
    await held.reached;
    held.release();

    expect((await Promise.all(signOuts)).map((res) => res.status)).toEqual([204, 204, 204, 204, 204]);
    expect((await f.users.findById(alice.id))!.tokenEpoch).toBe(alice.tokenEpoch + 5);
  });

  it('answers a password change whose session ended meanwhile with 401 invalid_token and keeps the password', async () => {
    const alice = (await f.users.findById(f.alice.id))!;
    const token = f.tokenFor(alice);
    // The change verified the current password; sign-out everywhere commits before it writes.
    const held = store.holdNext((patch) => patch.passwordHash !== undefined);
    const change = changePassword(token);
    await held.reached;
    expect(await f.auth.endAllSessions(alice.id)).toBe(true);
    held.release();

    const res = await change;
    expectBearerError(res, 401, 'invalid_token');
    expect(f.failures.at(-1)).toMatchObject({ reason: 'session.ended' });
    const stored = (await f.users.findById(alice.id))!;
    expect(await f.auth.passwords.verify(stored.passwordHash, PASSWORD)).toBe(true);
    expect(stored.tokenEpoch).toBe(alice.tokenEpoch + 1);
  });
});

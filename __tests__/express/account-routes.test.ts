import express from 'express';
import { Passport } from 'passport';
import request from 'supertest';
import { PasswordHasher } from '../../lib/login/passwords';
import { resolvedAuthOf } from '../../lib/config/handles';
import { expectBearerError, expectOAuthError, PASSWORD, setup, type Fixture } from '../helpers';
import { LOOKALIKES } from '../lookalikes';
import type { User } from '../../lib/core/user';

describe('account self-service', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setup();
  });

  const login = async (username = 'alice', password = PASSWORD) =>
    (await request(f.app).post('/token').type('form').send({ grant_type: 'password', username, password })).body as {
      access_token: string;
      refresh_token: string;
    };
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  describe('PATCH /users/me', () => {
    it('updates the caller\'s email and returns the record without a hash', async () => {
      const { access_token } = await login();
      const res = await request(f.app).patch('/users/me').set(bearer(access_token)).send({ email: 'new@example.com' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: f.alice.id, username: 'alice', email: 'new@example.com' });
      expect(res.body).not.toHaveProperty('passwordHash');
      expect((await f.users.findById(f.alice.id))!.email).toBe('new@example.com');
    });

    it('answers with Cache-Control: no-store, since the answer is account data', async () => {
      const { access_token } = await login();
      const res = await request(f.app).patch('/users/me').set(bearer(access_token)).send({ email: 'new@example.com' });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('says a JSON body sent as a form looks like JSON, and echoes none of it', async () => {
      const { access_token } = await login();
      const res = await request(f.app).patch('/users/me').set(bearer(access_token)).type('form').send('{"email":"secret@example.com"}');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: 'The body looks like JSON: send it with Content-Type: application/json' });
      expect((await f.users.findById(f.alice.id))!.email).toBe('alice@example.com');
    });

    it('clears the email with null', async () => {
      const { access_token } = await login();
      const res = await request(f.app).patch('/users/me').set(bearer(access_token)).send({ email: null });
      expect(res.body.email).toBeNull();
    });

    it.each([
      ['username', { username: 'mallory' }],
      ['id', { id: 'someone-else' }],
      ['scopes', { scopes: ['root'] }],
      ['disabled', { disabled: false }],
      ['passwordHash', { passwordHash: 'x' }],
      ['an unknown field', { nickname: 'al' }],
    ])('refuses to change %s with 400 invalid_request', async (_name, body) => {
      const { access_token } = await login();
      const res = await request(f.app).patch('/users/me').set(bearer(access_token)).send({ email: 'a@b.c', ...body });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
      expect(await f.users.findById(f.alice.id)).toEqual(f.alice);
    });

    it('refuses an invalid email', async () => {
      const { access_token } = await login();
      const res = await request(f.app).patch('/users/me').set(bearer(access_token)).send({ email: 'not an email' });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });

    it("can only ever change the caller's own record", async () => {
      const bob = await f.users.create({ username: 'bob', email: 'bob@example.com', passwordHash: await new PasswordHasher().hash(PASSWORD) });
      const { access_token } = await login();
      await request(f.app).patch('/users/me').set(bearer(access_token)).send({ email: 'x@example.com' });
      expect((await f.users.findById(bob.id))!.email).toBe('bob@example.com');
      const attempt = await request(f.app).patch('/users/me').set(bearer(access_token)).send({ id: bob.id, email: 'y@example.com' });
      expect(attempt.status).toBe(400);
      expect(attempt.body.error).toBe('invalid_request');
      expect((await f.users.findById(bob.id))!.email).toBe('bob@example.com');
    });

    it('challenges a request without a token', async () => {
      const res = await request(f.app).patch('/users/me').send({ email: 'a@b.c' });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    });
  });

  describe('refusals of the credentials', () => {
    it.each([
      ['PATCH', '/users/me'],
      ['PUT', '/users/me/password'],
      ['DELETE', '/users/me/sessions'],
    ])('%s %s answers a bad token or none with 401, its challenge and Cache-Control: no-store', async (method, path) => {
      for (const authorization of [undefined, 'Bearer not-a-token']) {
        let req = request(f.app)[method.toLowerCase() as 'patch' | 'put' | 'delete'](path);
        if (authorization !== undefined) req = req.set('Authorization', authorization);
        const res = await req.send({});
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="api"/);
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.headers['pragma']).toBe('no-cache');
      }
    });
  });

  describe('PUT /users/me/password', () => {
    const NEW = 'a brand new password';

    it('changes the password with 204 and ends every earlier session', async () => {
      const { access_token, refresh_token } = await login();
      const other = await login(); // a second device
      const res = await request(f.app).put('/users/me/password').set(bearer(access_token)).send({ current_password: PASSWORD, new_password: NEW });
      expect(res.status).toBe(204);
      for (const token of [access_token, other.access_token]) {
        const me = await request(f.app).get('/users/me').set(bearer(token));
        expectBearerError(me, 401, 'invalid_token');
      }
      for (const token of [refresh_token, other.refresh_token]) {
        const r = await request(f.app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: token });
        expectOAuthError(r, 400, 'invalid_grant');
      }
      expectOAuthError(await request(f.app).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password: PASSWORD }), 400, 'invalid_grant');
      const fresh = await login('alice', NEW);
      expect((await request(f.app).get('/users/me').set(bearer(fresh.access_token))).status).toBe(200);
    });

    it('refuses a wrong current password with 400 and reports it like a failed login', async () => {
      const { access_token } = await login();
      const res = await request(f.app).put('/users/me/password').set(bearer(access_token)).send({ current_password: 'wrong', new_password: NEW });
      expectOAuthError(res, 400, 'invalid_grant');
      expect(f.failures.at(-1)).toMatchObject({ reason: 'login.wrong_password', detail: 'wrong current password' });
      expect((await request(f.app).get('/users/me').set(bearer(access_token))).status).toBe(200);
    });

    it.each([
      ['too short', 'short'],
      ['too long', 'x'.repeat(1025)],
    ])('refuses a new password that is %s', async (_name, next) => {
      const { access_token } = await login();
      const res = await request(f.app).put('/users/me/password').set(bearer(access_token)).send({ current_password: PASSWORD, new_password: next });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });
  });

  describe('DELETE /users/me/sessions', () => {
    it('signs out everywhere: every earlier access and refresh token stops working', async () => {
      const a = await login();
      const b = await login();
      expect((await request(f.app).delete('/users/me/sessions').set(bearer(a.access_token))).status).toBe(204);
      expectBearerError(await request(f.app).get('/users/me').set(bearer(b.access_token)), 401, 'invalid_token');
      const r = await request(f.app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: b.refresh_token });
      expectOAuthError(r, 400, 'invalid_grant');
      const again = await login();
      expect((await request(f.app).get('/users/me').set(bearer(again.access_token))).status).toBe(200);
    });

    it('is also there for admin tools as auth.endAllSessions(userId)', async () => {
      const { access_token } = await login();
      expect(await f.auth.endAllSessions(f.alice.id)).toBe(true);
      expect(await f.auth.endAllSessions('no-such-id')).toBe(false);
      expectBearerError(await request(f.app).get('/users/me').set(bearer(access_token)), 401, 'invalid_token');
    });
  });

  describe('POST /users (registration)', () => {
    it('creates an account with 201 and no scopes', async () => {
      const res = await request(f.app).post('/users').send({ username: 'carol', password: 'long enough password', email: 'carol@example.com' });
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store'); // account data
      expect(res.body).toMatchObject({ username: 'carol', email: 'carol@example.com', scopes: [], disabled: false });
      expect(res.body).not.toHaveProperty('passwordHash');
      expect((await login('carol', 'long enough password')).access_token).toEqual(expect.any(String));
    });

    it('answers a taken username, in any case, with 409', async () => {
      const res = await request(f.app).post('/users').send({ username: 'ALICE', password: 'long enough password' });
      expect(res.status).toBe(409);
      expect(res.body.error).toBe('username_taken');
    });

    it.each([
      ['a short password', { username: 'dave', password: 'short' }],
      ['a username with a control character', { username: 'da\u0000ve', password: 'long enough password' }],
      ['a bad email', { username: 'dave', password: 'long enough password', email: 'nope' }],
      ['a missing password', { username: 'dave' }],
    ])('refuses %s with 400 invalid_request', async (_name, body) => {
      const res = await request(f.app).post('/users').send(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });

    describe('look-alike usernames (RFC 8265 UsernameCaseMapped, UTS #39)', () => {
      const register = (username: string) => request(f.app).post('/users').send({ username, password: 'long enough password' });
      /** Status and RFC error code as the client reads them. */
      const expectRefused = (res: request.Response, status: number, error: string) => {
        expect(res.status).toBe(status);
        expect(res.body.error).toBe(error);
      };

      it('answers full-width ａｌｉｃｅ with 409: width mapping gives it the key of alice', async () => {
        expectRefused(await register('ａｌｉｃｅ'), 409, 'username_taken');
        expect(f.failures.at(-1)).toMatchObject({ reason: 'username.taken' });
        expect((await f.users.list()).map((user) => user.username)).toEqual(['alice']);
      });

      it.each([
        ['a Cyrillic а (mixed scripts)', '\u0430lice', /mix scripts/],
        ['a HANGUL FILLER', 'alice\u3164', /invisible or formatting characters \(U\+3164\)/],
        ['a COMBINING GRAPHEME JOINER', 'ali\u034Fce', /invisible or formatting characters \(U\+034F\)/],
        ['a VARIATION SELECTOR-16', 'alice\uFE0F', /invisible or formatting characters \(U\+FE0F\)/],
        ['a BRAILLE PATTERN BLANK', 'alice\u2800', /invisible or formatting characters \(U\+2800\)/],
        ['a RIGHT-TO-LEFT OVERRIDE', 'alice\u202Egnp', /bidirectional control characters/],
        ['a ZERO WIDTH SPACE', 'ali\u200Bce', /invisible/],
      ])('refuses alice with %s with 400 invalid_request, saying why', async (_name, username, why) => {
        const res = await register(username);
        expectRefused(res, 400, 'invalid_request');
        expect(res.body.error_description).toMatch(why);
        expect(f.failures.at(-1)).toMatchObject({ reason: 'request.invalid' });
        expect((await f.users.list()).map((user) => user.username)).toEqual(['alice']);
      });

      it.each([
        ['STRASSE', 'straße'],
        ['straße', 'STRASSE'],
        ['ΟΔΟΣ', 'οδοσ'],
        ['οδοσ', 'οδος'],
      ])('answers %s then %s with 201 then 409 (full case folding)', async (first, second) => {
        expect((await register(first)).status).toBe(201);
        expectRefused(await register(second), 409, 'username_taken');
      });

      it('stores a full-width name as its ordinary form', async () => {
        const res = await register('ｂｏｂ');
        expect(res.status).toBe(201);
        expect(res.body.username).toBe('bob');
      });

      it.each(['ＡＬＩＣＥ', 'ａｌｉｃｅ', 'Alice', 'ALICE'])('lets alice log in as %s (the same key)', async (username) => {
        const res = await request(f.app).post('/token').type('form').send({ grant_type: 'password', username, password: PASSWORD });
        expect(res.status).toBe(200);
        expect((await request(f.app).get('/users/me').set(bearer(res.body.access_token))).body.username).toBe('alice');
      });

      describe('confusables (UTS #39 §4 skeletons)', () => {
        const tokenFor = (username: string, password: string) =>
          request(f.app).post('/token').type('form').send({ grant_type: 'password', username, password });

        it.each(LOOKALIKES)('answers %s then its look-alike %s with 409 username_taken (%s)', async (existing, lookalike) => {
          if (existing !== 'alice') expect((await register(existing)).status).toBe(201);
          const before = (await f.users.list()).map((user) => user.username);

          const res = await register(lookalike);

          expectRefused(res, 409, 'username_taken');
          expect(res.body.error_description).toBe('That username looks like one that is taken');
          expect(f.failures.at(-1)).toMatchObject({ reason: 'username.lookalike' });
          expect((await f.users.list()).map((user) => user.username)).toEqual(before);
          // The look-alike is no account: it does not log into the one it looks like.
          expectOAuthError(await tokenFor(lookalike, existing === 'alice' ? PASSWORD : 'long enough password'), 400, 'invalid_grant');
        });

        it.each(LOOKALIKES.filter(([existing]) => existing !== 'alice'))(
          'answers the look-alike %s second too: %s first, then it, is 201 then 409',
          async (existing, lookalike) => {
            expect((await register(lookalike)).status).toBe(201);
            expectRefused(await register(existing), 409, 'username_taken');
            expect(f.failures.at(-1)).toMatchObject({ reason: 'username.lookalike' });
          },
        );

        it('still answers a taken key (another case) with "taken", not "looks like"', async () => {
          const res = await register('Alice');
          expectRefused(res, 409, 'username_taken');
          expect(res.body.error_description).toBe('That username is taken');
          expect(f.failures.at(-1)).toMatchObject({ reason: 'username.taken' });
        });

        it('lets exactly one of two concurrent look-alike registrations win', async () => {
          const [a, b] = await Promise.all([register('\u0441\u043e\u0441\u043e'), register('coco')]); // Cyrillic сосо, Latin coco
          expect([a.status, b.status].sort()).toEqual([201, 409]);
          expect((await f.users.list()).map((user) => user.username).filter((name) => name !== 'alice')).toHaveLength(1);
        });

        it('refuses a look-alike before hashing its password', async () => {
          const hash = jest.spyOn(resolvedAuthOf(f.auth).passwords, 'hash');
          expectRefused(await register('aIice'), 409, 'username_taken');
          expect(hash).not.toHaveBeenCalled();
          hash.mockRestore();
        });

        it.each([
          ['bob', 'rob'],
          ['anna', 'hanna'],
          ['José', 'Jose'], // no accent is a confusable in the UTS #39 data: two names
          ['mary', 'marv'],
        ])('lets %s and %s both register', async (first, second) => {
          expect((await register(first)).status).toBe(201);
          expect((await register(second)).status).toBe(201);
          expect((await tokenFor(second, 'long enough password')).status).toBe(200);
        });
      });

      it('lets a user registered as straße log in as STRASSE', async () => {
        expect((await register('straße')).status).toBe(201);
        const res = await request(f.app).post('/token').type('form').send({ grant_type: 'password', username: 'STRASSE', password: 'long enough password' });
        expect(res.status).toBe(200);
      });
    });

    it('limits registrations per client IP with 429 and Retry-After', async () => {
      const g = await setup({ rateLimits: { registrationsPerHour: 2 }, argon2: { memoryCost: 1024, timeCost: 1 } });
      for (const name of ['u1', 'u2']) {
        expect((await request(g.app).post('/users').send({ username: name, password: 'long enough password' })).status).toBe(201);
      }
      const res = await request(g.app).post('/users').send({ username: 'u3', password: 'long enough password' });
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('3600');
      expect(res.body.error).toBe('too_many_requests');
      expect(await g.users.findByUsername('u3')).toBeNull();
    });
  });
});

describe('account routes act on the token\'s own account', () => {
  /** Alice's fixture, bob beside her, and an app whose middleware runs `meddle` after authenticate(). */
  async function meddling(meddle: (req: express.Request, bob: User) => void) {
    const f = await setup();
    const bob = await f.users.create({ username: 'bob', email: 'bob@example.com', passwordHash: f.alice.passwordHash, scopes: [] });
    const app = express();
    app.use(express.json());
    app.use(f.auth.authenticate());
    app.use((req, _res, next) => {
      meddle(req, bob);
      next();
    });
    app.patch('/users/me', f.auth.updateMe());
    app.delete('/users/me/sessions', f.auth.signOutEverywhere());
    return { f, bob, app };
  }

  it('whatever app code put into req.user after authenticate() ("view as", a session user)', async () => {
    const { f, bob, app } = await meddling((req, other) => {
      req.user = { ...other, passwordHash: undefined } as unknown as Express.User;
    });
    const token = f.tokenFor();
    const res = await request(app).patch('/users/me').set('Authorization', `Bearer ${token}`).send({ email: 'attacker@example.com' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: f.alice.id, email: 'attacker@example.com' });
    expect((await f.users.findById(bob.id))!.email).toBe('bob@example.com');
    expect((await request(app).delete('/users/me/sessions').set('Authorization', `Bearer ${token}`)).status).toBe(204);
    expect((await f.users.findById(bob.id))!.tokenEpoch).toBe(bob.tokenEpoch);
    expect((await f.users.findById(f.alice.id))!.tokenEpoch).toBe(f.alice.tokenEpoch + 1);
  });

  it('whatever app code changed in req.user itself (its id)', async () => {
    const { f, bob, app } = await meddling((req, other) => {
      (req.user as { id: string }).id = other.id;
    });
    const res = await request(app).patch('/users/me').set('Authorization', `Bearer ${f.tokenFor()}`).send({ email: 'attacker@example.com' });
    expect(res.status).toBe(200);
    expect((await f.users.findById(bob.id))!.email).toBe('bob@example.com');
    expect((await f.users.findById(f.alice.id))!.email).toBe('attacker@example.com');
  });

  it('after Passport\'s jwt strategy with assignProperty (which leaves req.user unset)', async () => {
    const f = await setup();
    const pass = new Passport();
    pass.use(f.auth.jwtStrategy);
    const app = express();
    app.use(express.json());
    app.patch('/users/me', pass.authenticate('jwt', { session: false, assignProperty: 'account' }), f.auth.updateMe());
    const res = await request(app).patch('/users/me').set('Authorization', `Bearer ${f.tokenFor()}`).send({ email: 'new@example.com' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: f.alice.id, email: 'new@example.com' });
  });
});

import request from 'supertest';
import { expectTooMany, PASSWORD, setup, type Fixture } from '../helpers';

describe('brute-force protection at the token endpoint', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setup();
  });

  const login = (password: string, username = 'alice') =>
    request(f.app).post('/token').type('form').send({ grant_type: 'password', username, password });

  it('answers 429 with Retry-After after 5 consecutive failures, without running argon2', async () => {
    for (let i = 0; i < 5; i++) expect((await login('wrong')).body.error).toBe('invalid_grant');
    const verify = jest.spyOn(f.auth.passwords, 'verify');
    expectTooMany(await login('wrong'), 60);
    // Even the right password waits: the block is on the account, and no hash runs while it holds.
    expectTooMany(await login(PASSWORD), 60);
    expect(verify).not.toHaveBeenCalled();
    expect(f.failures.at(-1)?.reason).toBe('login.blocked');
  });

  it('gives a burst of parallel guesses no more tries than one after another', async () => {
    const verify = jest.spyOn(f.auth.passwords, 'verify');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => login('wrong', i % 2 ? 'alice' : 'ALICE')));
    expect(answers.filter((res) => res.status === 400)).toHaveLength(5);
    expect(answers.filter((res) => res.status === 429)).toHaveLength(15);
    expect(verify).toHaveBeenCalledTimes(5);
  });

  it('counts unknown and disabled users too, so a block tells nothing about the account', async () => {
    for (let i = 0; i < 5; i++) await login('wrong', 'nobody');
    expectTooMany(await login('wrong', 'nobody'), 60);
  });

  it('resets the count after a successful login', async () => {
    for (let i = 0; i < 4; i++) await login('wrong');
    expect((await login(PASSWORD)).status).toBe(200);
    for (let i = 0; i < 4; i++) await login('wrong');
    expect((await login(PASSWORD)).status).toBe(200);
  });

  it('counts a wrong current password at PUT /users/me/password towards the lock', async () => {
    const token = (await login(PASSWORD)).body.access_token;
    for (let i = 0; i < 5; i++) {
      const res = await request(f.app).put('/users/me/password').set('Authorization', `Bearer ${token}`).send({ current_password: 'wrong', new_password: 'a new long password' });
      expect(res.status).toBe(400);
    }
    expectTooMany(await login(PASSWORD), 60);
  });

  it('limits token requests per client IP', async () => {
    const g = await setup({ rateLimits: { ipRequestsPerMinute: 2 } });
    const send = () => request(g.app).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password: PASSWORD });
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(200);
    expectTooMany(await send(), 60);
    // /revoke has its own budget.
    expect((await request(g.app).post('/revoke').type('form').send({ token: 'x' })).status).toBe(200);
  });

  it('can be switched off', async () => {
    const g = await setup({ rateLimits: false });
    for (let i = 0; i < 7; i++) {
      expect((await request(g.app).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password: 'wrong' })).status).toBe(400);
    }
  });
});

describe('the password-hashing queue', () => {
  it('answers 503 with Retry-After when the queue is full, instead of piling up argon2 memory', async () => {
    const f = await setup({ hashing: { concurrency: 1, queue: 1 } });
    const send = () => request(f.app).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password: PASSWORD });
    const answers = await Promise.all([send(), send(), send(), send()]);
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
    const busy = answers.find((res) => res.status === 503)!;
    expect(busy.headers['retry-after']).toBe('1');
    expect(busy.headers['cache-control']).toBe('no-store');
    expect(busy.body.error).toBe('temporarily_unavailable');
    // Once the queue drains, logins work again.
    expect((await send()).status).toBe(200);
  });
});

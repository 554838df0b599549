import express, { type NextFunction, type Request, type Response } from 'express';
import passport from 'passport';
import request from 'supertest';
import { PASSWORD, setup, type Fixture } from '../helpers';

describe('LocalStrategy with passport.authenticate', () => {
  let f: Fixture;
  let app: express.Express;
  let errors: unknown[];

  beforeEach(async () => {
    f = await setup();
    errors = [];
    const pass = new passport.Passport();
    pass.use(f.auth.localStrategy);
    app = express();
    app.use(express.urlencoded({ extended: false }), express.json());
    // A custom callback shows what the strategy decided: user, info and status.
    app.post('/login', (req, res, next) => {
      pass.authenticate('local', { session: false }, (err: unknown, user: Express.User | false, info: unknown, status: number) => {
        if (err) return next(err);
        if (!user) return res.status(status ?? 401).json(info);
        res.json({ username: user.username, hasHash: 'passwordHash' in user });
      })(req, res, next);
    });
    app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      errors.push(err);
      res.status(500).json({ error: 'server_error' });
    });
  });

  it('logs alice in from a form body, without exposing her hash', async () => {
    const res = await request(app).post('/login').type('form').send({ username: 'alice', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ username: 'alice', hasHash: false });
  });

  it('logs alice in from a JSON body', async () => {
    const res = await request(app).post('/login').send({ username: 'alice', password: PASSWORD });
    expect(res.status).toBe(200);
  });

  it('never reads credentials from the query string', async () => {
    const res = await request(app).post(`/login?username=alice&password=${encodeURIComponent(PASSWORD)}`).type('form').send('');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    // Not even to fill in a field the body lacks.
    const half = await request(app).post(`/login?password=${encodeURIComponent(PASSWORD)}`).type('form').send({ username: 'alice' });
    expect(half.status).toBe(400);
  });

  it.each([
    ['a number', { username: 'alice', password: 12345678 }],
    ['an array', { username: ['alice'], password: PASSWORD }],
    ['an object', { username: 'alice', password: { $gt: '' } }],
  ])('refuses a %s field as invalid_request, never a 500', async (_name, body) => {
    const res = await request(app).post('/login').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(errors).toEqual([]);
  });

  it('refuses a repeated form field as invalid_request', async () => {
    const res = await request(app).post('/login').type('form').send(`username=alice&username=bob&password=${encodeURIComponent(PASSWORD)}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it('answers a wrong password, an unknown user and a disabled user identically', async () => {
    await f.users.create({ username: 'bob', passwordHash: (await f.users.findById(f.alice.id))!.passwordHash, disabled: true });
    const answers = await Promise.all([
      request(app).post('/login').send({ username: 'alice', password: 'wrong password' }),
      request(app).post('/login').send({ username: 'nobody', password: PASSWORD }),
      request(app).post('/login').send({ username: 'bob', password: PASSWORD }),
    ]);
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'invalid_grant', message: 'Invalid username or password' });
    }
  });

  it('refuses an over-long password as invalid_request before hashing', async () => {
    const verify = jest.spyOn(f.auth.passwords, 'verify');
    const res = await request(app).post('/login').send({ username: 'alice', password: 'x'.repeat(1025) });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(verify).not.toHaveBeenCalled();
  });

  it('turns a store failure into a 500 through next(err)', async () => {
    f.users.findByUsername = () => Promise.reject(new Error('database is down'));
    const res = await request(app).post('/login').send({ username: 'alice', password: PASSWORD });
    expect(res.status).toBe(500);
    expect(errors).toEqual([expect.objectContaining({ message: 'database is down' })]);
  });

  it('keeps the 429 of a blocked account, with the wait in the info, instead of a plain 401', async () => {
    for (let i = 0; i < 5; i++) expect((await request(app).post('/login').send({ username: 'alice', password: 'wrong password' })).status).toBe(401);
    const res = await request(app).post('/login').send({ username: 'alice', password: PASSWORD });
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ error: 'too_many_requests', message: 'Too many requests; try again later', retryAfter: 60 });
    // RFC 6585 §4: the wait is in the header too, where HTTP clients look for it.
    expect(res.headers['retry-after']).toBe('60');
  });

  it('sends Retry-After with the 429 under passport.authenticate without a callback', async () => {
    const pass = new passport.Passport();
    pass.use(f.auth.localStrategy);
    const plain = express();
    plain.post('/login', express.json(), pass.authenticate('local', { session: false }), (req, res) => {
      res.json({ username: req.user?.username });
    });
    for (let i = 0; i < 5; i++) expect((await request(plain).post('/login').send({ username: 'alice', password: 'wrong password' })).status).toBe(401);
    const res = await request(plain).post('/login').send({ username: 'alice', password: PASSWORD });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('60');
  });
});

describe('LocalStrategy and an onLogin hook', () => {
  it('admits the user who logged in, whatever the hook did to the user it was given before it threw', async () => {
    const errors: string[] = [];
    const f = await setup({
      onLogin: ({ user }) => {
        (user as { id: string }).id = 'other';
        user.scopes.push('root');
        throw new Error('audit sink down');
      },
      onError: (_err, context) => errors.push(context),
    });
    const pass = new passport.Passport();
    pass.use(f.auth.localStrategy);
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.post('/login', pass.authenticate('local', { session: false }), (req, res) => {
      res.json({ id: req.user!.id, scopes: req.user!.scopes });
    });
    const res = await request(app).post('/login').type('form').send({ username: 'alice', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: f.alice.id, scopes: f.alice.scopes });
    expect(errors).toEqual(['onLogin hook threw']);
  });
});

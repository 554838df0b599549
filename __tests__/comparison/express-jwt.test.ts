import express, { type NextFunction, type Request, type Response } from 'express';
import { expressjwt } from 'express-jwt';
import request from 'supertest';
import { SECRET } from '../helpers';

// Pins the README's comparison: express-jwt leaves the answer (and any challenge) to the app's error handler.
describe('express-jwt 8 (for comparison)', () => {
  const seen: Array<{ name: string; code: string; status: number }> = [];
  const app = express();
  app.get('/users/me', expressjwt({ secret: SECRET, algorithms: ['HS256'] }), (_req, res) => {
    res.json({ ok: true });
  });
  app.use((err: { name: string; code: string; status: number }, _req: Request, res: Response, _next: NextFunction) => {
    seen.push({ name: err.name, code: err.code, status: err.status });
    res.status(err.status).end();
  });

  it('throws an UnauthorizedError to the app for "Bearer tok junk", with no WWW-Authenticate of its own', async () => {
    const res = await request(app).get('/users/me').set('Authorization', 'Bearer a.b.c junk');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(seen.at(-1)).toEqual({ name: 'UnauthorizedError', code: 'credentials_bad_format', status: 401 });
  });
});

import express from 'express';
import passport from 'passport';
import request from 'supertest';
import { MemoryDenylistStore } from '../../lib/stores/memory/denylist';
import { expectBearerError, expectOAuthError, PASSWORD, setup } from '../helpers';

describe('audit hooks that throw', () => {
  it('never change the answer at the token endpoint, and reach onError', async () => {
    const errors: string[] = [];
    const f = await setup({
      onLogin: () => {
        throw new Error('audit sink down');
      },
      onFailure: () => {
        throw new Error('audit sink down');
      },
      onError: (_err, context) => errors.push(context),
    });
    const ok = await request(f.app).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    const bad = await request(f.app).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password: 'wrong' });
    expectOAuthError(bad, 400, 'invalid_grant');
    expect(errors).toEqual(['onLogin hook threw', 'onFailure hook threw']);
  });

  it('never crash a Passport strategy: the challenge is still sent', async () => {
    const errors: string[] = [];
    const f = await setup({
      onFailure: () => {
        throw new Error('audit sink down');
      },
      onError: (_err, context) => errors.push(context),
    });
    const pass = new passport.Passport();
    pass.use(f.auth.jwtStrategy);
    const app = express();
    app.get('/me', pass.authenticate('jwt', { session: false }), (_req, res) => {
      res.json({ ok: true });
    });
    const res = await request(app).get('/me').set('Authorization', 'Bearer a.b.c');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(errors).toEqual(['onFailure hook threw']);
  });

  it('send the rejection of an async hook to onError, without an unhandled rejection', async () => {
    const errors: Array<[string, string]> = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const f = await setup({
        onLogin: async () => {
          throw new Error('audit database down (login)');
        },
        onFailure: async () => {
          throw new Error('audit database down (failure)');
        },
        onError: (err, context) => errors.push([context, (err as Error).message]),
      });
      expectBearerError(await request(f.app).get('/users/me').set('Authorization', 'Bearer a.b.c'), 401, 'invalid_token');
      const ok = await request(f.app).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password: PASSWORD });
      expect(ok.status).toBe(200);
      // Let the rejections settle (a macrotask: Node reports unhandled ones after the microtasks).
      await new Promise((resolve) => setImmediate(resolve));
      expect(errors).toEqual([
        ['onFailure hook threw', 'audit database down (failure)'],
        ['onLogin hook threw', 'audit database down (login)'],
      ]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('drop what onError itself throws or rejects with: no crash, no 500, the fail-open request let through', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const denylist = new MemoryDenylistStore();
      denylist.has = () => Promise.reject(new Error('denylist down'));
      for (const onError of [
        () => {
          throw new Error('reporter down');
        },
        async () => {
          throw new Error('reporter down');
        },
      ]) {
        const f = await setup({
          onFailure: async () => {
            throw new Error('audit database down');
          },
          onError,
          denylist,
          denylistFailOpen: true,
          sessionCache: false,
        });
        expectBearerError(await request(f.app).get('/users/me').set('Authorization', 'Bearer a.b.c'), 401, 'invalid_token');
        // The denylist fails, onError fails too: the request is still let through, as denylistFailOpen says.
        expect((await request(f.app).get('/users/me').set('Authorization', `Bearer ${f.tokenFor()}`)).status).toBe(200);
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});


import { randomUUID } from 'node:crypto';
import express from 'express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { createAuth } from '../../../lib/create-auth';
import type { FailureEvent } from '../../../lib/config/hooks';
import { MemoryUserStore } from '../../../lib/stores/memory/users';
import { RedisDpopReplayStore } from '../../../lib/stores/redis';
import { ath, clientKey, makeProof } from '../../dpop-helpers';
import { AUDIENCE, ISSUER, PASSWORD, SECRET, passwordHash } from '../../helpers';
import { describeDpopReplayStoreContract } from '../dpop-replay-contract';

const url = process.env.TEST_REDIS_URL;

if (!url) {
  // The note that it was skipped comes from __tests__/services-skip-reporter.js.
  describe.skip('RedisDpopReplayStore (TEST_REDIS_URL not set)', () => {
    it.todo('runs against a real Redis (set TEST_REDIS_URL)');
  });
} else {
  const redis = new Redis(url, { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
  // Each test file writes under its own prefix, so parallel workers never meet.
  const prefix = `ejwt-test:${randomUUID()}:`;
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  describeDpopReplayStoreContract('RedisDpopReplayStore', () => new RedisDpopReplayStore(redis, `${prefix}${randomUUID()}:`));

  describe('RedisDpopReplayStore on a real Redis', () => {
    it('takes its prefix as a string or in options, and refuses an empty one', () => {
      expect(() => new RedisDpopReplayStore(redis, { prefix: '' })).toThrow(new TypeError('prefix must be a non-empty string'));
      expect(() => new RedisDpopReplayStore(redis, '')).toThrow(TypeError);
    });

    it('lets Redis drop a key on its own a minute after the proof could no longer be accepted', async () => {
      const p = `${prefix}ttl:`;
      const now = Date.now();
      await new RedisDpopReplayStore(redis, p).claim('k', now + 61_000, now);
      const ttl = await redis.pttl(`${p}k`);
      expect(ttl).toBeGreaterThan(115_000);
      expect(ttl).toBeLessThanOrEqual(121_000);
    });

    it('refuses a proof replayed to another instance: two createAuth on one Redis, each with its own client', async () => {
      const users = new MemoryUserStore();
      await users.create({ username: 'alice', passwordHash: await passwordHash(), scopes: ['read'] });
      const keyPrefix = `${prefix}${randomUUID()}:`;
      const clients = [new Redis(url), new Redis(url)];
      const failures: FailureEvent[] = [];
      try {
        const [a, b] = clients.map((client) => {
          const auth = createAuth({
            secret: SECRET,
            issuer: ISSUER,
            audience: AUDIENCE,
            users,
            dpop: 'allowed',
            dpopReplayStore: new RedisDpopReplayStore(client, { prefix: keyPrefix }),
            onFailure: (event) => failures.push(event),
          });
          const app = express();
          app.post('/token', auth.token());
          app.get('/users/me', auth.authenticate(), (req, res) => void res.json(req.user));
          return app;
        });
        const key = clientKey();
        const now = () => Math.floor(Date.now() / 1000);
        const login = await request(a)
          .post('/token')
          .set('Host', 'api.example')
          .set('DPoP', makeProof(key, { htm: 'POST', htu: 'http://api.example/token', iat: now() }))
          .type('form')
          .send({ grant_type: 'password', username: 'alice', password: PASSWORD });
        expect(login.status).toBe(200);
        const token = login.body.access_token as string;
        const proof = makeProof(key, { htm: 'GET', htu: 'http://api.example/users/me', iat: now(), ath: ath(token) });
        const me = (app: express.Express) => request(app).get('/users/me').set('Host', 'api.example').set('Authorization', `DPoP ${token}`).set('DPoP', proof);

        expect((await me(a)).status).toBe(200);
        const replayed = await me(b);
        expect(replayed.status).toBe(401);
        expect(replayed.headers['www-authenticate']).toBe(
          'DPoP realm="api", error="invalid_dpop_proof", error_description="The DPoP proof was already used", algs="RS256 PS256 ES256 EdDSA Ed25519", Bearer realm="api"',
        );
        expect(replayed.body.error).toBe('invalid_dpop_proof');
        expect(failures.at(-1)?.reason).toBe('dpop.replayed');
      } finally {
        for (const client of clients) client.disconnect();
      }
    });

    it('rejects when Redis cannot be reached, so the request fails closed', async () => {
      const down = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, lazyConnect: true, maxRetriesPerRequest: 0 });
      down.on('error', () => undefined);
      const store = new RedisDpopReplayStore(down, prefix);
      await expect(store.claim('k', Date.now() + 60_000, Date.now())).rejects.toBeInstanceOf(Error);
      down.disconnect();
    });
  });
}

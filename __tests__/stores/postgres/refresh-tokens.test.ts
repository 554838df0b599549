import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { PostgresUserStore } from '../../../lib/stores/postgres/users';
import { PostgresDenylistStore } from '../../../lib/stores/postgres/denylist';
import { PostgresRefreshTokenStore } from '../../../lib/stores/postgres/refresh-tokens';
import { LATEST_POSTGRES_SCHEMA_VERSION, migrate, migrateTo } from '../../../lib/stores/postgres/schema';
import type { RefreshFamily, RefreshTokenRecord, RotateOutcome } from '../../../lib/stores/types';
import { describePostgres, useTestDatabase } from './helpers';
import { describeRefreshTokenStoreContract } from '../refresh-tokens-contract';

const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GRACE = 30_000;

function family(overrides: Partial<RefreshFamily> = {}): RefreshFamily {
  return {
    id: randomUUID(),
    userId: randomUUID(),
    scopes: ['read'],
    epoch: 0,
    createdAt: T0,
    expiresAt: T0 + 30 * DAY,
    revokedAt: null,
    jkt: null,
    ...overrides,
  };
}

function token(familyId: string, createdAt: number): RefreshTokenRecord {
  return {
    hash: randomBytes(32).toString('base64url'),
    familyId,
    createdAt,
    expiresAt: createdAt + DAY,
    rotatedAt: null,
    replacedBy: null,
    retried: false,
  };
}

describePostgres('PostgreSQL refresh-token store', () => {
  const db = useTestDatabase();

  describeRefreshTokenStoreContract(
    'PostgresRefreshTokenStore',
    async () => {
      const store = new PostgresRefreshTokenStore(db.pool);
      await store.ready();
      // Emptied for each test, so purgeExpired's counts are checked exactly.
      await db.pool.query('TRUNCATE refresh_tokens, refresh_families');
      return store;
    },
    (store) => store.close(),
  );

  describe('PostgresRefreshTokenStore', () => {
    let store: PostgresRefreshTokenStore;

    beforeEach(async () => {
      store = new PostgresRefreshTokenStore(db.pool);
      await store.ready();
    });

    /** Two stores on two pools of one connection each: two servers, as far as the database can tell. */
    async function twoServers(): Promise<[PostgresRefreshTokenStore, PostgresRefreshTokenStore]> {
      const stores = [db.newPool(db.schema, { max: 1 }), db.newPool(db.schema, { max: 1 })].map(
        (pool) => new PostgresRefreshTokenStore(pool),
      );
      // Connected and migrated before the race starts.
      await Promise.all(stores.map((s) => s.find('warm-up')));
      return stores as [PostgresRefreshTokenStore, PostgresRefreshTokenStore];
    }

    async function start(overrides: Partial<RefreshFamily> = {}) {
      const fam = family(overrides);
      const first = token(fam.id, fam.createdAt);
      await store.createFamily(fam, first);
      return { fam, first };
    }

    it('lets exactly one of two concurrent rotations on separate connections win, 20 times over', async () => {
      const [a, b] = await twoServers();

      for (let round = 0; round < 20; round++) {
        const { fam, first } = await start();
        const now = T0 + HOUR;
        const nextA = token(fam.id, now);
        const nextB = token(fam.id, now);

        const results = await Promise.all([a.rotate(first.hash, nextA, now, GRACE), b.rotate(first.hash, nextB, now, GRACE)]);

        expect(results.map((r) => r.outcome).sort()).toEqual(['retried', 'rotated']);
        // The retry replaced the winner's token, which is now rotated and marked retried.
        const winner = results[0]!.outcome === 'rotated' ? nextA : nextB;
        const loser = winner === nextA ? nextB : nextA;
        expect((await store.find(first.hash))?.token).toMatchObject({ rotatedAt: now, replacedBy: loser.hash, retried: true });
        expect((await store.find(winner.hash))?.token).toMatchObject({ rotatedAt: now, replacedBy: loser.hash, retried: true });
        expect((await store.find(loser.hash))?.token).toEqual(loser);
        expect((await store.find(loser.hash))?.family.revokedAt).toBeNull();
      }
    });

    it('does not deadlock when a token is retried while its successor is rotated on another connection', async () => {
      const [a, b] = await twoServers();

      for (let round = 0; round < 20; round++) {
        const { fam, first } = await start();
        const second = token(fam.id, T0 + HOUR);
        await store.rotate(first.hash, second, T0 + HOUR, GRACE);
        const now = T0 + HOUR + 1000;

        const results: RotateOutcome[] = await Promise.all([
          a.rotate(first.hash, token(fam.id, now), now, GRACE),
          b.rotate(second.hash, token(fam.id, now), now, GRACE),
        ]);

        // Whichever went first, the other one finds its token's successor used: reuse.
        const outcomes = results.map((r) => r.outcome);
        expect([['retried', 'reused'], ['reused', 'rotated']]).toContainEqual(outcomes);
        expect((await store.find(first.hash))?.family.revokedAt).toBe(now);
      }
    });

    it('does not deadlock when families are purged while their tokens are presented', async () => {
      const [a, b] = await twoServers();
      const started = await Promise.all(Array.from({ length: 10 }, () => start({ expiresAt: T0 + HOUR })));
      const now = T0 + 2 * HOUR;

      const results = await Promise.all([
        b.purgeExpired(now),
        ...started.map(({ fam, first }) => a.rotate(first.hash, token(fam.id, now), now, GRACE)),
      ]);

      for (const result of results.slice(1)) expect((result as RotateOutcome).outcome).toBe('invalid');
      for (const { first } of started) expect(await store.find(first.hash)).toBeNull();
    });

    describe('when a write inside rotate fails', () => {
      let fam: RefreshFamily;
      let first: RefreshTokenRecord;

      beforeAll(async () => {
        await db.pool.query(
          `CREATE FUNCTION fail_write() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'disk full'; END $$`,
        );
      });

      beforeEach(async () => {
        ({ fam, first } = await start());
      });

      afterEach(async () => {
        await db.pool.query('DROP TRIGGER IF EXISTS fail_insert ON refresh_tokens');
        await db.pool.query('DROP TRIGGER IF EXISTS fail_revoke ON refresh_families');
      });

      async function failInserts(): Promise<void> {
        await db.pool.query(
          'CREATE TRIGGER fail_insert BEFORE INSERT ON refresh_tokens FOR EACH ROW EXECUTE FUNCTION fail_write()',
        );
      }

      it('rolls back a rotation: both tokens stay as they were and the old token rotates afterwards', async () => {
        await failInserts();
        const next = token(fam.id, T0 + HOUR);

        await expect(store.rotate(first.hash, next, T0 + HOUR, GRACE)).rejects.toHaveProperty('message', 'disk full');

        expect(await store.find(first.hash)).toEqual({ token: first, family: fam });
        expect(await store.find(next.hash)).toBeNull();
        await db.pool.query('DROP TRIGGER fail_insert ON refresh_tokens');
        expect((await store.rotate(first.hash, next, T0 + HOUR, GRACE)).outcome).toBe('rotated');
        expect((await store.find(next.hash))?.token).toEqual(next);
      });

      it('rolls back a retry: the token and its successor stay as they were and the retry works afterwards', async () => {
        const successor = token(fam.id, T0 + HOUR);
        await store.rotate(first.hash, successor, T0 + HOUR, GRACE);
        const before = [await store.find(first.hash), await store.find(successor.hash)];
        await failInserts();
        const next = token(fam.id, T0 + HOUR + 1000);

        await expect(store.rotate(first.hash, next, T0 + HOUR + 1000, GRACE)).rejects.toHaveProperty(
          'message',
          'disk full',
        );

        expect([await store.find(first.hash), await store.find(successor.hash)]).toEqual(before);
        expect(await store.find(next.hash)).toBeNull();
        await db.pool.query('DROP TRIGGER fail_insert ON refresh_tokens');
        expect((await store.rotate(first.hash, next, T0 + HOUR + 1000, GRACE)).outcome).toBe('retried');
      });

      it('rolls back a revocation for reuse: the family stays live', async () => {
        await store.rotate(first.hash, token(fam.id, T0 + HOUR), T0 + HOUR, GRACE);
        await db.pool.query(
          'CREATE TRIGGER fail_revoke BEFORE UPDATE ON refresh_families FOR EACH ROW EXECUTE FUNCTION fail_write()',
        );

        await expect(
          store.rotate(first.hash, token(fam.id, T0 + 2 * HOUR), T0 + 2 * HOUR, GRACE),
        ).rejects.toHaveProperty('message', 'disk full');

        expect((await store.find(first.hash))?.family.revokedAt).toBeNull();
      });

      it('rolls back createFamily: no family without its first token', async () => {
        await failInserts();
        const other = family();

        await expect(store.createFamily(other, token(other.id, T0))).rejects.toHaveProperty('message', 'disk full');

        const { rows } = await db.pool.query('SELECT 1 FROM refresh_families WHERE id = $1', [other.id]);
        expect(rows).toEqual([]);
      });

      it('hands a healthy connection back to the pool after a rollback', async () => {
        const pool: Pool = db.newPool(db.schema, { max: 1 });
        const single = new PostgresRefreshTokenStore(pool);
        await failInserts();

        await expect(single.rotate(first.hash, token(fam.id, T0 + HOUR), T0 + HOUR, GRACE)).rejects.toHaveProperty(
          'message',
        );

        // The pool's one connection is not left inside the aborted transaction.
        const { rows } = await pool.query('SELECT txid_current_if_assigned() AS txid, 1 AS ok');
        expect(rows[0]).toEqual({ txid: null, ok: 1 });
        await db.endPool(pool);
      });
    });

    it('shares rotations between stores on separate pools, so reuse through either is detected', async () => {
      const [a, b] = await twoServers();
      const { fam, first } = await start();
      const second = token(fam.id, T0 + HOUR);

      expect((await a.rotate(first.hash, second, T0 + HOUR, GRACE)).outcome).toBe('rotated');
      expect((await b.rotate(first.hash, token(fam.id, T0 + 2 * HOUR), T0 + 2 * HOUR, GRACE)).outcome).toBe('reused');

      expect((await a.find(second.hash))?.family.revokedAt).toBe(T0 + 2 * HOUR);
      expect((await a.rotate(second.hash, token(fam.id, T0 + 3 * HOUR), T0 + 3 * HOUR, GRACE)).outcome).toBe('invalid');
    });

    it('shares one pool and one schema with the user and denylist stores', async () => {
      const users = new PostgresUserStore(db.pool);
      const denylist = new PostgresDenylistStore(db.pool);
      const alice = await users.create({ username: `alice-${randomUUID()}`, passwordHash: 'h' });
      const { fam, first } = await start({ userId: alice.id, epoch: alice.tokenEpoch });
      const jti = randomUUID();
      await denylist.add(jti, T0 + HOUR);

      expect(await users.findById(alice.id)).toEqual(alice);
      expect(await store.find(first.hash)).toEqual({ token: first, family: fam });
      expect(await denylist.has(jti, T0)).toBe(true);
    });

    it('stores scopes as text[], retried as a boolean, times as bigint ms and never the token itself', async () => {
      const { fam, first } = await start({ scopes: ['read', 'write'] });

      const families = await db.pool.query('SELECT scopes, created_at, revoked_at FROM refresh_families WHERE id = $1', [fam.id]);
      expect(families.rows).toEqual([{ scopes: ['read', 'write'], created_at: String(T0), revoked_at: null }]);
      const tokens = await db.pool.query('SELECT hash, retried FROM refresh_tokens WHERE family_id = $1', [fam.id]);
      expect(tokens.rows).toEqual([{ hash: first.hash, retried: false }]);
    });

    it('removes a family’s tokens when the family row is deleted (ON DELETE CASCADE)', async () => {
      const { fam, first } = await start();

      await db.pool.query('DELETE FROM refresh_families WHERE id = $1', [fam.id]);

      expect(await store.find(first.hash)).toBeNull();
      const { rows } = await db.pool.query('SELECT 1 FROM refresh_tokens WHERE hash = $1', [first.hash]);
      expect(rows).toEqual([]);
    });

    it('rejects after close(), which may be called twice, and leaves the pool open', async () => {
      const { first } = await start();
      const closed = new PostgresRefreshTokenStore(db.pool);
      await closed.close();
      await closed.close();

      await expect(closed.find(first.hash)).rejects.toThrow(/closed/);
      await expect(closed.rotate(first.hash, token(first.familyId, T0), T0, GRACE)).rejects.toThrow(/closed/);
      expect((await store.find(first.hash))?.token).toEqual(first);
    });

    it('upgrades a schema from before DPoP: existing families come back unbound (jkt null) and keep working', async () => {
      const schema = await db.newSchema();
      const pool = db.newPool(schema);
      await migrateTo(pool, LATEST_POSTGRES_SCHEMA_VERSION - 1);
      const fam = family();
      const first = token(fam.id, T0);
      await pool.query(
        `INSERT INTO refresh_families (id, user_id, scopes, epoch, created_at, expires_at) VALUES ($1, $2, $3, 0, $4, $5)`,
        [fam.id, fam.userId, fam.scopes, fam.createdAt, fam.expiresAt],
      );
      await pool.query(
        `INSERT INTO refresh_tokens (hash, family_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
        [first.hash, fam.id, first.createdAt, first.expiresAt],
      );

      expect(await migrate(pool)).toEqual([LATEST_POSTGRES_SCHEMA_VERSION]);
      const upgraded = new PostgresRefreshTokenStore(pool);
      expect((await upgraded.find(first.hash))?.family).toEqual(fam);
      const bound = family({ jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' });
      const second = token(bound.id, T0);
      await upgraded.createFamily(bound, second);
      expect((await upgraded.find(second.hash))?.family.jkt).toBe(bound.jkt);
    });
  });
});

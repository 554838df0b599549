import { PostgresUserStore } from '../../../lib/stores/postgres/users';
import { LATEST_POSTGRES_SCHEMA_VERSION, MIGRATIONS_TABLE, migrate, migrateTo } from '../../../lib/stores/postgres/schema';
import { UsernameCollisionError, UsernameTakenError } from '../../../lib/core/errors';
import { describeUserStoreContract } from '../user-store-contract';
import { usernameKey } from '../../../lib/core/usernames';
import { describePostgres, poolFor, schemaName, tablesOf, useTestDatabase } from './helpers';

const ALL_VERSIONS = Array.from({ length: LATEST_POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1);
const TABLES = ['access_denylist', MIGRATIONS_TABLE, 'refresh_families', 'refresh_tokens', 'username_skeletons', 'users'].sort();

/** The schema a pool's connections work in (its search_path). */
async function currentSchema(pool: { query(sql: string): Promise<{ rows: Array<{ schema: string }> }> }): Promise<string> {
  return (await pool.query('SELECT current_schema() AS schema')).rows[0]!.schema;
}

describePostgres('PostgreSQL user store', () => {
  const db = useTestDatabase();
  let clock = Date.UTC(2024, 0, 1);

  describeUserStoreContract(
    'PostgresUserStore',
    async () => {
      const store = new PostgresUserStore(db.pool, { now: () => clock });
      await store.ready();
      // The contract wants an empty store for each test.
      await db.pool.query('TRUNCATE users, username_skeletons');
      return store;
    },
    (store) => store.close(),
    {
      advanceClock: (ms) => {
        clock += ms;
      },
    },
  );

  describe('PostgresUserStore', () => {
    beforeEach(async () => {
      await new PostgresUserStore(db.pool).ready();
      await db.pool.query('TRUNCATE users, username_skeletons');
    });

    describe('migrate', () => {
      it('applies the schema once when five fresh pools migrate at the same time', async () => {
        const schema = await db.newSchema();
        const pools = Array.from({ length: 5 }, () => db.newPool(schema));

        const applied = await Promise.all(pools.map((pool) => migrate(pool)));

        // Each version was applied by exactly one of them.
        expect(applied.flat().sort((a, b) => a - b)).toEqual(ALL_VERSIONS);
        const { rows } = await pools[0]!.query(`SELECT version FROM ${MIGRATIONS_TABLE} ORDER BY version`);
        expect(rows.map((row) => row.version)).toEqual(ALL_VERSIONS);
        expect(await tablesOf(pools[0]!, schema)).toEqual(TABLES);
        // Up to date: nothing more to do, and no error from steps without IF NOT EXISTS.
        expect(await migrate(pools[1]!)).toEqual([]);
      });

      it('applies only the missing versions of a partly migrated schema', async () => {
        const schema = await db.newSchema();
        const pool = db.newPool(schema);
        await migrate(pool);
        // Version 3 made the denylist.
        await pool.query('DROP TABLE access_denylist');
        await pool.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE version = 3`);

        expect(await migrate(pool)).toEqual([3]);
        expect(await tablesOf(pool, schema)).toEqual(TABLES);
      });

      describe('upgrade of username keys to RFC 8265 (version 4)', () => {
        /** The key versions 1 to 3 stored: NFC, lower case. */
        const oldKey = (username: string) => username.normalize('NFC').toLowerCase();

        /** A pool on a new schema at version 3, with these accounts keyed the old way. */
        async function schemaAtVersion3(accounts: Array<[id: string, username: string]>) {
          const schema = await db.newSchema();
          const pool = db.newPool(schema);
          await migrateTo(pool, 3);
          for (const [id, username] of accounts) {
            await pool.query(
              `INSERT INTO users (id, username, username_key, password_hash, created_at, updated_at) VALUES ($1, $2, $3, 'h', 1000, 1000)`,
              [id, username, oldKey(username)],
            );
          }
          return pool;
        }

        async function snapshot(pool: Awaited<ReturnType<typeof schemaAtVersion3>>) {
          const versions = (await pool.query(`SELECT version FROM ${MIGRATIONS_TABLE} ORDER BY version`)).rows.map((row) => row.version);
          const rows = (await pool.query('SELECT * FROM users ORDER BY id')).rows;
          const constraints = (await pool.query(`SELECT conname FROM pg_constraint WHERE conrelid = 'users'::regclass ORDER BY conname`)).rows;
          return { versions, rows, constraints };
        }

        it('refuses to upgrade a schema with accounts that become one name, naming them, and leaves it unchanged', async () => {
          const pool = await schemaAtVersion3([
            ['u1', 'STRASSE'],
            ['u2', 'straße'],
            ['u3', 'ΟΔΟΣ'],
            ['u5', 'οδοσ'],
            ['u6', 'ａｌｉｃｅ'],
            ['u7', 'alice'],
            ['u8', 'bob'],
          ]);
          const before = await snapshot(pool);
          expect(before.versions).toEqual([1, 2, 3]);

          const error = await migrate(pool).then(() => undefined, (err: unknown) => err);

          expect(error).toBeInstanceOf(UsernameCollisionError);
          expect((error as UsernameCollisionError).collisions).toEqual([
            { key: 'alice', accounts: [{ id: 'u7', username: 'alice' }, { id: 'u6', username: 'ａｌｉｃｅ' }] },
            { key: 'strasse', accounts: [{ id: 'u1', username: 'STRASSE' }, { id: 'u2', username: 'straße' }] },
            { key: 'οδοσ', accounts: [{ id: 'u3', username: 'ΟΔΟΣ' }, { id: 'u5', username: 'οδοσ' }] },
          ]);
          expect((error as Error).message).toContain('"STRASSE" (id "u1") and "straße" (id "u2") are both "strasse"');
          expect((error as Error).message).toMatch(/Nothing was changed, and no account was merged or removed/);
          expect(await snapshot(pool)).toEqual(before);
          // The stores refuse to work on it, with the same report.
          await expect(new PostgresUserStore(pool).findByUsername('alice')).rejects.toBeInstanceOf(UsernameCollisionError);
        });

        it('upgrades a schema without such accounts: the new keys find and guard every name', async () => {
          const pool = await schemaAtVersion3([
            ['u1', 'ａｌｉｃｅ'],
            ['u2', 'STRASSE'],
            ['u3', 'Bob'],
            ['u4', 'ΟΔΟΣ'],
          ]);
          const store = new PostgresUserStore(pool);

          expect(await migrate(pool)).toEqual(ALL_VERSIONS.filter((version) => version >= 4));

          const { rows } = await pool.query('SELECT id, username, username_key FROM users ORDER BY id');
          expect(rows).toEqual([
            { id: 'u1', username: 'ａｌｉｃｅ', username_key: 'alice' },
            { id: 'u2', username: 'STRASSE', username_key: 'strasse' },
            { id: 'u3', username: 'Bob', username_key: 'bob' },
            { id: 'u4', username: 'ΟΔΟΣ', username_key: 'οδοσ' },
          ]);
          expect((await store.findByUsername('alice'))?.id).toBe('u1');
          expect((await store.findByUsername('straße'))?.id).toBe('u2');
          expect((await store.findByUsername('οδος'))?.id).toBe('u4');
          await expect(store.create({ username: 'Alice', passwordHash: 'h' })).rejects.toBeInstanceOf(UsernameTakenError);
          await expect(store.create({ username: 'straße', passwordHash: 'h' })).rejects.toBeInstanceOf(UsernameTakenError);
          // The constraint is back, under its name.
          await expect(
            pool.query(`INSERT INTO users (id, username, username_key, password_hash, created_at, updated_at) VALUES ('x', 'x', 'bob', 'h', 0, 0)`),
          ).rejects.toMatchObject({ code: '23505', constraint: 'users_username_key_unique' });
        });

        it('moves every key in one statement, so one account may take the stored key of another', async () => {
          // Keys as another engine's toLowerCase or a hand-made row may have left them.
          const schema = await db.newSchema();
          const pool = db.newPool(schema);
          await migrateTo(pool, 3);
          await pool.query(
            `INSERT INTO users (id, username, username_key, password_hash, created_at, updated_at)
             VALUES ('u1', 'ＢＯＢ', 'ｂｏｂ', 'h', 0, 0), ('u2', 'ｂｏｂ２', 'bob', 'h', 0, 0)`,
          );

          expect(await migrate(pool)).toEqual(ALL_VERSIONS.filter((version) => version >= 4));

          const { rows } = await pool.query('SELECT id, username_key FROM users ORDER BY id');
          expect(rows).toEqual([
            { id: 'u1', username_key: 'bob' },
            { id: 'u2', username_key: 'bob2' },
          ]);
        });
      });

      describe('username skeletons (version 6)', () => {
        /** A pool on a new schema at version 5 with these accounts (keys as version 4 left them), created in this order. */
        async function schemaAtVersion5(accounts: Array<[id: string, username: string]>) {
          const schema = await db.newSchema();
          const pool = db.newPool(schema);
          await migrateTo(pool, 5);
          for (const [i, [id, username]] of accounts.entries()) {
            await pool.query(
              `INSERT INTO users (id, username, username_key, password_hash, created_at, updated_at) VALUES ($1, $2, $3, 'h', $4, $4)`,
              [id, username, usernameKey(username), 1000 + i],
            );
          }
          return pool;
        }

        it('keeps accounts that already looked alike: both are found, and a new look-alike of either is refused', async () => {
          const pool = await schemaAtVersion5([
            ['u1', 'all'],
            ['u2', 'al1'],
            ['u3', 'bob'],
          ]);
          const store = new PostgresUserStore(pool);

          // Step 6 and every later one (this test does not assume 6 is the last).
          expect(await migrate(pool)).toEqual(Array.from({ length: LATEST_POSTGRES_SCHEMA_VERSION - 5 }, (_, i) => 6 + i));

          const { rows } = await pool.query('SELECT skeleton, user_id, shared FROM username_skeletons ORDER BY skeleton, user_id');
          expect(rows).toEqual([
            { skeleton: 'ALL', user_id: 'u1', shared: '' },
            { skeleton: 'ALl', user_id: 'u2', shared: '' },
            { skeleton: 'BOB', user_id: 'u3', shared: '' },
            { skeleton: 'all', user_id: 'u1', shared: '' },
            { skeleton: 'all', user_id: 'u2', shared: 'u2' },
            { skeleton: 'bob', user_id: 'u3', shared: '' },
          ]);
          expect((await store.findByUsername('all'))?.id).toBe('u1');
          expect((await store.findByUsername('AL1'))?.id).toBe('u2');
          for (const lookalike of ['aIl', 'a1l', 'AIl']) {
            await expect(store.create({ username: lookalike, passwordHash: 'h' })).rejects.toMatchObject({ name: 'UsernameTakenError', lookalike: true });
          }
          expect(await store.update('u2', { username: 'AL1' })).toMatchObject({ username: 'AL1' });
        });

        it('keeps the skeleton taken while any account has it: removing the holder makes a sharer the holder', async () => {
          const pool = await schemaAtVersion5([
            ['u1', 'all'],
            ['u2', 'al1'],
            ['u3', 'a1l'],
          ]);
          const store = new PostgresUserStore(pool);

          await store.delete('u1');
          await expect(store.create({ username: 'aIl', passwordHash: 'h' })).rejects.toBeInstanceOf(UsernameTakenError);
          await store.update('u2', { username: 'bert' });
          await expect(store.create({ username: 'aIl', passwordHash: 'h' })).rejects.toBeInstanceOf(UsernameTakenError);
          await store.delete('u3');

          expect((await store.create({ username: 'aIl', passwordHash: 'h' })).username).toBe('aIl');
        });

        it('keeps one holder when accounts sharing a skeleton are removed at the same time', async () => {
          const pool = await schemaAtVersion5([
            ['u1', 'all'],
            ['u2', 'al1'],
            ['u3', 'a1l'],
          ]);
          const [a, b] = [db.newPool(await currentSchema(pool), { max: 1 }), db.newPool(await currentSchema(pool), { max: 1 })];
          await migrate(pool);

          await Promise.all([new PostgresUserStore(a).delete('u1'), new PostgresUserStore(b).delete('u2')]);

          const { rows } = await pool.query(`SELECT user_id, shared FROM username_skeletons WHERE skeleton = 'all'`);
          expect(rows).toEqual([{ user_id: 'u3', shared: '' }]);
        });
      });

      it('refuses a schema from a newer version of the library', async () => {
        const schema = await db.newSchema();
        const pool = db.newPool(schema);
        await migrate(pool);
        await pool.query(`INSERT INTO ${MIGRATIONS_TABLE} (version) VALUES (999)`);

        await expect(migrate(pool)).rejects.toThrow(/schema version 999 is newer/);
        await expect(new PostgresUserStore(pool).findById('x')).rejects.toThrow(/schema version 999/);
      });

      it('migrates on the first call of a method, once for many concurrent calls', async () => {
        const schema = await db.newSchema();
        const store = new PostgresUserStore(db.newPool(schema));

        const [alice, ...rest] = await Promise.all([
          store.create({ username: 'alice', passwordHash: 'h' }),
          store.findByUsername('bob'),
          store.list(),
          new PostgresUserStore(db.newPool(schema)).findById('x'),
        ]);

        expect(rest).toEqual([null, expect.any(Array), null]);
        expect(await store.findByUsername('ALICE')).toEqual(alice);
      });

      it('tries the migration again after it failed', async () => {
        // search_path names a schema that does not exist yet: nowhere to create tables.
        const schema = schemaName();
        const pool = db.newPool(schema);
        const store = new PostgresUserStore(pool);

        await expect(store.ready()).rejects.toHaveProperty('message');
        await expect(store.findByUsername('alice')).rejects.toHaveProperty('message');

        await db.pool.query(`CREATE SCHEMA ${schema}`);
        try {
          await expect(store.findByUsername('alice')).resolves.toBeNull();
          expect(await tablesOf(pool, schema)).toEqual(TABLES);
        } finally {
          await db.endPool(pool);
          await db.pool.query(`DROP SCHEMA ${schema} CASCADE`);
        }
      });
    });

    it('keeps usernames unique regardless of case when creates race on separate connections', async () => {
      const pools = Array.from({ length: 4 }, () => db.newPool(db.schema, { max: 1 }));
      const stores = pools.map((pool) => new PostgresUserStore(pool));
      await Promise.all(stores.map((store) => store.list())); // connected and migrated

      for (let round = 0; round < 10; round++) {
        const names = [`race${round}`, `RACE${round}`, `Race${round}`, `rAcE${round}`];
        const results = await Promise.allSettled(
          stores.map((store, i) => store.create({ username: names[i]!, passwordHash: 'h' })),
        );

        const created = results.filter((r) => r.status === 'fulfilled');
        const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(created).toHaveLength(1);
        expect(refused).toHaveLength(3);
        for (const { reason } of refused) expect(reason).toBeInstanceOf(UsernameTakenError);
      }
      expect(await stores[0]!.list()).toHaveLength(10);
    });

    it('keeps look-alikes apart when creates race on separate connections', async () => {
      const pools = Array.from({ length: 4 }, () => db.newPool(db.schema, { max: 1 }));
      const stores = pools.map((pool) => new PostgresUserStore(pool));
      await Promise.all(stores.map((store) => store.list()));

      for (let round = 0; round < 10; round++) {
        const names = [`alice${round}`, `\u0430\u04cf\u0456\u0441\u0435${round}`, `aIice${round}`, `\u0251lice${round}`];
        const results = await Promise.allSettled(stores.map((store, i) => store.create({ username: names[i]!, passwordHash: 'h' })));

        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ name: 'UsernameTakenError', lookalike: true });
      }
      expect(await stores[0]!.list()).toHaveLength(10);
    });

    it('keeps a rename from taking a look-alike of a name another connection just created', async () => {
      const [a, b] = [db.newPool(db.schema, { max: 1 }), db.newPool(db.schema, { max: 1 })];
      const bob = await new PostgresUserStore(a).create({ username: 'bob', passwordHash: 'h' });

      const [renamed, created] = await Promise.allSettled([
        new PostgresUserStore(a).update(bob.id, { username: 'carol' }),
        new PostgresUserStore(b).create({ username: 'caroI', passwordHash: 'h' }),
      ]);

      expect([renamed.status, created.status].sort()).toEqual(['fulfilled', 'rejected']);
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM username_skeletons WHERE skeleton = 'carol' AND shared = ''`);
      expect(rows[0].n).toBe(1);
    });

    it('keeps a rename from taking a name another connection just created', async () => {
      const [a, b] = [db.newPool(db.schema, { max: 1 }), db.newPool(db.schema, { max: 1 })];
      const storeA = new PostgresUserStore(a);
      const storeB = new PostgresUserStore(b);
      const bob = await storeA.create({ username: 'bob', passwordHash: 'h' });

      const [renamed, created] = await Promise.allSettled([
        storeA.update(bob.id, { username: 'Carol' }),
        storeB.create({ username: 'carol', passwordHash: 'h' }),
      ]);

      // Exactly one of them got the name.
      expect([renamed.status, created.status].sort()).toEqual(['fulfilled', 'rejected']);
      const failed = [renamed, created].find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
      expect(failed.reason).toBeInstanceOf(UsernameTakenError);
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM users WHERE username_key = 'carol'`);
      expect(rows[0].n).toBe(1);
    });

    it('refuses a second row with the same username key in the database itself', async () => {
      await new PostgresUserStore(db.pool).create({ username: 'Alice', passwordHash: 'h' });

      await expect(
        db.pool.query(
          `INSERT INTO users (id, username, username_key, password_hash, created_at, updated_at)
           VALUES ('x', 'ALICE', 'alice', 'h', 0, 0)`,
        ),
      ).rejects.toMatchObject({ code: '23505', constraint: 'users_username_key_unique' });
    });

    it('declares the columns as documented: a "C" key, text[] scopes, bigint ms times', async () => {
      const { rows } = await db.pool.query(
        `SELECT column_name, data_type, collation_name FROM information_schema.columns
         WHERE table_schema = $1 AND table_name = 'users' ORDER BY column_name`,
        [db.schema],
      );
      const columns = Object.fromEntries(rows.map((row) => [row.column_name, row]));

      expect(columns.username_key).toMatchObject({ data_type: 'text', collation_name: 'C' });
      expect(columns.scopes).toMatchObject({ data_type: 'ARRAY' });
      expect(columns.disabled).toMatchObject({ data_type: 'boolean' });
      expect(columns.token_epoch).toMatchObject({ data_type: 'integer' });
      expect(columns.created_at).toMatchObject({ data_type: 'bigint' });
      expect(columns.updated_at).toMatchObject({ data_type: 'bigint' });
    });

    it('lists by code point whatever the collation of the database', async () => {
      const store = new PostgresUserStore(db.pool);
      // A linguistic collation ignores the punctuation and puts "ab" first.
      for (const username of ['ab', 'a-c', 'Éa', 'zz', 'A_b']) await store.create({ username, passwordHash: 'h' });

      expect((await store.list()).map((user) => user.username)).toEqual(['a-c', 'A_b', 'ab', 'zz', 'Éa']);
    });

    it('keeps times to the millisecond and stores them as bigint', async () => {
      const at = Date.UTC(2024, 1, 29, 12, 34, 56, 789);
      const store = new PostgresUserStore(db.pool, { now: () => at });
      const alice = await store.create({ username: 'alice', passwordHash: 'h', scopes: ['read', 'write'] });

      expect((await store.findById(alice.id))?.createdAt.getTime()).toBe(at);
      const { rows } = await db.pool.query('SELECT created_at, updated_at, scopes FROM users');
      expect(rows).toEqual([{ created_at: String(at), updated_at: String(at), scopes: ['read', 'write'] }]);
    });

    it('resolves not found for an id or username with a NUL, which PostgreSQL text cannot hold', async () => {
      const store = new PostgresUserStore(db.pool);
      await store.create({ username: 'alice', passwordHash: 'h' });

      expect(await store.findByUsername('alice\0')).toBeNull();
      expect(await store.findById('a\0b')).toBeNull();
      expect(await store.update('a\0b', { disabled: true })).toBeNull();
      expect(await store.delete('a\0b')).toBe(false);
    });

    it('rejects after close(), which may be called twice, and leaves the pool open', async () => {
      const store = new PostgresUserStore(db.pool);
      const alice = await store.create({ username: 'alice', passwordHash: 'h' });
      await store.close();
      await store.close();

      await expect(store.findById(alice.id)).rejects.toThrow(/closed/);
      await expect(store.create({ username: 'bob', passwordHash: 'h' })).rejects.toThrow(/closed/);
      expect(await new PostgresUserStore(db.pool).findById(alice.id)).toEqual(alice);
    });

    it('rejects, without throwing, when the pool has been ended', async () => {
      const pool = poolFor(db.schema);
      const store = new PostgresUserStore(pool);
      await store.ready();
      await pool.end();

      let promise: Promise<unknown> | undefined;
      expect(() => {
        promise = store.list();
      }).not.toThrow();
      await expect(promise).rejects.toHaveProperty('message');
    });
  });
});

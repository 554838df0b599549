import type { PgClient as PoolClient, PgPool as Pool } from './pool';
import { assertFirstOfFamily, assertSameFamily, decideRotation } from '../refresh-rotation';
import { ensureMigrated, inTransaction, toMs } from './schema';
import type { RefreshFamily, RefreshTokenRecord, RefreshTokenStore, RotateOutcome } from '../types';

const FAMILY_COLUMNS = 'id, user_id, scopes, epoch, created_at, expires_at, revoked_at, jkt';
const TOKEN_COLUMNS = 'hash, family_id, created_at, expires_at, rotated_at, replaced_by, retried';

/** A `refresh_families` row; pg returns bigint as a string. */
interface FamilyRow {
  id: string;
  user_id: string;
  scopes: string[];
  epoch: number;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  jkt: string | null;
}

/** A `refresh_tokens` row; pg returns bigint as a string. */
interface TokenRow {
  hash: string;
  family_id: string;
  created_at: string;
  expires_at: string;
  rotated_at: string | null;
  replaced_by: string | null;
  retried: boolean;
}

/** What `find` selects: a token row joined with its family, the clashing names prefixed. */
type JoinedRow = TokenRow & {
  user_id: string;
  scopes: string[];
  epoch: number;
  family_created_at: string;
  family_expires_at: string;
  revoked_at: string | null;
  jkt: string | null;
};

type Found = { token: RefreshTokenRecord; family: RefreshFamily };

/**
 * A `RefreshTokenStore` in PostgreSQL through a `pg.Pool` you own (tables
 * `refresh_families` and `refresh_tokens`), for deployments with several
 * servers. Pass the pool your other PostgreSQL stores use; the schema is
 * created or upgraded on first use, once per pool (see `ready()`).
 *
 * `rotate` runs in one transaction that locks the family row, then the token
 * row, then its successor (`SELECT … FOR UPDATE`), so rotations in one family
 * are serialised across servers: of two concurrent rotations of one token,
 * exactly one is `rotated` and the other sees the rotated token. Taking the
 * family first, always, keeps two rotations of one family (a retry of a token
 * and a rotation of its successor, say) from deadlocking. Any failure rolls
 * the whole call back.
 *
 * @example
 * const refreshTokens = new PostgresRefreshTokenStore(pool);
 */
export class PostgresRefreshTokenStore implements RefreshTokenStore {
  private closed = false;

  constructor(private readonly pool: Pool) {}

  /**
   * Resolves once the schema is up to date. Every method awaits it first, so
   * calling it is optional; it is shared by all stores on the pool and cheap
   * after the first call. Rejects when the migration failed; the next call
   * tries again.
   */
  ready(): Promise<void> {
    return ensureMigrated(this.pool);
  }

  async createFamily(family: RefreshFamily, first: RefreshTokenRecord): Promise<void> {
    assertFirstOfFamily(family, first);
    await this.open();
    await inTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO refresh_families (${FAMILY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [family.id, family.userId, [...family.scopes], family.epoch, family.createdAt, family.expiresAt, family.revokedAt, family.jkt],
      );
      await insertToken(client, first);
    });
  }

  async find(hash: string): Promise<Found | null> {
    await this.open();
    // One statement, so the token and its family come from one moment.
    const { rows } = await this.pool.query<JoinedRow>(
      `SELECT t.hash, t.family_id, t.created_at, t.expires_at, t.rotated_at, t.replaced_by, t.retried,
              f.user_id, f.scopes, f.epoch, f.created_at AS family_created_at,
              f.expires_at AS family_expires_at, f.revoked_at, f.jkt
       FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
       WHERE t.hash = $1`,
      [hash],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      token: fromTokenRow(row),
      family: fromFamilyRow({
        id: row.family_id,
        user_id: row.user_id,
        scopes: row.scopes,
        epoch: row.epoch,
        created_at: row.family_created_at,
        expires_at: row.family_expires_at,
        revoked_at: row.revoked_at,
        jkt: row.jkt,
      }),
    };
  }

  async rotate(hash: string, next: RefreshTokenRecord, now: number, graceMs: number): Promise<RotateOutcome> {
    await this.open();
    return inTransaction(this.pool, async (client): Promise<RotateOutcome> => {
      // The family first (see the class comment). A family's id never
      // changes, so the unlocked subquery that finds it cannot go stale.
      const { rows: families } = await client.query<FamilyRow>(
        `SELECT ${FAMILY_COLUMNS} FROM refresh_families
         WHERE id = (SELECT family_id FROM refresh_tokens WHERE hash = $1)
         FOR UPDATE`,
        [hash],
      );
      if (!families[0]) return { outcome: 'invalid', family: null };
      const token = await selectTokenForUpdate(client, hash);
      // Gone between the two reads: purged.
      if (!token) return { outcome: 'invalid', family: null };
      const family = fromFamilyRow(families[0]);
      assertSameFamily(token, next);
      const successor = token.replacedBy === null ? null : await selectTokenForUpdate(client, token.replacedBy);

      // Any rejection from here on (a clash on next.hash, a lost connection)
      // rolls back every write before it.
      switch (decideRotation(token, family, successor, now, graceMs)) {
        case 'invalid':
          return { outcome: 'invalid', family };
        case 'reused':
          await revoke(client, family.id, now);
          return { outcome: 'reused', family: { ...family, revokedAt: now } };
        case 'retried':
          await updateToken(client, successor!.hash, now, next.hash, true);
          await updateToken(client, hash, token.rotatedAt, next.hash, true);
          await insertToken(client, next);
          return { outcome: 'retried', family };
        case 'rotated':
          await updateToken(client, hash, now, next.hash, token.retried);
          await insertToken(client, next);
          return { outcome: 'rotated', family };
      }
    });
  }

  async revokeFamily(familyId: string, now: number): Promise<void> {
    await this.open();
    await revoke(this.pool, familyId, now);
  }

  /**
   * Removes, in one transaction, by the rule of the SQLite store:
   * - families past their absolute end (`expires_at <= now`), with all their
   *   tokens;
   * - tokens of live families that died unused: past their idle limit and
   *   never rotated.
   * Rotated tokens of live families stay even past their idle limit, because
   * reuse detection needs them until the family ends; revoked families stay
   * until their absolute end too. Resolves the number of token and family
   * rows removed.
   *
   * The dead families are locked first, as `rotate` locks a family before its
   * tokens, so a purge and a rotation cannot deadlock. Tokens are deleted
   * explicitly, not through ON DELETE CASCADE, so that they are counted; a
   * family whose tokens appeared during the purge waits for the next one.
   */
  async purgeExpired(now: number): Promise<number> {
    await this.open();
    return inTransaction(this.pool, async (client) => {
      await client.query(
        'SELECT count(*) FROM (SELECT 1 FROM refresh_families WHERE expires_at <= $1 FOR UPDATE) AS dead',
        [now],
      );
      const tokens = await client.query(
        `DELETE FROM refresh_tokens
         WHERE (expires_at <= $1 AND rotated_at IS NULL)
            OR family_id IN (SELECT id FROM refresh_families WHERE expires_at <= $1)`,
        [now],
      );
      const families = await client.query(
        `DELETE FROM refresh_families f
         WHERE f.expires_at <= $1 AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = f.id)`,
        [now],
      );
      return (tokens.rowCount ?? 0) + (families.rowCount ?? 0);
    });
  }

  /**
   * Makes the store refuse further calls. The pool stays open: it is yours,
   * end it with `pool.end()`. May be called twice.
   */
  async close(): Promise<void> {
    this.closed = true;
  }

  private async open(): Promise<void> {
    if (this.closed) throw new Error('PostgresRefreshTokenStore is closed');
    await this.ready();
  }
}

async function selectTokenForUpdate(client: PoolClient, hash: string): Promise<RefreshTokenRecord | null> {
  const { rows } = await client.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM refresh_tokens WHERE hash = $1 FOR UPDATE`, [
    hash,
  ]);
  return rows[0] ? fromTokenRow(rows[0]) : null;
}

async function insertToken(client: PoolClient, token: RefreshTokenRecord): Promise<void> {
  await client.query(`INSERT INTO refresh_tokens (${TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    token.hash,
    token.familyId,
    token.createdAt,
    token.expiresAt,
    token.rotatedAt,
    token.replacedBy,
    token.retried,
  ]);
}

async function updateToken(
  client: PoolClient,
  hash: string,
  rotatedAt: number | null,
  replacedBy: string,
  retried: boolean,
): Promise<void> {
  await client.query('UPDATE refresh_tokens SET rotated_at = $2, replaced_by = $3, retried = $4 WHERE hash = $1', [
    hash,
    rotatedAt,
    replacedBy,
    retried,
  ]);
}

/** Idempotent: a second revocation keeps the time of the first. */
async function revoke(db: Pool | PoolClient, familyId: string, now: number): Promise<void> {
  await db.query('UPDATE refresh_families SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [familyId, now]);
}

function fromFamilyRow(row: FamilyRow): RefreshFamily {
  return {
    id: row.id,
    userId: row.user_id,
    scopes: [...row.scopes],
    epoch: row.epoch,
    createdAt: toMs(row.created_at),
    expiresAt: toMs(row.expires_at),
    revokedAt: toMs(row.revoked_at),
    jkt: row.jkt,
  };
}

function fromTokenRow(row: TokenRow): RefreshTokenRecord {
  return {
    hash: row.hash,
    familyId: row.family_id,
    createdAt: toMs(row.created_at),
    expiresAt: toMs(row.expires_at),
    rotatedAt: toMs(row.rotated_at),
    replacedBy: row.replaced_by,
    retried: row.retried,
  };
}

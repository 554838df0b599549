import type Database from 'better-sqlite3';
import { openSqlite, type SqliteDatabase } from './database';
import { assertFirstOfFamily, assertSameFamily, decideRotation } from '../refresh-rotation';
import { migrate, prepareStatement } from './schema';
import type { RefreshFamily, RefreshTokenRecord, RefreshTokenStore, RotateOutcome } from '../types';

/** A `refresh_families` row: scopes space-separated, times in ms since the epoch. */
interface FamilyRow {
  id: string;
  user_id: string;
  scopes: string;
  epoch: number;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  jkt: string | null;
}

/** A `refresh_tokens` row: retried 0/1, times in ms since the epoch. */
interface TokenRow {
  hash: string;
  family_id: string;
  created_at: number;
  expires_at: number;
  rotated_at: number | null;
  replaced_by: string | null;
  retried: number;
}

type Found = { token: RefreshTokenRecord; family: RefreshFamily };
type Rotate = (hash: string, next: RefreshTokenRecord, now: number, graceMs: number) => RotateOutcome;

/**
 * A `RefreshTokenStore` in SQLite through better-sqlite3 (tables
 * `refresh_families` and `refresh_tokens`), for single-server deployments.
 * Pass a filename or a database you opened, ideally the one your other SQLite
 * stores use (see `openSqlite`); the schema is created or upgraded on first
 * use. `close()` closes only a database the store opened itself.
 *
 * `rotate` and `createFamily` each run in one IMMEDIATE transaction, so
 * concurrent rotations, from this process or another one on the same file,
 * are serialised and a failure anywhere rolls the whole call back.
 *
 * @example
 * const refreshTokens = new SqliteRefreshTokenStore(openSqlite('/var/lib/myapp/auth.db'));
 */
export class SqliteRefreshTokenStore implements RefreshTokenStore {
  private readonly db: Database.Database;
  private readonly ownsDb: boolean;
  private readonly insertFamily: Database.Statement<[FamilyRow]>;
  private readonly insertToken: Database.Statement<[TokenRow]>;
  private readonly selectFamily: Database.Statement<[string], FamilyRow>;
  private readonly selectToken: Database.Statement<[string], TokenRow>;
  private readonly updateToken: Database.Statement<[Pick<TokenRow, 'hash' | 'rotated_at' | 'replaced_by' | 'retried'>]>;
  private readonly revokeRow: Database.Statement<[number, string]>;
  private readonly deleteDeadTokens: Database.Statement<[number, number]>;
  private readonly deleteDeadFamilies: Database.Statement<[number]>;
  private readonly createTx: Database.Transaction<(family: RefreshFamily, first: RefreshTokenRecord) => void>;
  private readonly findTx: Database.Transaction<(hash: string) => Found | null>;
  private readonly rotateTx: Database.Transaction<Rotate>;
  private readonly purgeTx: Database.Transaction<(now: number) => number>;

  constructor(database: string | SqliteDatabase = ':memory:') {
    this.ownsDb = typeof database === 'string';
    this.db = (typeof database === 'string' ? openSqlite(database) : database) as Database.Database;
    try {
      migrate(this.db);
      this.insertFamily = prepareStatement(
        this.db,
        `INSERT INTO refresh_families (id, user_id, scopes, epoch, created_at, expires_at, revoked_at, jkt)
         VALUES (@id, @user_id, @scopes, @epoch, @created_at, @expires_at, @revoked_at, @jkt)`,
      );
      this.insertToken = prepareStatement(
        this.db,
        `INSERT INTO refresh_tokens (hash, family_id, created_at, expires_at, rotated_at, replaced_by, retried)
         VALUES (@hash, @family_id, @created_at, @expires_at, @rotated_at, @replaced_by, @retried)`,
      );
      this.selectFamily = prepareStatement(
        this.db,
        'SELECT id, user_id, scopes, epoch, created_at, expires_at, revoked_at, jkt FROM refresh_families WHERE id = ?',
      );
      this.selectToken = prepareStatement(
        this.db,
        `SELECT hash, family_id, created_at, expires_at, rotated_at, replaced_by, retried
         FROM refresh_tokens WHERE hash = ?`,
      );
      this.updateToken = prepareStatement(
        this.db,
        `UPDATE refresh_tokens SET rotated_at = @rotated_at, replaced_by = @replaced_by, retried = @retried
         WHERE hash = @hash`,
      );
      // Idempotent: a second revocation keeps the time of the first.
      this.revokeRow = prepareStatement(
        this.db,
        'UPDATE refresh_families SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
      );
      // See purgeExpired for the rule. Tokens go first and explicitly rather
      // than through ON DELETE CASCADE: foreign keys are off unless the
      // connection turned them on, and cascaded rows are not counted.
      this.deleteDeadTokens = prepareStatement(
        this.db,
        `DELETE FROM refresh_tokens
         WHERE family_id NOT IN (SELECT id FROM refresh_families WHERE expires_at > ?)
            OR (expires_at <= ? AND rotated_at IS NULL)`,
      );
      this.deleteDeadFamilies = prepareStatement(this.db, 'DELETE FROM refresh_families WHERE expires_at <= ?');
    } catch (err) {
      if (this.ownsDb) this.db.close();
      throw err;
    }

    this.createTx = this.db.transaction((family: RefreshFamily, first: RefreshTokenRecord) => {
      this.insertFamily.run(toFamilyRow(family));
      this.insertToken.run(toTokenRow(first));
    });

    // Two reads, so one (read) transaction: a rotation by another process in
    // between could otherwise pair a token with a family state of another moment.
    this.findTx = this.db.transaction((hash: string): Found | null => {
      const tokenRow = this.selectToken.get(hash);
      const familyRow = tokenRow && this.selectFamily.get(tokenRow.family_id);
      return tokenRow && familyRow ? { token: fromTokenRow(tokenRow), family: fromFamilyRow(familyRow) } : null;
    });

    this.rotateTx = this.db.transaction<Rotate>((hash, next, now, graceMs) => {
      const tokenRow = this.selectToken.get(hash);
      const familyRow = tokenRow && this.selectFamily.get(tokenRow.family_id);
      if (!tokenRow || !familyRow) return { outcome: 'invalid', family: null };
      const token = fromTokenRow(tokenRow);
      const family = fromFamilyRow(familyRow);
      assertSameFamily(token, next);
      const successorRow = token.replacedBy === null ? undefined : this.selectToken.get(token.replacedBy);
      const successor = successorRow ? fromTokenRow(successorRow) : null;

      // Any throw from here on (a clash on next.hash, a full disk) rolls back
      // every write before it.
      switch (decideRotation(token, family, successor, now, graceMs)) {
        case 'invalid':
          return { outcome: 'invalid', family };
        case 'reused':
          this.revokeRow.run(now, family.id);
          return { outcome: 'reused', family: { ...family, revokedAt: now } };
        case 'retried':
          this.updateToken.run({ hash: successor!.hash, rotated_at: now, replaced_by: next.hash, retried: 1 });
          this.updateToken.run({ hash, rotated_at: token.rotatedAt, replaced_by: next.hash, retried: 1 });
          this.insertToken.run(toTokenRow(next));
          return { outcome: 'retried', family };
        case 'rotated':
          this.updateToken.run({ hash, rotated_at: now, replaced_by: next.hash, retried: token.retried ? 1 : 0 });
          this.insertToken.run(toTokenRow(next));
          return { outcome: 'rotated', family };
      }
    });

    this.purgeTx = this.db.transaction((now: number): number => {
      return this.deleteDeadTokens.run(now, now).changes + this.deleteDeadFamilies.run(now).changes;
    });
  }

  async createFamily(family: RefreshFamily, first: RefreshTokenRecord): Promise<void> {
    assertFirstOfFamily(family, first);
    this.createTx.immediate(family, first);
  }

  async find(hash: string): Promise<Found | null> {
    return this.findTx(hash);
  }

  async rotate(hash: string, next: RefreshTokenRecord, now: number, graceMs: number): Promise<RotateOutcome> {
    // IMMEDIATE takes the write lock before the reads, so two processes
    // rotating one token cannot both read it unrotated; a deferred transaction
    // would also fail with SQLITE_BUSY on the write rather than wait.
    return this.rotateTx.immediate(hash, next, now, graceMs);
  }

  async revokeFamily(familyId: string, now: number): Promise<void> {
    this.revokeRow.run(now, familyId);
  }

  /**
   * Removes, in one transaction:
   * - families past their absolute end (`expires_at <= now`), with all their
   *   tokens (and any token whose family is missing);
   * - tokens of live families that died unused: past their idle limit and
   *   never rotated.
   * Rotated tokens of live families stay even past their idle limit, because
   * reuse detection needs them until the family ends; revoked families stay
   * until their absolute end too, so a token of theirs is still recognised.
   * Resolves the number of token and family rows removed.
   */
  async purgeExpired(now: number): Promise<number> {
    return this.purgeTx.immediate(now);
  }

  /** Closes the database if this store opened it; a database passed in stays open. */
  async close(): Promise<void> {
    if (this.ownsDb && this.db.open) this.db.close();
  }
}

function toFamilyRow(family: RefreshFamily): FamilyRow {
  return {
    id: family.id,
    user_id: family.userId,
    scopes: family.scopes.join(' '),
    epoch: family.epoch,
    created_at: family.createdAt,
    expires_at: family.expiresAt,
    revoked_at: family.revokedAt,
    jkt: family.jkt,
  };
}

function fromFamilyRow(row: FamilyRow): RefreshFamily {
  return {
    id: row.id,
    userId: row.user_id,
    // ''.split(' ') is [''], not [].
    scopes: row.scopes === '' ? [] : row.scopes.split(' '),
    epoch: row.epoch,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    jkt: row.jkt,
  };
}

function toTokenRow(token: RefreshTokenRecord): TokenRow {
  return {
    hash: token.hash,
    family_id: token.familyId,
    created_at: token.createdAt,
    expires_at: token.expiresAt,
    rotated_at: token.rotatedAt,
    replaced_by: token.replacedBy,
    retried: token.retried ? 1 : 0,
  };
}

function fromTokenRow(row: TokenRow): RefreshTokenRecord {
  return {
    hash: row.hash,
    familyId: row.family_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    rotatedAt: row.rotated_at,
    replacedBy: row.replaced_by,
    retried: row.retried !== 0,
  };
}

import { assertFirstOfFamily, assertSameFamily, decideRotation } from '../refresh-rotation';
import type { RefreshFamily, RefreshTokenRecord, RefreshTokenStore, RotateOutcome } from '../types';

/**
 * A `RefreshTokenStore` held in process memory, for tests, examples and
 * prototypes. Families are lost when the process exits and are not shared
 * between processes, so a second server would not see tokens the first issued.
 *
 * Each method does its work without awaiting anything, so on one event loop it
 * is atomic: two rotations of one token cannot interleave.
 *
 * @example
 * const refreshTokens = new MemoryRefreshTokenStore();
 */
export class MemoryRefreshTokenStore implements RefreshTokenStore {
  private readonly families = new Map<string, RefreshFamily>();
  private readonly tokens = new Map<string, RefreshTokenRecord>();

  async createFamily(family: RefreshFamily, first: RefreshTokenRecord): Promise<void> {
    assertFirstOfFamily(family, first);
    // The same refusals a primary key gives the SQL stores.
    if (this.families.has(family.id)) throw new Error(`refresh token family ${family.id} already exists`);
    this.assertNewHash(first.hash);
    this.families.set(family.id, copyFamily(family));
    this.tokens.set(first.hash, { ...first });
  }

  async find(hash: string): Promise<{ token: RefreshTokenRecord; family: RefreshFamily } | null> {
    const token = this.tokens.get(hash);
    const family = token && this.families.get(token.familyId);
    return token && family ? { token: { ...token }, family: copyFamily(family) } : null;
  }

  async rotate(hash: string, next: RefreshTokenRecord, now: number, graceMs: number): Promise<RotateOutcome> {
    const token = this.tokens.get(hash);
    const family = token && this.families.get(token.familyId);
    if (!token || !family) return { outcome: 'invalid', family: null };
    assertSameFamily(token, next);
    const successor = token.replacedBy === null ? null : (this.tokens.get(token.replacedBy) ?? null);
    const decision = decideRotation(token, family, successor, now, graceMs);
    // Every check, including the one that `next` is new, runs before the first
    // write: stored records are replaced, never changed in place, so a throw
    // leaves the store as it was.
    if (decision === 'rotated' || decision === 'retried') this.assertNewHash(next.hash);

    switch (decision) {
      case 'invalid':
        return { outcome: 'invalid', family: copyFamily(family) };
      case 'reused': {
        const revoked = { ...family, revokedAt: now };
        this.families.set(family.id, revoked);
        return { outcome: 'reused', family: copyFamily(revoked) };
      }
      case 'retried':
        this.tokens.set(successor!.hash, { ...successor!, rotatedAt: now, replacedBy: next.hash, retried: true });
        this.tokens.set(hash, { ...token, replacedBy: next.hash, retried: true });
        this.tokens.set(next.hash, { ...next });
        return { outcome: 'retried', family: copyFamily(family) };
      case 'rotated':
        this.tokens.set(hash, { ...token, rotatedAt: now, replacedBy: next.hash });
        this.tokens.set(next.hash, { ...next });
        return { outcome: 'rotated', family: copyFamily(family) };
    }
  }

  async revokeFamily(familyId: string, now: number): Promise<void> {
    const family = this.families.get(familyId);
    // Idempotent: a second revocation keeps the time of the first.
    if (family && family.revokedAt === null) this.families.set(familyId, { ...family, revokedAt: now });
  }

  /**
   * Removes families past their absolute end with all their tokens, and tokens
   * of live families that died unused (past their idle limit, never rotated).
   * Rotated tokens of live families stay even past their idle limit: reuse
   * detection needs them until the family ends. Revoked families stay until
   * their absolute end too, so a token of theirs is still recognised.
   */
  async purgeExpired(now: number): Promise<number> {
    let removed = 0;
    for (const [hash, token] of this.tokens) {
      const family = this.families.get(token.familyId);
      const familyDead = !family || family.expiresAt <= now;
      if (familyDead || (token.expiresAt <= now && token.rotatedAt === null)) {
        this.tokens.delete(hash);
        removed++;
      }
    }
    for (const [id, family] of this.families) {
      if (family.expiresAt <= now) {
        this.families.delete(id);
        removed++;
      }
    }
    return removed;
  }

  private assertNewHash(hash: string): void {
    if (this.tokens.has(hash)) throw new Error('refresh token hash already stored');
  }
}

function copyFamily(family: RefreshFamily): RefreshFamily {
  return { ...family, scopes: [...family.scopes] };
}

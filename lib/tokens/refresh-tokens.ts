import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { RefreshFamily, RefreshTokenRecord, RefreshTokenStore, RotateOutcome } from '../stores/types';

export interface RefreshTokenOptions {
  store: RefreshTokenStore;
  /** Absolute lifetime of a family (from login), seconds. */
  ttl: number;
  /** A token not used for this long dies, seconds. */
  idleTtl: number;
  /** How long after a rotation the old token may be presented once more (lost response), seconds. */
  grace: number;
  now: () => number;
}

/**
 * Opaque refresh tokens (RFC 6749 §6) with rotation and reuse detection
 * (RFC 9700 §4.14.2). A token is 256 random bits, base64url; the store keeps
 * only its SHA-256, so a leaked database holds no usable token. A fast hash is
 * enough here: unlike a password, the input cannot be guessed.
 *
 * @example
 * const { token } = await refresh.start(user.id, ['read'], user.tokenEpoch);
 * const result = await refresh.rotate(token); // { outcome: 'rotated', token: newToken, family }
 */
export class RefreshTokens {
  private readonly options: RefreshTokenOptions;

  constructor(options: RefreshTokenOptions) {
    this.options = options;
  }

  get store(): RefreshTokenStore {
    return this.options.store;
  }

  /** Starts a family at login, bound to the DPoP key `jkt` when given (RFC 9449 §5); resolves the first token. */
  async start(userId: string, scopes: readonly string[], epoch: number, jkt: string | null = null): Promise<{ token: string; family: RefreshFamily }> {
    const now = this.options.now();
    const family: RefreshFamily = {
      id: randomUUID(),
      userId,
      scopes: [...scopes],
      epoch,
      createdAt: now,
      expiresAt: now + this.options.ttl * 1000,
      revokedAt: null,
      jkt,
    };
    const token = newToken();
    await this.options.store.createFamily(family, this.record(token, family, now));
    return { token, family };
  }

  /** The family of a token, or null for an unknown one. Does not judge expiry. */
  async find(token: string): Promise<{ token: RefreshTokenRecord; family: RefreshFamily } | null> {
    return this.options.store.find(hashToken(token));
  }

  /** Exchanges `token` for a new one (atomically, in the store). */
  async rotate(token: string, family: RefreshFamily): Promise<RotateOutcome & { token?: string }> {
    const now = this.options.now();
    const next = newToken();
    const outcome = await this.options.store.rotate(hashToken(token), this.record(next, family, now), now, this.options.grace * 1000);
    return outcome.outcome === 'rotated' || outcome.outcome === 'retried' ? { ...outcome, token: next } : outcome;
  }

  revokeFamily(familyId: string): Promise<void> {
    return this.options.store.revokeFamily(familyId, this.options.now());
  }

  private record(token: string, family: RefreshFamily, now: number): RefreshTokenRecord {
    return {
      hash: hashToken(token),
      familyId: family.id,
      createdAt: now,
      // The idle limit, but never past the family's absolute end.
      expiresAt: Math.min(now + this.options.idleTtl * 1000, family.expiresAt),
      rotatedAt: null,
      replacedBy: null,
      retried: false,
    };
  }
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

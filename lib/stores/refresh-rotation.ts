import type { RefreshFamily, RefreshTokenRecord } from './types';

/**
 * What `RefreshTokenStore.rotate` must do with a token it found. Every store
 * asks this one function, inside its own atomic section, so they cannot
 * disagree on the rules; each then applies the decision its own way:
 *
 * - `rotated`: the token gets `rotatedAt = now`, `replacedBy = next.hash`;
 *   `next` is stored.
 * - `retried`: the token's successor is taken to be lost (the response that
 *   carried it never arrived). The successor gets `rotatedAt = now`,
 *   `replacedBy = next.hash` and `retried = true`, so presenting it later
 *   counts as reuse even within the grace period; the token gets
 *   `replacedBy = next.hash`, `retried = true`; `next` is stored.
 * - `reused`: the family gets `revokedAt = now`; nothing is stored.
 * - `invalid`: nothing changes.
 */
export type RotationDecision = 'rotated' | 'retried' | 'reused' | 'invalid';

/**
 * Decides a rotation (RFC 9700 §4.14.2), times in ms:
 *
 * 1. family revoked or past its absolute end → invalid;
 * 2. token already rotated: retried if it was rotated at most `graceMs` ago,
 *    has not been retried before and its successor exists and has not been
 *    rotated itself; otherwise reused;
 * 3. token past its idle limit → invalid;
 * 4. otherwise → rotated.
 *
 * A rotated token is judged before expiry on purpose: its idle limit stopped
 * mattering when it was used, and presenting it is a reuse whenever it comes.
 * A successor that is gone (purged after its own idle expiry) cannot be shown
 * unused, so it counts as used: reused.
 *
 * @param successor the token `token.replacedBy` names, or null if there is none
 */
export function decideRotation(
  token: RefreshTokenRecord,
  family: RefreshFamily,
  successor: RefreshTokenRecord | null,
  now: number,
  graceMs: number,
): RotationDecision {
  // A dead family gives nothing, not even a grace retry.
  if (family.revokedAt !== null || family.expiresAt <= now) return 'invalid';
  if (token.rotatedAt !== null) {
    const withinGrace = now - token.rotatedAt <= graceMs;
    const successorUnused = successor !== null && successor.rotatedAt === null;
    return withinGrace && !token.retried && successorUnused ? 'retried' : 'reused';
  }
  if (token.expiresAt <= now) return 'invalid';
  return 'rotated';
}

/**
 * Rejects a `next` token of another family: a caller bug that would graft a
 * token onto a family it was not issued for.
 */
export function assertSameFamily(token: RefreshTokenRecord, next: RefreshTokenRecord): void {
  if (next.familyId !== token.familyId) {
    throw new Error(`refresh token rotation: next token belongs to family ${next.familyId}, not ${token.familyId}`);
  }
}

/** Rejects a first token that does not belong to the family it is created with. */
export function assertFirstOfFamily(family: RefreshFamily, first: RefreshTokenRecord): void {
  if (first.familyId !== family.id) {
    throw new Error(`refresh token family ${family.id}: first token belongs to family ${first.familyId}`);
  }
}

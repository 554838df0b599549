import type { JwtKey } from '../jose/keys';
import { BoundedMap } from './bounded-map';

/** Tokens remembered at most (about 1 KB each with an ES256 signature and the usual claims). */
export const VERIFIED_TOKENS_CAP = 10_000;

/**
 * The tokens whose signature was verified, each with the key that verified
 * it, so that a token presented again is not verified again: an ES256 or
 * EdDSA verification costs tens of microseconds, an HMAC one about as much
 * as the lookup, so only asymmetric keys are remembered.
 *
 * Keyed by the exact token string: a remembered signature is that of these
 * very bytes. It is trusted only with the same key object the resolver gives
 * now, so a key that was rotated out, dropped or refetched verifies afresh.
 * Only the signature is skipped: the claims (expiry above all) are checked on
 * every request, and so is the session. Bounded: the oldest goes first, and
 * an entry goes at its token's expiry.
 */
export class VerifiedTokens {
  /** token → the key that verified it and when (ms) to forget it. */
  private readonly tokens = new BoundedMap<string, { key: JwtKey; until: number }>(VERIFIED_TOKENS_CAP);

  /** True when `token`'s signature was verified with `key`. */
  verified(token: string, key: JwtKey | undefined, now: number): boolean {
    if (key === undefined) return false;
    const entry = this.tokens.get(token);
    if (entry === undefined) return false;
    if (entry.key === key && entry.until > now) return true;
    this.tokens.delete(token);
    return false;
  }

  /** Remembers that `key` verified `token`, until `until` (ms): its expiry plus the clock tolerance. */
  remember(token: string, key: JwtKey, until: number, now: number): void {
    if (key.alg.startsWith('HS')) return;
    const oldest = this.tokens.oldest();
    if (oldest !== undefined && oldest[1].until <= now) this.tokens.delete(oldest[0]);
    this.tokens.set(token, { key, until });
  }

  get size(): number {
    return this.tokens.size;
  }
}

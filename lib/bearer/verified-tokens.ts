import { InvalidTokenError } from '../core/errors';
import { cloneJson, type CompactJws } from '../jose/compact';
import type { JwtKey } from '../jose/keys';
import { checkSigned, SignedRefusal } from '../tokens/access-tokens';
import { BoundedMap } from './bounded-map';

/** Tokens whose signature verified, remembered at most (about 1–2 KB each with the usual claims). */
export const VERIFIED_TOKENS_CAP = 10_000;
/** Tokens whose signature did not verify, remembered at most: apart, so a flood of forgeries cannot push out good tokens. */
export const REFUSED_TOKENS_CAP = 1_000;
/**
 * Longer tokens are not remembered (ours are a few hundred characters): so the caches hold at most
 * about 10,000 × (2 KB and its decoded claims) and 1,000 × 2 KB of a forger's making, not 8 KB each.
 */
export const REMEMBERED_TOKEN_LENGTH = 2048;

/** What one token's bytes proved with one key object. */
export interface Remembered {
  readonly key: JwtKey;
  /** The token's header, decoded: what the key resolver is asked with. */
  readonly header: Readonly<Record<string, unknown>>;
  /** The verified payload (this cache's own copy, never handed out), or why the token was refused. */
  readonly payload: Record<string, unknown> | undefined;
  readonly refused: SignedRefusal | undefined;
}

/**
 * What verifying a token's signature found, by the exact token string, so
 * that a token presented again is neither verified nor decoded again: its
 * signature (an HMAC, or an ES256 or EdDSA verification of tens of µs), the
 * base64url and JSON of its header and payload. A forged token presented
 * again is refused at the same price.
 *
 * Keyed by the exact token string: a remembered outcome is that of these very
 * bytes. It holds only with the same key object the resolver gives now, so a
 * key that was rotated, dropped or refetched verifies afresh. Nothing in it
 * depends on the time: the claims (expiry above all) are checked on every
 * request, on a copy of the payload of the request's own, and so is the
 * session. Bounded: the oldest goes first.
 */
export class VerifiedTokens {
  private readonly verified = new BoundedMap<string, Remembered>(VERIFIED_TOKENS_CAP);
  private readonly refused = new BoundedMap<string, Remembered>(REFUSED_TOKENS_CAP);

  /** What is remembered of `token`, if anything: its header is what the key resolver is asked with. */
  recall(token: string): Remembered | undefined {
    return this.verified.get(token) ?? this.refused.get(token);
  }

  /**
   * `verifySigned(jws, key)` for `token`, remembered (checkSigned, one throw per refusal): the payload, a
   * copy for this request, or an InvalidTokenError thrown. `known` is what `recall` gave; `jws` parses the
   * token when it is not remembered with `key`.
   */
  payload(token: string, key: JwtKey | undefined, known: Remembered | undefined, jws: () => CompactJws): Record<string, unknown> {
    if (key !== undefined && known !== undefined) {
      if (known.key === key) {
        if (known.payload !== undefined) return cloneJson(known.payload);
        throw new InvalidTokenError(undefined, known.refused);
      }
      this.verified.delete(token);
      this.refused.delete(token);
    }
    const parsed = jws();
    const outcome = checkSigned(parsed, key);
    const remember = key !== undefined && token.length <= REMEMBERED_TOKEN_LENGTH;
    if (outcome instanceof SignedRefusal) {
      // Only what the bytes and the key decide: not a missing key or a mismatched alg, cheap to find again.
      if (remember && (outcome.reason === 'token.signature' || outcome.reason === 'token.malformed')) {
        this.refused.set(token, { key, header: parsed.header, payload: undefined, refused: outcome });
      }
      throw new InvalidTokenError(undefined, outcome);
    }
    if (remember) this.verified.set(token, { key: key!, header: parsed.header, payload: cloneJson(outcome), refused: undefined });
    return outcome;
  }

  get size(): number {
    return this.verified.size + this.refused.size;
  }
}

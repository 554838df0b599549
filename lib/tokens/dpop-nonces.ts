import { createHmac, type KeyObject } from 'node:crypto';
import type { DpopNonceSource } from './dpop-proof';

export interface DpopNonceOptions {
  /** HMAC key; instances that share it accept each other's nonces. */
  readonly secret: KeyObject;
  /** Length of a time slot, seconds: a nonce is good in its slot and the next. */
  readonly lifetime: number;
  /** Clock in milliseconds. */
  readonly now: () => number;
}

/**
 * Stateless server nonces for DPoP (RFC 9449 §8): the nonce of a time slot is
 * the HMAC of the slot's number, so nothing is stored and every instance with
 * the same secret hands out, and accepts, the same value. A nonce is accepted
 * in its own slot and the next, so it lives between one and two `lifetime`s.
 *
 * It bounds how long before use a proof can have been made (§11.1), on the
 * server's clock rather than the client's `iat`; it is the same for every
 * client in a slot, so it does not replace the `jti` replay check.
 *
 * @example
 * const nonces = new DpopNonces({ secret: createSecretKey(randomBytes(32)), lifetime: 300, now: Date.now });
 * res.set('DPoP-Nonce', nonces.current());
 */
export class DpopNonces implements DpopNonceSource {
  private readonly options: DpopNonceOptions;
  // The nonces of the last slots asked for, so each is computed once.
  private readonly made = new Map<number, string>();

  constructor(options: DpopNonceOptions) {
    this.options = options;
  }

  current(): string {
    return this.ofSlot(this.slot());
  }

  isValid(nonce: string): boolean {
    const slot = this.slot();
    // Nonces are public (any request gets one), so a plain comparison gives nothing away.
    return nonce === this.ofSlot(slot) || nonce === this.ofSlot(slot - 1);
  }

  private slot(): number {
    return Math.floor(this.options.now() / (this.options.lifetime * 1000));
  }

  private ofSlot(slot: number): string {
    let nonce = this.made.get(slot);
    if (nonce === undefined) {
      // RFC 9449 §8.1: nonce = 1*NQCHAR; base64url is within it.
      nonce = createHmac('sha256', this.options.secret).update(`DPoP-Nonce ${slot}`).digest('base64url');
      if (this.made.size >= 4) this.made.delete(this.made.keys().next().value!);
      this.made.set(slot, nonce);
    }
    return nonce;
  }
}

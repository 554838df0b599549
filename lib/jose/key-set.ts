import { toPublicJwk, type JwkSet, type PublicJwk } from './jwk';
import { isJwsAlgorithm } from './algorithms';
import { canSign, keyProblem, verificationOnly, type JwtKey } from './keys';

/** The keys a KeySet starts with. */
export interface KeySetKeys {
  /** Signs new tokens, and verifies. */
  active: JwtKey;
  /** Verify only: keys rotated out, or published ahead of a rotation. Default none. */
  verify?: readonly JwtKey[];
}

/** Options of a KeySet. */
export interface KeySetOptions {
  /** Clock in milliseconds since the epoch, for retirement times. Default Date.now. */
  now?: () => number;
}

interface Entry {
  key: JwtKey;
  /** Stops verifying at this time (ms); undefined: until dropped. */
  until: number | undefined;
  /** Its public JWK, made once; undefined for HMAC keys, which are never published. */
  jwk: PublicJwk | undefined;
}

/**
 * One active signing key and any number of verification-only keys, each
 * bound to one algorithm and found by `kid` in memory only (RFC 8725 §3.10:
 * a `kid` is never a path, a query or a URL).
 *
 * Rotation: `rotate(next, keepOldFor)` makes `next` the signing key; the old
 * one, stripped of its private half, keeps verifying for `keepOldFor`
 * seconds (the longest lifetime of a token it signed, plus the clock
 * tolerance) and is then dropped, so its tokens fail as `unknown kid`.
 *
 * @example
 * const keys = new KeySet({ active: generateKey('ES256') });
 * const auth = createAuth({ keys, issuer, audience, users });
 * // later: a new key signs; the old one verifies for 15 min + 30 s more
 * keys.rotate(generateKey('ES256'), 15 * 60 + 30);
 */
export class KeySet {
  private activeEntry: Entry;
  private readonly byKid = new Map<string, Entry>();
  private unnamed: Entry | undefined;
  private readonly now: () => number;

  constructor(keys: KeySetKeys, options: KeySetOptions = {}) {
    if (typeof keys !== 'object' || keys === null) throw new TypeError('keys must be a KeySet or { active, verify }');
    this.now = options.now ?? Date.now;
    if (typeof this.now !== 'function') throw new TypeError('now must be a function returning milliseconds');
    if (!canSign(checkKey(keys.active, 'keys.active'))) throw new TypeError('keys.active must be able to sign: a secret or a private key');
    this.activeEntry = this.insert(keys.active, undefined);
    if (keys.verify !== undefined && !Array.isArray(keys.verify)) throw new TypeError('keys.verify must be an array of keys');
    for (const key of keys.verify ?? []) this.insert(verificationOnly(checkKey(key, 'keys.verify')), undefined);
  }

  /** The key that signs new tokens. */
  get active(): JwtKey {
    return this.activeEntry.key;
  }

  /**
   * The key that verifies a token whose header names `kid`, or undefined:
   * unknown, not a string, or dropped. A token without `kid` can only match
   * the one unnamed key, if there is one.
   */
  find(kid: unknown): JwtKey | undefined {
    let entry: Entry | undefined;
    if (kid === undefined) entry = this.unnamed;
    else if (typeof kid === 'string') entry = this.byKid.get(kid);
    if (!entry) return undefined;
    if (entry.until !== undefined && this.now() >= entry.until) {
      this.remove(entry);
      return undefined;
    }
    return entry.key;
  }

  /** The key for a token with this header (by its `kid`): the seam the bearer check reads keys through. */
  keyFor(header: Readonly<Record<string, unknown>>): JwtKey | undefined {
    return this.find(header.kid);
  }

  /** Every key that verifies now, the active one first. */
  keys(): JwtKey[] {
    return this.live().map((entry) => entry.key);
  }

  /** When a retired key stops verifying (ms since the epoch); undefined for keys kept until dropped. */
  retiredUntil(kid: string): number | undefined {
    return this.byKid.get(kid)?.until;
  }

  /**
   * Adds a verification-only key (its private half, if any, is not kept),
   * dropped at `until` (ms) when given. A kid already in the set is a TypeError.
   */
  add(key: JwtKey, until?: number): void {
    this.insert(verificationOnly(checkKey(key, 'key')), checkTime(until));
  }

  /**
   * Makes `next` the signing key. The previous one keeps verifying for
   * `keepOldFor` seconds, then is dropped. `next` may be a key already in the
   * set for verification (published ahead): it is promoted.
   */
  rotate(next: JwtKey, keepOldFor: number): void {
    checkKey(next, 'key');
    if (!canSign(next)) throw new TypeError('key must be able to sign: a secret or a private key');
    if (!Number.isFinite(keepOldFor) || keepOldFor < 0) throw new TypeError('keepOldFor must be a number of seconds, 0 or more');
    const existing = next.kid === undefined ? this.unnamed : this.byKid.get(next.kid);
    if (existing) {
      if (existing.key.alg !== next.alg || !existing.key.verifyKey.equals(next.verifyKey)) {
        throw new TypeError(next.kid === undefined ? 'keys: only one key may lack a kid' : `keys: kid "${next.kid}" is used twice`);
      }
      if (existing === this.activeEntry) return;
      this.remove(existing);
    }
    const old = this.activeEntry;
    this.remove(old);
    this.activeEntry = this.insert(next, undefined);
    this.insert(verificationOnly(old.key), this.now() + keepOldFor * 1000);
  }

  /** Sets when a verification-only key stops verifying (ms since the epoch). The active key cannot be retired. */
  retire(kid: string, until: number): void {
    const entry = this.byKid.get(kid);
    if (!entry) throw new TypeError(`keys: no key with kid "${kid}"`);
    if (entry === this.activeEntry) throw new TypeError(`keys: kid "${kid}" is the active key; rotate to another first`);
    entry.until = checkTime(until);
  }

  /** Removes a verification-only key now: its tokens fail from this moment. */
  drop(kid: string): void {
    const entry = this.byKid.get(kid);
    if (entry === this.activeEntry) throw new TypeError(`keys: kid "${kid}" is the active key; rotate to another first`);
    if (entry) this.remove(entry);
  }

  /**
   * The JWK Set to publish (RFC 7517 §5): the public keys that verify now,
   * active first, with public members only. HMAC keys never appear.
   */
  publicJwks(): JwkSet {
    const keys: PublicJwk[] = [];
    for (const entry of this.live()) if (entry.jwk) keys.push({ ...entry.jwk });
    return { keys };
  }

  private live(): Entry[] {
    const now = this.now();
    const entries = [this.activeEntry];
    for (const entry of [...this.byKid.values(), ...(this.unnamed ? [this.unnamed] : [])]) {
      if (entry === this.activeEntry) continue;
      if (entry.until !== undefined && now >= entry.until) this.remove(entry);
      else entries.push(entry);
    }
    return entries;
  }

  private insert(key: JwtKey, until: number | undefined): Entry {
    const entry: Entry = { key, until, jwk: key.verifyKey.type === 'public' ? toPublicJwk(key) : undefined };
    if (key.kid === undefined) {
      if (this.unnamed) throw new TypeError('keys: only one key may lack a kid');
      this.unnamed = entry;
    } else {
      if (this.byKid.has(key.kid)) throw new TypeError(`keys: kid "${key.kid}" is used twice`);
      this.byKid.set(key.kid, entry);
    }
    return entry;
  }

  private remove(entry: Entry): void {
    if (entry.key.kid === undefined) {
      if (this.unnamed === entry) this.unnamed = undefined;
    } else if (this.byKid.get(entry.key.kid) === entry) {
      this.byKid.delete(entry.key.kid);
    }
  }
}

/** A key made by hand rather than by hmacKey/asymmetricKey still has to fit its algorithm. */
function checkKey(key: JwtKey, option: string): JwtKey {
  if (typeof key !== 'object' || key === null || !isJwsAlgorithm(key.alg)) {
    throw new TypeError(`${option} must be a key made by hmacKey, asymmetricKey or generateKey`);
  }
  for (const [name, value] of [['key', key.key], ['verifyKey', key.verifyKey]] as const) {
    const problem = value === undefined ? 'is missing' : keyProblem(value, key.alg);
    if (problem) throw new TypeError(`${option}.${name} ${problem}`);
  }
  if (key.verifyKey.type === 'private') throw new TypeError(`${option}.verifyKey must be the public key`);
  // Only HMAC keys may go unnamed: a published key needs a kid (RFC 7517 §4.5).
  if (key.kid === undefined && key.verifyKey.type !== 'secret') throw new TypeError(`${option} needs a kid`);
  return key;
}

function checkTime(until: unknown): number | undefined {
  if (until === undefined) return undefined;
  if (typeof until !== 'number' || !Number.isFinite(until)) throw new TypeError('until must be a time in milliseconds since the epoch');
  return until;
}

import { InvalidTokenError, JwksUnavailableError } from '../core/errors';
import { ASYMMETRIC_ALGORITHMS, isAsymmetricAlgorithm, type AsymmetricAlgorithm } from '../jose/algorithms';
import { describe, withoutPrototypes } from '../jose/compact';
import { hasPrivateMembers, publicKeyFromJwk } from '../jose/jwk';
import { asymmetricKey, type JwtKey } from '../jose/keys';
import type { KeyResolver } from '../tokens/access-tokens';

/** Options of a RemoteJwks. */
export interface RemoteJwksOptions {
  /** The issuer's JWKS URL: https, or http on a loopback host. Required. */
  jwksUri: string | URL;
  /** Algorithms accepted; keys with any other `alg` are skipped. Default ["RS256", "PS256", "ES256", "EdDSA"]. */
  algorithms?: readonly AsymmetricAlgorithm[];
  /** Abandon a fetch after this many milliseconds. Default 5000. */
  timeout?: number;
  /** Least time between two fetches, seconds: unknown kids cannot make us fetch more often. Default 30. */
  cooldown?: number;
  /** Refetch when the cached set is older than this, seconds; requests whose key is cached do not wait for it. Default 300. */
  maxAge?: number;
  /** Cached keys stop verifying when no fetch has succeeded for this long, seconds. Default 86400 (24 h). */
  maxStale?: number;
  /** Clock in milliseconds since the epoch. Default Date.now. */
  now?: () => number;
  /** The fetch function. Default the global fetch. */
  fetch?: typeof fetch;
}

// A JWKS is a few keys; anything much bigger is not one.
const MAX_JWKS_BYTES = 256 * 1024;
const MAX_KEYS = 100;
const MAX_KID_LENGTH = 256;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A verify-only service's copy of the issuer's public keys, fetched from the
 * one configured URL (never from a token's `jku`, `x5u`, `x5c` or `jwk`:
 * RFC 8725 §3.10).
 *
 * - Cached for `maxAge`; an unknown `kid` triggers a refetch, at most once per
 *   `cooldown`, and concurrent lookups share the fetch in flight, so a flood of
 *   made-up kids costs the issuer one request per cooldown.
 * - When the issuer is unreachable, cached keys keep working; a `kid` no cached
 *   key has is then a JwksUnavailableError (500), not a 401.
 * - Only keys with `use` "sig" (or none), an allowed `alg`, a `kid`, key
 *   material fitting that alg and no private members are kept; each kid is
 *   bound to its alg.
 *
 * @example
 * const jwks = new RemoteJwks({ jwksUri: 'https://auth.example.com/.well-known/jwks.json' });
 * const key = await jwks.find(kid); // JwtKey | undefined
 */
export class RemoteJwks implements KeyResolver {
  readonly uri: string;
  private readonly algorithms: ReadonlySet<string>;
  private readonly timeout: number;
  private readonly cooldownMs: number;
  private readonly maxAgeMs: number;
  private readonly maxStaleMs: number;
  private readonly now: () => number;
  private readonly fetchJwks: typeof fetch;
  private keys = new Map<string, JwtKey>();
  /** When the last fetch succeeded, and when the last one started. */
  private fetchedAt: number | undefined;
  private attemptedAt: number | undefined;
  /** Why the last fetch failed; undefined after a success. */
  private lastError: unknown;
  private inFlight: Promise<void> | undefined;

  constructor(options: RemoteJwksOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    this.uri = checkUri(options.jwksUri);
    const algorithms = options.algorithms ?? ASYMMETRIC_ALGORITHMS;
    if (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every(isAsymmetricAlgorithm)) {
      throw new TypeError(`algorithms must list some of ${ASYMMETRIC_ALGORITHMS.join(', ')} (a JWKS holds no HMAC keys)`);
    }
    this.algorithms = new Set(algorithms);
    this.timeout = positive(options.timeout ?? 5000, 'timeout', 'milliseconds');
    this.cooldownMs = 1000 * positive(options.cooldown ?? 30, 'cooldown', 'seconds', true);
    this.maxAgeMs = 1000 * positive(options.maxAge ?? 300, 'maxAge', 'seconds');
    this.maxStaleMs = 1000 * positive(options.maxStale ?? 86_400, 'maxStale', 'seconds');
    if (this.maxStaleMs < this.maxAgeMs) throw new TypeError('maxStale must be at least maxAge');
    this.now = options.now ?? Date.now;
    if (typeof this.now !== 'function') throw new TypeError('now must be a function returning milliseconds');
    this.fetchJwks = options.fetch ?? globalThis.fetch;
    if (typeof this.fetchJwks !== 'function') throw new TypeError('fetch must be a function');
  }

  /**
   * The key for a token with this header, for the bearer check. The `alg`
   * must be one accepted (RFC 8725 §3.1: `none`, or HS256 with a public key
   * as the secret, never reach a key) and the `kid` a string (RFC 8725 §3.10:
   * it only selects a key we already trust); both are checked before any fetch.
   */
  keyFor(header: Readonly<Record<string, unknown>>): Promise<JwtKey | undefined> {
    const { alg, kid } = header;
    if (!this.algorithms.has(alg as string)) throw new InvalidTokenError(undefined, { reason: 'token.alg', detail: `alg ${describe(alg)} is not accepted` });
    if (typeof kid !== 'string' || kid === '') throw new InvalidTokenError(undefined, { reason: 'token.kid_unknown', detail: 'kid missing' });
    return this.find(kid);
  }

  /**
   * The key for `kid`. A cached key answers at once; when the set is older
   * than `maxAge` a refetch starts in the background, and nobody waits for it.
   * An unknown kid waits for a fetch (at most one per `cooldown`). Resolves
   * undefined when the issuer's current set has no such key; rejects with
   * JwksUnavailableError when the issuer could not be reached and no cached
   * key has it, or when no fetch has succeeded for `maxStale`.
   */
  async find(kid: string): Promise<JwtKey | undefined> {
    if (this.tooStale()) {
      // Past maxStale the cache is not trusted until a fetch succeeds: an issuer that withdrew a key
      // during a long outage must not see it honoured for ever.
      if (this.inFlight) await this.inFlight;
      else if (this.mayFetch()) await this.refresh();
      if (this.tooStale()) throw new JwksUnavailableError(`no fetch of the issuer's JWKS from ${this.uri} has succeeded for ${this.maxStaleMs / 1000} s; cached keys are no longer trusted`, this.lastError);
    }
    const cached = this.keys.get(kid);
    if (cached) {
      if (this.isStale() && !this.inFlight && this.mayFetch()) void this.refresh();
      return cached;
    }
    if (this.inFlight) await this.inFlight;
    else if (this.mayFetch()) await this.refresh();
    const key = this.keys.get(kid);
    if (key) return key;
    if (this.lastError !== undefined) {
      throw new JwksUnavailableError(`cannot fetch the issuer's JWKS from ${this.uri}, and no cached key matches the token's kid`, this.lastError);
    }
    return undefined;
  }

  /** Fetches the set now (sharing a fetch in flight); resolves when done, whether or not it succeeded. */
  refresh(): Promise<void> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private isStale(): boolean {
    return this.fetchedAt === undefined || this.now() - this.fetchedAt >= this.maxAgeMs;
  }

  private tooStale(): boolean {
    return this.fetchedAt !== undefined && this.now() - this.fetchedAt >= this.maxStaleMs;
  }

  private mayFetch(): boolean {
    return this.attemptedAt === undefined || this.now() - this.attemptedAt >= this.cooldownMs;
  }

  private async load(): Promise<void> {
    this.attemptedAt = this.now();
    try {
      const res = await this.fetchJwks(this.uri, {
        headers: { Accept: 'application/jwk-set+json, application/json' },
        // A redirect would be a URL we were not configured with.
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeout),
      });
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new Error(`HTTP ${res.status}`);
      }
      this.keys = this.importSet(withoutPrototypes(JSON.parse(await readLimited(res))));
      this.fetchedAt = this.now();
      this.lastError = undefined;
    } catch (err) {
      // Keep the keys we have: an outage must not turn valid tokens away.
      this.lastError = err;
    }
  }

  private importSet(set: unknown): Map<string, JwtKey> {
    if (typeof set !== 'object' || set === null || !Array.isArray((set as { keys?: unknown }).keys)) {
      throw new Error('the response is not a JWK Set (RFC 7517 §5)');
    }
    const keys = new Map<string, JwtKey>();
    const ambiguous = new Set<string>();
    for (const jwk of (set as { keys: unknown[] }).keys.slice(0, MAX_KEYS)) {
      const key = this.importKey(jwk);
      if (!key) continue;
      const kid = key.kid!;
      // RFC 7517 §4.5: two keys under one kid cannot be told apart; use neither.
      if (keys.has(kid) || ambiguous.has(kid)) {
        keys.delete(kid);
        ambiguous.add(kid);
      } else {
        keys.set(kid, key);
      }
    }
    return keys;
  }

  /** One JWK as a key bound to its alg, or undefined when it is not a usable signature key. */
  private importKey(jwk: unknown): JwtKey | undefined {
    if (typeof jwk !== 'object' || jwk === null) return undefined;
    const { kid, alg, use, key_ops: ops } = jwk as Record<string, unknown>;
    if (use !== undefined && use !== 'sig') return undefined;
    if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify'))) return undefined;
    // RFC 8725 §3.1: without an alg the key could be tried with several; we bind each kid to exactly one.
    if (!isAsymmetricAlgorithm(alg) || !this.algorithms.has(alg)) return undefined;
    if (typeof kid !== 'string' || kid === '' || kid.length > MAX_KID_LENGTH) return undefined;
    // A JWKS is public (RFC 7517 §5): a key published with its private part is a key anyone can sign with.
    if (hasPrivateMembers(jwk as Record<string, unknown>)) return undefined;
    try {
      return asymmetricKey(publicKeyFromJwk(jwk), alg, kid);
    } catch {
      return undefined; // the wrong curve, a short RSA modulus, a malformed member
    }
  }
}

function checkUri(uri: unknown): string {
  if (uri === undefined || uri === '') throw new TypeError('jwksUri is required: the URL of the issuer\'s JWKS');
  let url: URL;
  try {
    url = new URL(String(uri));
  } catch {
    throw new TypeError('jwksUri must be a URL');
  }
  // The keys decide what is trusted: fetch them over TLS, except from this machine.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new TypeError('jwksUri must be an https URL (http only for localhost)');
  }
  if (url.username || url.password) throw new TypeError('jwksUri must not contain credentials');
  return url.href;
}

function positive(value: unknown, option: string, unit: string, zeroAllowed = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new TypeError(`${option} must be a positive number of ${unit}`);
  }
  return value;
}

/** The body as text, refusing one over MAX_JWKS_BYTES without reading the rest. */
async function readLimited(res: Response): Promise<string> {
  const length = Number(res.headers.get('content-length'));
  if (length > MAX_JWKS_BYTES) {
    await res.body?.cancel();
    throw new Error(`the JWKS is larger than ${MAX_JWKS_BYTES} bytes`);
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_JWKS_BYTES) {
      await reader.cancel();
      throw new Error(`the JWKS is larger than ${MAX_JWKS_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

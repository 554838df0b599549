import { createHash } from 'node:crypto';
import { InvalidDpopProofError, UseDpopNonceError, type DpopErrorSite } from '../core/errors';
import type { AsymmetricAlgorithm } from '../jose/algorithms';
import { decodeJson, describe, isPlainObject, parseCompact } from '../jose/compact';
import { hasPrivateMembers, publicKeyFromJwk } from '../jose/jwk';
import { asymmetricKey, type JwtKey } from '../jose/keys';
import { verifySignature } from '../jose/signature';

/** RFC 9449 §4.2: the `typ` of a DPoP proof. */
export const DPOP_PROOF_TYPE = 'dpop+jwt';

/** Server nonces (RFC 9449 §8), as the proof check needs them. */
export interface DpopNonceSource {
  /** True for a nonce this server handed out and still accepts. */
  isValid(nonce: string): boolean;
  /** The nonce to hand out now, in `DPoP-Nonce`. */
  current(): string;
}

/** What every proof must meet, whatever the request. */
export interface DpopProofRules {
  /** Accepted `alg`s: asymmetric only (RFC 9449 §4.3). */
  readonly algorithms: readonly AsymmetricAlgorithm[];
  /** Oldest accepted `iat`, in seconds before now (RFC 9449 §11.1). */
  readonly maxAge: number;
  /** How far in the future an `iat` may be, in seconds (clocks differ). */
  readonly clockTolerance: number;
  /** Clock in milliseconds. */
  readonly now: () => number;
  /** When set, proofs must carry one of its nonces. */
  readonly nonces?: DpopNonceSource;
}

/** The request a proof came with. */
export interface DpopProofContext {
  /** Where: the token endpoint (errors 400) or a protected resource (401). */
  readonly site: DpopErrorSite;
  /** The request method, for `htm`. */
  readonly method: string;
  /** The absolute URL the client used, for `htu`; undefined when it cannot be told (no Host). */
  readonly url: string | undefined;
  /** At a protected resource, the access token: `ath` must be its hash. */
  readonly accessToken?: string;
}

/** A proof that passed every check of RFC 9449 §4.3 but the replay check, which needs a store. */
export interface VerifiedDpopProof {
  /** RFC 7638 thumbprint of the proof's key: what `cnf.jkt` binds (RFC 9449 §6.1). */
  readonly jkt: string;
  readonly jti: string;
  /** Seconds. */
  readonly iat: number;
  /** Until when (ms) the `jti` must be remembered: as long as a proof with this `iat` is accepted. */
  readonly replayUntil: number;
}

/** base64url characters of a 4096-bit RSA modulus (512 bytes). */
const RSA_MAX_N_CHARS = Math.ceil((4096 / 8) * 4 / 3);

/** Proof headers whose key passed the checks, so a client's next proofs skip the import and the thumbprint. */
const KEY_CACHE_SIZE = 1000;

/**
 * Checks DPoP proofs (RFC 9449 §4.2–4.3), a token kind of its own (RFC 8725
 * §3.12): in the order of §4.3, a single well-formed JWT; the required claims
 * (`jti`, `htm`, `htu`, `iat`, and `ath` with an access token); `typ`
 * `dpop+jwt` and no `crit`; `alg` one of the accepted asymmetric algorithms
 * (never `none`, never HMAC); `jwk` a public key, never one with private
 * members, that fits `alg`; the signature by that key; `htm` the request's
 * method; `htu` the request's URL, both normalised (RFC 3986 §6.2.2–6.2.3)
 * and without query or fragment; the server's nonce when nonces are on; `iat`
 * within `maxAge` in the past and `clockTolerance` in the future; `ath` the
 * hash of the access token. Whether the `jti` is new, and whether the key is
 * the one a token is bound to, are the caller's to check.
 *
 * Throws InvalidDpopProofError, or UseDpopNonceError with a fresh nonce.
 *
 * @example
 * const proofs = new DpopProofs({ algorithms: ['ES256'], maxAge: 60, clockTolerance: 30, now: Date.now });
 * const { jkt } = proofs.verify(req.headers.dpop, { site: 'token', method: 'POST', url: 'https://api.example.com/token' });
 */
export class DpopProofs {
  readonly rules: DpopProofRules;
  /**
   * The `alg` values accepted, for the `algs` of the challenge: the rules'
   * algorithms, with `Ed25519` beside `EdDSA` (RFC 9864 §2.2: the
   * fully-specified name of EdDSA over Ed25519, which clients such as
   * oauth4webapi send).
   */
  readonly identifiers: readonly string[];
  // Header segment → the key it names, validated. Insertion order makes it an LRU.
  private readonly keys = new Map<string, { key: JwtKey; jkt: string }>();

  constructor(rules: DpopProofRules) {
    this.rules = rules;
    this.identifiers = Object.freeze(rules.algorithms.flatMap((alg) => (alg === 'EdDSA' ? ['EdDSA', 'Ed25519'] : [alg])));
  }

  verify(proof: string, context: DpopProofContext): VerifiedDpopProof {
    const { site } = context;
    const refuse = (description: string, detail: string = description) => new InvalidDpopProofError(site, description, { detail });

    // §4.3 (2): a single, well-formed JWT with a JSON object header and payload.
    const jws = parseCompact(proof);
    const claims = jws && decodeJson(jws.payload);
    if (jws === undefined || claims === undefined) throw refuse('The DPoP proof is not a well-formed JWT');

    // §4.3 (3): the required claims of §4.2.
    const { jti, htm, htu, iat, ath, nonce } = claims;
    const required: [string, unknown, (value: unknown) => boolean][] = [
      ['jti', jti, isNonEmptyString],
      ['htm', htm, isNonEmptyString],
      ['htu', htu, isNonEmptyString],
      ['iat', iat, isNumericDate],
    ];
    if (context.accessToken !== undefined) required.push(['ath', ath, isNonEmptyString]);
    for (const [name, value, valid] of required) {
      if (value === undefined) throw refuse(`The DPoP proof lacks the ${name} claim`);
      if (!valid(value)) throw refuse(`The DPoP proof has a malformed ${name} claim`);
    }

    // §4.3 (4): typ; and no extension we would not understand (RFC 7515 §4.1.11).
    const { header } = jws;
    if (!isProofType(header.typ)) throw refuse('The DPoP proof typ must be dpop+jwt', `typ ${describe(header.typ)}`);
    if (header.crit !== undefined) throw refuse('The DPoP proof has a crit header');

    // §4.3 (5): an asymmetric algorithm we accept: never none, never HMAC (RFC 8725 §3.1).
    if (typeof header.alg !== 'string' || !this.identifiers.includes(header.alg)) {
      throw refuse(`The DPoP proof alg must be one of ${this.identifiers.join(', ')}`, `alg ${describe(header.alg)}`);
    }
    const alg = (header.alg === 'Ed25519' ? 'EdDSA' : header.alg) as AsymmetricAlgorithm;

    // §4.3 (7), before (6) so that no private key is ever imported: a public key that fits alg.
    const { key, jkt } = this.keyOf(jws.token.slice(0, jws.token.indexOf('.')), header.jwk, alg, refuse);

    // §4.3 (6): signed by that key.
    if (!verifySignature(jws.signingInput, jws.signature, key)) throw refuse('The DPoP proof signature does not verify with its jwk');

    // §4.3 (8), (9): for this request (RFC 9110 §9.1: methods are case-sensitive).
    if (htm !== context.method) throw refuse('The DPoP proof htm does not match the request method', `htm ${describe(htm)}, request ${context.method}`);
    const expected = normalizeHtu(context.url);
    if (expected === undefined || normalizeHtu(htu) !== expected) {
      // Without query or fragment in the log line either: they may hold what a URL should not.
      throw refuse('The DPoP proof htu does not match the request URL', `htu ${describe(normalizeHtu(htu) ?? 'not an http(s) URL')}, request ${describe(expected)}`);
    }

    // §4.3 (10), §8: the server's nonce, when it hands them out.
    const { nonces } = this.rules;
    if (nonces && (typeof nonce !== 'string' || !nonces.isValid(nonce))) {
      throw new UseDpopNonceError(site, nonces.current(), { detail: nonce === undefined ? 'no nonce' : 'nonce not current' });
    }

    // §4.3 (11), §11.1: recent, by our clock, with leeway for a client's clock that runs ahead.
    const { maxAge, clockTolerance, now } = this.rules;
    const seconds = Math.floor(now() / 1000);
    const issuedAt = iat as number;
    if (seconds - issuedAt > maxAge) throw refuse('The DPoP proof is too old', `iat ${issuedAt}, now ${seconds}`);
    if (issuedAt - seconds > clockTolerance) throw refuse('The DPoP proof iat is in the future', `iat ${issuedAt}, now ${seconds}`);

    // §4.3 (12): for this access token. (The key binding is the caller's: it needs the token's cnf.)
    if (context.accessToken !== undefined && ath !== accessTokenHash(context.accessToken)) {
      throw refuse('The DPoP proof ath does not match the access token');
    }

    // Accepted while now − iat ≤ maxAge; a second's margin covers the rounding of now.
    return { jkt, jti: jti as string, iat: issuedAt, replayUntil: (Math.ceil(issuedAt) + maxAge + 1) * 1000 };
  }

  /** The key of the `jwk` header, checked, and its thumbprint; cached by header segment. */
  private keyOf(
    segment: string,
    jwk: unknown,
    alg: AsymmetricAlgorithm,
    refuse: (description: string, detail?: string) => InvalidDpopProofError,
  ): { key: JwtKey; jkt: string } {
    const cached = this.keys.get(segment);
    if (cached) {
      this.keys.delete(segment);
      this.keys.set(segment, cached);
      return cached;
    }
    if (!isPlainObject(jwk)) throw refuse('The DPoP proof jwk must be a public key', 'no jwk');
    if (hasPrivateMembers(jwk)) throw refuse('The DPoP proof jwk must not contain a private key');
    // A key anyone can make costs us one verification per proof: bound it. RSA verification grows with
    // the modulus and the exponent (a 3072-bit e is as slow as a private-key operation), so RSA keys
    // are 2048 to 4096 bits with e = 65537, which every client library generates.
    if (jwk.kty === 'RSA' && (jwk.e !== 'AQAB' || typeof jwk.n !== 'string' || jwk.n.length > RSA_MAX_N_CHARS)) {
      throw refuse('The DPoP proof jwk must be an RSA key of at most 4096 bits with e = 65537', 'RSA key too large or unusual exponent');
    }
    let key: JwtKey;
    try {
      // Only the public members of its kty are read (publicKeyFromJwk); asymmetricKey makes the key fit
      // alg (RSA ≥ 2048 bits, P-256, Ed25519 of large order) and names it by its RFC 7638 thumbprint.
      key = asymmetricKey(publicKeyFromJwk(jwk), alg, undefined, 'jwk');
    } catch (err) {
      const unreadable = err instanceof TypeError && /^JWK /.test(err.message);
      throw refuse(unreadable ? 'The DPoP proof jwk must be a public key' : 'The DPoP proof jwk does not fit its alg', (err as Error).message);
    }
    const found = { key, jkt: key.kid! };
    if (this.keys.size >= KEY_CACHE_SIZE) this.keys.delete(this.keys.keys().next().value!);
    this.keys.set(segment, found);
    return found;
  }
}

/** RFC 9449 §4.2 `ath`: base64url SHA-256 of the access token's ASCII bytes. */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

// RFC 3986 §2.3: unreserved characters, which percent-encoding must not hide (§6.2.2.2).
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * An `htu` (or a request URL) in the form two equivalent URIs share, or
 * undefined when it is not an absolute http(s) URL without userinfo. RFC 9449
 * §4.3 compares them without query and fragment, after syntax-based (RFC 3986
 * §6.2.2: case of scheme and host, percent-encoding, dot segments) and
 * scheme-based (§6.2.3: default port, empty path) normalisation.
 *
 * @example
 * normalizeHtu('HTTPS://Api.Example.com:443/a/./b/%7euser?q=1#f'); // "https://api.example.com/a/b/~user"
 */
export function normalizeHtu(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 8192) return undefined;
  // §6.2.2.1–6.2.2.2: decode unreserved characters, upper-case the remaining escapes. Done before
  // parsing, so that a dot segment spelled %2E is resolved like a plain one.
  const escaped = value.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
  let url: URL;
  try {
    url = new URL(escaped);
  } catch {
    return undefined;
  }
  // The WHATWG parser lower-cases scheme and host, drops a default port, resolves dot segments
  // and gives an empty path as "/" (§6.2.2.1, §6.2.2.3, §6.2.3).
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') return undefined;
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function isProofType(typ: unknown): boolean {
  // RFC 7515 §4.1.9: media type names are case-insensitive; "application/" may be omitted.
  if (typeof typ !== 'string') return false;
  const lower = typ.toLowerCase();
  return lower === DPOP_PROOF_TYPE || lower === `application/${DPOP_PROOF_TYPE}`;
}

function isNonEmptyString(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}

/** RFC 7519 §2 NumericDate: a finite number of seconds. */
function isNumericDate(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value);
}

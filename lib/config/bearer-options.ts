import { createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { DpopCheck } from '../bearer/dpop';
import { isValidRealm } from '../core/challenge';
import { dpopPolicy, type DpopPolicy } from '../core/dpop-policy';
import { ASYMMETRIC_ALGORITHMS, isAsymmetricAlgorithm, type AsymmetricAlgorithm } from '../jose/algorithms';
import { MemoryDpopReplayStore } from '../stores/memory/dpop-replay';
import type { DpopReplayStore } from '../stores/types';
import type { ClaimRules } from '../tokens/access-tokens';
import { DpopNonces } from '../tokens/dpop-nonces';
import { DpopProofs } from '../tokens/dpop-proof';
import { clock, flag, optionalFunction, optionalObject, requiredString, wholeNumber } from './checks';
import { settle, type FailureEvent } from './hooks';

/** Server nonces for DPoP proofs (RFC 9449 §8): the `dpopNonce` option. */
export interface DpopNonceOptions {
  /** HMAC key of the nonces, at least 32 bytes; give every instance the same one. Default 32 random bytes (one process). */
  secret?: string | Buffer | KeyObject;
  /** Seconds a nonce is handed out for (10 to 3600); it is accepted for up to twice that. Default 300. */
  lifetime?: number;
}

/**
 * The options of the bearer check, shared by `createAuth` (the issuer) and
 * `createVerifier` (a verify-only service): both check tokens the same way.
 */
export interface BearerOptions {
  /** `iss` of the tokens; tokens from anyone else are refused (RFC 8725 §3.8). Required. */
  issuer: string;
  /** `aud` the tokens must name; tokens for anyone else are refused (RFC 8725 §3.9). Required. */
  audience: string;
  /** Leeway for `exp`, `nbf` and `iat`, in seconds, for clocks that differ a little (0 to 300). Default 30. */
  clockTolerance?: number;
  /** Realm of the `WWW-Authenticate` challenge (RFC 6750 §3), printable ASCII. Default "api". */
  realm?: string;
  /** Accept `?access_token=` on protected routes (RFC 6750 §2.3 advises against it; refused with 400 otherwise). Default false. */
  allowQueryToken?: boolean;
  /** Accept an `access_token` field in form-encoded bodies (RFC 6750 §2.2). Default false. */
  allowBodyToken?: boolean;
  /** Clock in milliseconds since the epoch, for tests. Default Date.now. */
  now?: () => number;
  /** Called for every refused request with the machine-readable reason and the detail, for audit logs; may be async (a throw or rejection goes to onError). Default none. */
  onFailure?: (event: FailureEvent) => void;
  /** Called for failures the library survives (a hook that threw, a background purge, a fail-open denylist read); its own throw or rejection is dropped. Default none. */
  onError?: (error: unknown, context: string) => void;
  /** DPoP sender-constrained tokens (RFC 9449): "off" (Bearer only), "allowed" (both) or "required" (DPoP only); routes may override it. Default "off". */
  dpop?: DpopPolicy;
  /** Algorithms accepted in DPoP proofs, and listed in the `algs` of the DPoP challenge; asymmetric only. Default ["RS256", "PS256", "ES256", "EdDSA"]. */
  dpopAlgorithms?: AsymmetricAlgorithm[];
  /** How old a DPoP proof's `iat` may be, in seconds (1 to 600); its `jti` is remembered that long (RFC 9449 §11.1). Default 60. */
  dpopMaxAge?: number;
  /** Where recent DPoP proofs' `jti`s live; share one (RedisDpopReplayStore) between instances, or a proof replayed to another gets in. Default a MemoryDpopReplayStore (one process). */
  dpopReplayStore?: DpopReplayStore;
  /** Require server nonces in DPoP proofs (RFC 9449 §8), stateless: `{ secret, lifetime }`. Default none. */
  dpopNonce?: DpopNonceOptions;
}

/** The names of BearerOptions, for the unknown-option check. */
export const BEARER_OPTION_NAMES = [
  'issuer', 'audience', 'clockTolerance', 'realm', 'allowQueryToken', 'allowBodyToken', 'now', 'onFailure', 'onError',
  'dpop', 'dpopAlgorithms', 'dpopMaxAge', 'dpopReplayStore', 'dpopNonce',
] as const;

/** BearerOptions, checked once. */
export interface ResolvedBearerOptions {
  readonly rules: ClaimRules;
  readonly realm: string;
  readonly allowQueryToken: boolean;
  readonly allowBodyToken: boolean;
  readonly now: () => number;
  readonly onFailure: ((event: FailureEvent) => void) | undefined;
  readonly onError: (error: unknown, context: string) => void;
  /** The DPoP policy, proof check and replay store, shared by the token endpoint and the bearer check. */
  readonly dpop: DpopCheck;
}

/** Checks the shared options: a bad one is a TypeError that names it. */
export function resolveBearerOptions(options: BearerOptions): ResolvedBearerOptions {
  const now = clock(options.now);
  const issuer = requiredString(options.issuer, 'issuer');
  const audience = requiredString(options.audience, 'audience');
  const clockTolerance = options.clockTolerance === undefined ? 30 : wholeNumber(options.clockTolerance, 'clockTolerance', 0, 300, 'seconds');
  const realm = options.realm ?? 'api';
  if (!isValidRealm(realm)) throw new TypeError('realm must be printable ASCII');
  const onError = neverThrows(optionalFunction<(error: unknown, context: string) => void>(options.onError, 'onError'));
  return {
    rules: Object.freeze({ issuer, audience, clockTolerance, now }),
    realm,
    allowQueryToken: flag(options.allowQueryToken, 'allowQueryToken'),
    allowBodyToken: flag(options.allowBodyToken, 'allowBodyToken'),
    now,
    onFailure: optionalFunction(options.onFailure, 'onFailure'),
    onError,
    dpop: resolveDpop(options, clockTolerance, now),
  };
}

/** The DPoP options, checked: a bad one is a TypeError that names it. */
function resolveDpop(options: BearerOptions, clockTolerance: number, now: () => number): DpopCheck {
  const policy = dpopPolicy(options.dpop, 'dpop', 'off');
  const algorithms = options.dpopAlgorithms ?? [...ASYMMETRIC_ALGORITHMS];
  if (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every(isAsymmetricAlgorithm)) {
    // RFC 9449 §4.3: a proof is signed with an asymmetric key; never none, never HMAC.
    throw new TypeError(`dpopAlgorithms must list some of ${ASYMMETRIC_ALGORITHMS.join(', ')}`);
  }
  const maxAge = options.dpopMaxAge === undefined ? 60 : wholeNumber(options.dpopMaxAge, 'dpopMaxAge', 1, 600, 'seconds');
  const replay = options.dpopReplayStore ?? new MemoryDpopReplayStore();
  if (typeof replay !== 'object' || replay === null || typeof replay.claim !== 'function') {
    throw new TypeError('dpopReplayStore must implement claim');
  }
  const nonce = optionalObject<DpopNonceOptions>(options.dpopNonce, 'dpopNonce', ['secret', 'lifetime']);
  const nonces = nonce && new DpopNonces({
    secret: nonceSecret(nonce.secret),
    lifetime: nonce.lifetime === undefined ? 300 : wholeNumber(nonce.lifetime, 'dpopNonce.lifetime', 10, 3600, 'seconds'),
    now,
  });
  return new DpopCheck({
    policy,
    proofs: new DpopProofs({ algorithms: Object.freeze([...new Set(algorithms)]), maxAge, clockTolerance, now, nonces }),
    replay,
  });
}

/** The nonce HMAC key: at least 32 bytes (RFC 2104 §3: no shorter than the hash output). */
function nonceSecret(secret: unknown): KeyObject {
  if (secret === undefined) return createSecretKey(randomBytes(32));
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.isBuffer(secret) ? Buffer.from(secret) : undefined;
  const key = bytes !== undefined && bytes.length >= 32 ? createSecretKey(bytes) : secret instanceof KeyObject && secret.type === 'secret' ? secret : undefined;
  if (key === undefined || (key.symmetricKeySize ?? 0) < 32) {
    throw new TypeError('dpopNonce.secret must be at least 32 bytes: a string, Buffer or secret KeyObject');
  }
  return key;
}

/**
 * The app's `onError`, called so that it can neither throw nor reject into the
 * library: it is called from catch blocks and background work (a purge, a
 * failed hook, a fail-open denylist), where its own failure would become a 500
 * or an unhandled rejection that ends the process. What it throws is dropped:
 * there is nothing left to report it to.
 */
function neverThrows(onError: ((error: unknown, context: string) => void) | undefined): (error: unknown, context: string) => void {
  if (onError === undefined) return () => undefined;
  return (error, context) => settle(() => onError(error, context), () => undefined);
}

import { isValidRealm } from '../core/challenge';
import { ASYMMETRIC_ALGORITHMS, isAsymmetricAlgorithm, type AsymmetricAlgorithm } from '../jose/keys';
import type { FailureEvent } from './auth-options';
import { RemoteJwks } from '../bearer/remote-jwks';
import type { ClaimRules } from '../tokens/access-tokens';

/**
 * Options of `createVerifier`: a service that only checks tokens another
 * server issued, with the issuer's public keys from its JWKS.
 *
 * @example
 * createVerifier({ jwksUri: 'https://auth.example.com/.well-known/jwks.json', issuer: 'https://auth.example.com', audience: 'orders-api' });
 */
export interface VerifierOptions {
  /** URL of the issuer's JWKS: https, or http on localhost. Keys come from here only, never from a token. Required. */
  jwksUri: string | URL;
  /** `iss` the tokens must carry (RFC 8725 §3.8). Required. */
  issuer: string;
  /** `aud` the tokens must name: this service (RFC 8725 §3.9). Required. */
  audience: string;
  /** Algorithms accepted; JWKS keys and tokens with any other `alg` are refused. Default ["RS256", "PS256", "ES256", "EdDSA"]. */
  algorithms?: AsymmetricAlgorithm[];
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. Default 30. */
  clockTolerance?: number;
  /** Realm of the `WWW-Authenticate` challenge (RFC 6750 §3). Default "api". */
  realm?: string;
  /** Accept `?access_token=` (RFC 6750 §2.3 advises against it). Default false. */
  allowQueryToken?: boolean;
  /** Accept an `access_token` field in form-encoded bodies (RFC 6750 §2.2). Default false. */
  allowBodyToken?: boolean;
  /** Abandon a JWKS fetch after this many milliseconds. Default 5000. */
  jwksTimeout?: number;
  /** Least time between two JWKS fetches, in seconds, however many unknown kids arrive. Default 30. */
  jwksCooldown?: number;
  /** Refetch the JWKS when the cached copy is older than this, in seconds. Default 300. */
  jwksMaxAge?: number;
  /** The fetch function, for proxies or tests. Default the global fetch. */
  fetch?: typeof fetch;
  /** Clock in milliseconds since the epoch, for tests. Default Date.now. */
  now?: () => number;
  /** Called for every refused request with the detailed reason, for audit logs. Default none. */
  onFailure?: (event: FailureEvent) => void;
}

/** Verifier options checked once. */
export interface ResolvedVerifierOptions {
  readonly resolved: 'verifier';
  readonly jwks: RemoteJwks;
  readonly algorithms: readonly AsymmetricAlgorithm[];
  readonly rules: ClaimRules;
  readonly realm: string;
  readonly allowQueryToken: boolean;
  readonly allowBodyToken: boolean;
  readonly onFailure: ((event: FailureEvent) => void) | undefined;
}

/** Checks every verifier option once: a bad one is a TypeError that names it. */
export function resolveVerifierOptions(options: VerifierOptions | ResolvedVerifierOptions): ResolvedVerifierOptions {
  if (isResolved(options)) return options;
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const issuer = requiredString(options.issuer, 'issuer');
  const audience = requiredString(options.audience, 'audience');
  const algorithms = options.algorithms ?? [...ASYMMETRIC_ALGORITHMS];
  if (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every(isAsymmetricAlgorithm)) {
    throw new TypeError(`algorithms must list some of ${ASYMMETRIC_ALGORITHMS.join(', ')} (a JWKS holds no HMAC keys)`);
  }
  const clockTolerance = options.clockTolerance ?? 30;
  if (!Number.isSafeInteger(clockTolerance) || clockTolerance < 0 || clockTolerance > 300) {
    throw new TypeError('clockTolerance must be a whole number of seconds from 0 to 300');
  }
  const realm = options.realm ?? 'api';
  if (!isValidRealm(realm)) throw new TypeError('realm must be printable ASCII');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('now must be a function returning milliseconds');
  if (options.onFailure !== undefined && typeof options.onFailure !== 'function') throw new TypeError('onFailure must be a function');
  const jwks = new RemoteJwks({
    jwksUri: options.jwksUri,
    algorithms,
    timeout: option(options.jwksTimeout, 'jwksTimeout', 'milliseconds'),
    cooldown: option(options.jwksCooldown, 'jwksCooldown', 'seconds', true),
    maxAge: option(options.jwksMaxAge, 'jwksMaxAge', 'seconds'),
    now,
    fetch: options.fetch,
  });
  return Object.freeze({
    resolved: 'verifier' as const,
    jwks,
    algorithms: Object.freeze([...algorithms]),
    rules: Object.freeze({ issuer, audience, clockTolerance, now }),
    realm,
    allowQueryToken: flag(options.allowQueryToken, 'allowQueryToken'),
    allowBodyToken: flag(options.allowBodyToken, 'allowBodyToken'),
    onFailure: options.onFailure,
  });
}

function isResolved(options: unknown): options is ResolvedVerifierOptions {
  return typeof options === 'object' && options !== null && (options as ResolvedVerifierOptions).resolved === 'verifier';
}

/** A number option of RemoteJwks, checked here so that the error names it as the verifier does. */
function option(value: unknown, name: string, unit: string, zeroAllowed = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new TypeError(`${name} must be a positive number of ${unit}`);
  }
  return value;
}

function requiredString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} is required: a non-empty string`);
  return value;
}

function flag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean`);
  return value;
}

import { BearerCheck } from '../bearer/bearer-check';
import { RemoteJwks } from '../bearer/remote-jwks';
import { ASYMMETRIC_ALGORITHMS, isAsymmetricAlgorithm, type AsymmetricAlgorithm } from '../jose/algorithms';
import { BEARER_OPTION_NAMES, resolveBearerOptions, type BearerOptions } from './bearer-options';
import { checkKnownOptions, positiveNumber } from './checks';
import type { Hooks } from './hooks';

/**
 * Options of `createVerifier`: a service that only checks tokens another
 * server issued, with the issuer's public keys from its JWKS. The bearer
 * options are the issuer's own, so both check tokens the same way.
 *
 * @example
 * createVerifier({ jwksUri: 'https://auth.example.com/.well-known/jwks.json', issuer: 'https://auth.example.com', audience: 'orders-api' });
 */
export interface VerifierOptions extends BearerOptions {
  /** URL of the issuer's JWKS: https, or http on localhost. Keys come from here only, never from a token. Required. */
  jwksUri: string | URL;
  /** Algorithms accepted; JWKS keys and tokens with any other `alg` are refused. Default ["RS256", "PS256", "ES256", "EdDSA"]. */
  algorithms?: AsymmetricAlgorithm[];
  /** Abandon a JWKS fetch after this many milliseconds. Default 5000. */
  jwksTimeout?: number;
  /** Least time between two JWKS fetches, in seconds, however many unknown kids arrive. Default 30. */
  jwksCooldown?: number;
  /** Refetch the JWKS in the background when the cached copy is older than this, in seconds. Default 300. */
  jwksMaxAge?: number;
  /** Cached keys stop verifying when no JWKS fetch has succeeded for this long, in seconds (a 500 until one does). Default 86400. */
  jwksMaxStale?: number;
  /** The fetch function, for proxies or tests. Default the global fetch. */
  fetch?: typeof fetch;
}

const VERIFIER_OPTION_NAMES: readonly string[] = [
  ...BEARER_OPTION_NAMES, 'jwksUri', 'algorithms', 'jwksTimeout', 'jwksCooldown', 'jwksMaxAge', 'jwksMaxStale', 'fetch',
] satisfies ReadonlyArray<keyof VerifierOptions>;

/** VerifierOptions, checked once. Internal. */
export interface ResolvedVerifier {
  readonly jwks: RemoteJwks;
  readonly bearer: BearerCheck;
  readonly hooks: Hooks;
}

/** Checks every verifier option once: a bad or unknown one is a TypeError that names it. */
export function resolveVerifierOptions(options: VerifierOptions): ResolvedVerifier {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  options = checkKnownOptions(options, VERIFIER_OPTION_NAMES);
  const bearerOptions = resolveBearerOptions(options);
  const algorithms = options.algorithms ?? [...ASYMMETRIC_ALGORITHMS];
  if (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every(isAsymmetricAlgorithm)) {
    throw new TypeError(`algorithms must list some of ${ASYMMETRIC_ALGORITHMS.join(', ')} (a JWKS holds no HMAC keys)`);
  }
  const number = (value: unknown, name: string, unit: string, zeroAllowed = false) =>
    value === undefined ? undefined : positiveNumber(value, name, unit, zeroAllowed);
  const jwks = new RemoteJwks({
    jwksUri: options.jwksUri,
    algorithms,
    timeout: number(options.jwksTimeout, 'jwksTimeout', 'milliseconds'),
    cooldown: number(options.jwksCooldown, 'jwksCooldown', 'seconds', true),
    maxAge: number(options.jwksMaxAge, 'jwksMaxAge', 'seconds'),
    maxStale: number(options.jwksMaxStale, 'jwksMaxStale', 'seconds'),
    now: bearerOptions.now,
    fetch: options.fetch,
  });
  return Object.freeze({
    jwks,
    bearer: new BearerCheck({
      keys: jwks,
      rules: bearerOptions.rules,
      // No user store here: the caller is the token's subject, and nothing more is known.
      // Express.User is the issuer's account type; on a verify-only service only its id is set.
      session: (claims) => ({ id: claims.sub }) as Express.User,
      realm: bearerOptions.realm,
      allowQueryToken: bearerOptions.allowQueryToken,
      allowBodyToken: bearerOptions.allowBodyToken,
      dpop: bearerOptions.dpop,
    }),
    hooks: Object.freeze({ onFailure: bearerOptions.onFailure, onLogin: undefined, onError: bearerOptions.onError }),
  });
}

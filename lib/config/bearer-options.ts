import { isValidRealm } from '../core/challenge';
import type { ClaimRules } from '../tokens/access-tokens';
import { clock, flag, optionalFunction, requiredString, wholeNumber } from './checks';
import type { FailureEvent } from './hooks';

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
  /** Called for every refused request with the machine-readable reason and the detail, for audit logs. Default none. */
  onFailure?: (event: FailureEvent) => void;
  /** Called for failures the library survives (a hook that threw, a background purge, a fail-open denylist read). Default none. */
  onError?: (error: unknown, context: string) => void;
}

/** The names of BearerOptions, for the unknown-option check. */
export const BEARER_OPTION_NAMES = [
  'issuer', 'audience', 'clockTolerance', 'realm', 'allowQueryToken', 'allowBodyToken', 'now', 'onFailure', 'onError',
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
}

/** Checks the shared options: a bad one is a TypeError that names it. */
export function resolveBearerOptions(options: BearerOptions): ResolvedBearerOptions {
  const now = clock(options.now);
  const issuer = requiredString(options.issuer, 'issuer');
  const audience = requiredString(options.audience, 'audience');
  const clockTolerance = options.clockTolerance === undefined ? 30 : wholeNumber(options.clockTolerance, 'clockTolerance', 0, 300, 'seconds');
  const realm = options.realm ?? 'api';
  if (!isValidRealm(realm)) throw new TypeError('realm must be printable ASCII');
  const onError = optionalFunction<(error: unknown, context: string) => void>(options.onError, 'onError') ?? (() => undefined);
  return {
    rules: Object.freeze({ issuer, audience, clockTolerance, now }),
    realm,
    allowQueryToken: flag(options.allowQueryToken, 'allowQueryToken'),
    allowBodyToken: flag(options.allowBodyToken, 'allowBodyToken'),
    now,
    onFailure: optionalFunction(options.onFailure, 'onFailure'),
    onError,
  };
}

/**
 * The compact serialization of a JWS (RFC 7515 §7.1), taken apart without
 * trusting any of it: shape first, then the header as a JSON object. The
 * payload is decoded only after the signature has been checked.
 */

// Three base64url segments; checked before any decoding or crypto.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Longer tokens are refused unread: ours are a few hundred bytes. */
export const MAX_TOKEN_LENGTH = 8192;

/** A compact JWS split into its parts; the header decoded, nothing verified. */
export interface CompactJws {
  readonly token: string;
  readonly header: Record<string, unknown>;
  /** `BASE64URL(header) || '.' || BASE64URL(payload)`: what the signature covers. */
  readonly signingInput: string;
  /** The payload segment, still encoded. */
  readonly payload: string;
  /** The signature segment, still encoded. */
  readonly signature: string;
}

/** Splits `token`; undefined when it is not a compact JWS of bounded size whose header is a JSON object. */
export function parseCompact(token: unknown): CompactJws | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return undefined;
  const first = token.indexOf('.');
  const last = token.lastIndexOf('.');
  const header = decodeJson(token.slice(0, first));
  if (header === undefined) return undefined;
  return { token, header, signingInput: token.slice(0, last), payload: token.slice(first + 1, last), signature: token.slice(last + 1) };
}

/**
 * A base64url segment decoded as a JSON object, or undefined. Its objects,
 * nested ones too, have no prototype: a member the sender left out reads as
 * undefined, never as a property a polluted `Object.prototype` supplies (a
 * `scope`, an `exp`, a `cnf.jkt`).
 */
export function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return isPlainObject(value) ? withoutPrototypes(value) : undefined;
  } catch {
    return undefined;
  }
}

/** `value` (parsed JSON) with every object in it made prototype-less, in place. */
export function withoutPrototypes<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (const item of value) withoutPrototypes(item);
  } else {
    Object.setPrototypeOf(value, null);
    for (const key in value) withoutPrototypes((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** A deep copy of parsed JSON with prototype-less objects, like `decodeJson` gives, without decoding again. */
export function cloneJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key in value) copy[key] = cloneJson((value as Record<string, unknown>)[key]);
  return copy as T;
}

/** `value` as base64url JSON, for building a token. */
export function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A header value for a log line: attacker-made JSON, so no String(), which throws on
 * `{"toString":0}`; strings are cut short.
 */
export function describe(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `${value.slice(0, 40)}…` : value;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

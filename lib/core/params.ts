import { InvalidRequestError } from './errors';

/**
 * Reads one OAuth parameter from a parsed body (RFC 6749 §3.2): an absent or
 * empty parameter is omitted (undefined); a repeated one (an array from a
 * form body) or one that is not a string (JSON) is `invalid_request`.
 * Only own properties count, so `__proto__` or `constructor` never answer.
 */
export function readParam(body: Record<string, unknown>, name: string): string | undefined {
  if (!Object.hasOwn(body, name)) return undefined;
  const value = body[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new InvalidRequestError(`Parameter '${name}' must be given once, as a string`);
  }
  return value;
}

/** A parsed body that is a plain object (not an array, not a primitive), else undefined. */
export function asParams(body: unknown): Record<string, unknown> | undefined {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

import type { Request, Response } from 'express';
import type { KeySet } from '../jose/key-set';

/** Options of `auth.jwks()`. */
export interface JwksHandlerOptions {
  /** How long clients and caches may keep the key set, seconds (`Cache-Control: max-age`). Default 300. */
  maxAge?: number;
}

/** RFC 7517 §8.5.1: the media type of a JWK Set. */
export const JWK_SET_TYPE = 'application/jwk-set+json';

/**
 * Creates the `GET /.well-known/jwks.json` handler: the public keys that
 * verify tokens now (the active one and those rotated out but not yet
 * dropped), public members only (RFC 7517). HMAC keys are never listed, so a
 * secret-only setup serves `{"keys":[]}`. Cacheable for `maxAge`, with an
 * ETag; keep `maxAge` shorter than the time between publishing a new key and
 * signing with it.
 *
 * @example
 * app.get('/.well-known/jwks.json', auth.jwks());
 */
export function createJwksHandler(keys: KeySet, options: JwksHandlerOptions = {}) {
  if (typeof options !== 'object' || options === null) throw new TypeError('jwks options must be an object');
  const maxAge = options.maxAge ?? 300;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0 || maxAge > 86400) throw new TypeError('maxAge must be a whole number of seconds from 0 to 86400');
  const cacheControl = `public, max-age=${maxAge}`;

  return function jwks(_req: Request, res: Response): void {
    // Made per request (it is small): a rotation or a dropped key shows at once.
    // Express adds a weak ETag and answers If-None-Match with 304.
    res.set('Cache-Control', cacheControl).type(JWK_SET_TYPE).send(JSON.stringify(keys.publicJwks()));
  };
}

import express, { type Request, type Response } from 'express';
import { InvalidRequestError, PayloadTooLargeError } from '../core/errors';

type Parser = (req: Request, res: Response, next: (err?: unknown) => void) => void;

/**
 * Parses a form-encoded (RFC 6749 §4.3.2) or JSON body, once, with a size
 * limit. Parse errors become `invalid_request` (413 when too large) instead
 * of body-parser's own 400/500 pages. A body parsed earlier by the app is kept.
 */
export function createBodyParser(limit: string): (req: Request, res: Response) => Promise<void> {
  // extended: false uses node's querystring: a repeated field becomes an array (caught by readParam)
  // and no nested objects are built from keys like a[__proto__][x].
  const parsers: Parser[] = [
    // inflate: false: a compressed body is refused (415 → invalid_request) rather than inflated,
    // so a corrupt one cannot slip past as a zlib error, and none can expand past the limit.
    express.urlencoded({ extended: false, limit, parameterLimit: 64, inflate: false }),
    express.json({ limit, strict: true, inflate: false }),
  ];
  return async function parseBody(req, res) {
    for (const parser of parsers) {
      await new Promise<void>((resolve, reject) => parser(req, res, (err) => (err ? reject(toAuthError(err)) : resolve())));
    }
    if (looksLikeJsonSentAsForm(req)) {
      throw new InvalidRequestError('The body looks like JSON: send it with Content-Type: application/json', { detail: 'JSON body sent as a form' });
    }
  };
}

/**
 * What a client is told when its body was not parsed at all: no Content-Type,
 * or one neither parser reads (text/plain is what fetch sends for a string).
 * A 400 `invalid_request` rather than a 415: RFC 6749 §5.2 answers every
 * malformed token request with 400 and an error code, and OAuth clients read
 * only that (RFC 7009 §2.2.1 follows it for revocation).
 */
export const UNREAD_BODY = 'Send the body as application/x-www-form-urlencoded or application/json, with that Content-Type';

/**
 * `curl -d '{"grant_type":…}'` sends JSON labelled as a form (curl's default
 * type): it parses as one field named after the whole text, and the client
 * would be told that grant_type is missing. No OAuth field name starts with
 * `{` or `[`, so say what happened instead.
 */
function looksLikeJsonSentAsForm(req: Request): boolean {
  if (typeof req.body !== 'object' || req.body === null || !req.is('application/x-www-form-urlencoded')) return false;
  return Object.keys(req.body as object).some((name) => /^\s*[[{]/.test(name));
}

// The cause is our own sentence, never body-parser's: a JSON.parse message quotes the body,
// and the body may hold a password.
function toAuthError(err: unknown): Error {
  const type = (err as { type?: unknown }).type;
  const because = (detail: string) => ({ detail });
  if (type === 'entity.too.large') return new PayloadTooLargeError(undefined, because('body over the size limit'));
  if (type === 'entity.parse.failed') return new InvalidRequestError('The request body is not valid JSON', because('body is not valid JSON'));
  if (type === 'parameters.too.many') return new InvalidRequestError('The request has too many parameters', because('too many parameters'));
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
    return new InvalidRequestError('The request body must be UTF-8 and not compressed', because(String(type)));
  }
  // Any other 4xx from the parser is still the client's request; anything else (a stream error) is ours.
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new InvalidRequestError('The request body could not be read', because(`body unreadable (${String(type ?? status)})`));
  }
  return err as Error;
}

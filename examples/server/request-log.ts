import type { NextFunction, Request, Response } from 'express';
import type { Level, Logger } from 'pino';

// On res.locals: the request's line will be written (requestLog runs for it), and what to add to it.
const LOGGED = Symbol('request line');
const NOTE = Symbol('request line note');

interface Note {
  level: Level;
  msg: string;
  fields: Record<string, unknown>;
}

/**
 * One line per request once its response is over: method, path, status,
 * duration and, when authenticated, the user id; a refused request or a login
 * is that same line, with what `noteOnRequestLine` added (see audit-log.ts).
 * One line, not two: each costs the event loop a serialisation. Never headers,
 * the body or the query string: those are where tokens and passwords travel.
 */
export function requestLog(logger: Logger) {
  return function logRequest(req: Request, res: Response, next: NextFunction): void {
    const start = process.hrtime.bigint();
    const locals = res.locals as Record<symbol, unknown>;
    locals[LOGGED] = true;
    // 'close' comes once per response, finished or not (a client that hung up).
    res.once('close', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const note = locals[NOTE] as Note | undefined;
      // Written now: what a handler still running (a login the client gave up on) reports later gets a line of its own.
      locals[LOGGED] = false;
      const line = {
        method: req.method,
        path: loggedPath(req.originalUrl),
        // A client that hung up before the answer got none: no status to tell (Node's default is 200).
        status: res.headersSent ? res.statusCode : null,
        ms: Math.round(ms * 10) / 10,
        ...(req.user && { userId: req.user.id }),
        ...(!res.writableFinished && { aborted: true }),
        ...note?.fields,
      };
      if (note === undefined) logger.info(line, 'request');
      else logger[note.level](line, note.msg);
    });
    next();
  };
}

// Three base64url runs joined by dots: a JWT, wherever a client put it.
const JWT_LIKE = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
/** Longer path segments are not logged: a token's signature (43 characters for HS256), a refresh token (43), any secret. A UUID (36) is. */
const LONGEST_LOGGED_SEGMENT = 40;

/**
 * The path to log: cut at the query (`?`), a fragment (`#`, which no client
 * should send) or path parameters (`;`); anything shaped like a JWT, and
 * every segment longer than 40 characters (a token split at encoded dots or
 * slashes, a refresh token), replaced. So a client that put its token into
 * the URL does not put it into the log.
 */
export function loggedPath(url: string): string {
  // An absolute-form target (RFC 9112 §3.2.2) carries an authority, userinfo (a password) included: the path only.
  const target = url.startsWith('/') ? url : url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, '');
  const end = target.search(/[?#;]/);
  const segments = (end < 0 ? target : target.slice(0, end)).replace(JWT_LIKE, '[redacted]').split('/');
  for (let i = 0; i < segments.length; i++) if (segments[i].length > LONGEST_LOGGED_SEGMENT) segments[i] = '[redacted]';
  return segments.join('/');
}

/**
 * Puts `fields` on `req`'s request line, which is then written at `level`
 * with `msg` instead of `info` and `request`. False when no request line will
 * be written for `req` (no requestLog before the handler, or its line is
 * written already: the client hung up first): the caller writes a line of its own.
 */
export function noteOnRequestLine(req: Request, level: Level, msg: string, fields: Record<string, unknown>): boolean {
  const locals = req.res?.locals as Record<symbol, unknown> | undefined;
  if (locals === undefined || locals[LOGGED] !== true) return false;
  locals[NOTE] = { level, msg, fields } satisfies Note;
  return true;
}

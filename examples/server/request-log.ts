import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

/**
 * One `request` line per request once its response is over: method, path,
 * status, duration and, when authenticated, the user id. Never headers, the
 * body or the query string: those are where tokens and passwords travel.
 */
export function requestLog(logger: Logger) {
  return function logRequest(req: Request, res: Response, next: NextFunction): void {
    const start = process.hrtime.bigint();
    // 'close' comes once per response, finished or not (a client that hung up).
    res.once('close', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      logger.info(
        {
          method: req.method,
          path: req.originalUrl.split('?')[0],
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
          ...(req.user && { userId: req.user.id }),
          ...(!res.writableFinished && { aborted: true }),
        },
        'request',
      );
    });
    next();
  };
}

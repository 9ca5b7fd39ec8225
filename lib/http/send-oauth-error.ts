import type { NextFunction, Request, Response } from 'express';
import type { EgLogger } from '../eg/types';
import { OAuthError, toOAuthError } from '../errors';
import { logFailure } from './log-failure';

/**
 * Answers an OAuth error as RFC 6749 §5.2 JSON. The public description is
 * ours; a private detail, if any, only reaches the log.
 */
export function sendOAuthError(res: Response, raw: unknown, logger: EgLogger): OAuthError {
  const err = toOAuthError(raw);
  if (err.status >= 500) {
    logFailure(logger, 'oauth2', err);
  } else if (err.detail) {
    logger.debug(`oauth2: ${err.error}: ${err.detail}`);
  }
  if (!res.headersSent) {
    res
      .status(err.status)
      .set({ 'Cache-Control': 'no-store', Pragma: 'no-cache', ...err.headers })
      .json(err.toJSON());
  }
  return err;
}

/** An express error handler answering with sendOAuthError: the last step of every JSON endpoint. */
export function oauthErrorHandler(logger: EgLogger) {
  return function oauthErrorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
    sendOAuthError(res, err, logger);
  };
}

import type { NextFunction, Request, Response } from 'express';
import { answeredExpiredForm } from '../browser/expired-form';
import type { SendPage } from '../browser/pages';
import type { EgLogger } from '../eg/types';
import { clientErrorStatus, toOAuthError } from '../errors';
import { logFailure } from '../http/log-failure';

/** An app that is not the signed-in user's to manage: 404 whether or not it exists, so ids cannot be probed. */
export class AppNotFound extends Error {
  constructor(message = 'There is no such application among yours.') {
    super(message);
  }
}

/**
 * Last step of the registration pages: an expired form (CSRF) is 403, a
 * body too large, with too many fields or unreadable is the sender's
 * 400/413/415, a store outage is 503, anything else is logged and shown as
 * a generic failure (`failed`).
 */
export function appPageErrors(
  sendPage: SendPage,
  logger: EgLogger,
  failed = 'The application could not be saved. Try again later.'
) {
  return function appPageErrors(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
    const unreadable = clientErrorStatus(err);
    if (err instanceof AppNotFound) {
      return sendPage(res, 404, 'error', { title: 'Application not found', message: err.message });
    }
    if (answeredExpiredForm(err, res, sendPage)) return;
    if (unreadable !== undefined) {
      // body-parser's errors (entity.too.large, parameters.too.many, a body that does not inflate, ...) are the
      // sender's.
      return sendPage(res, unreadable, 'error', {
        title: 'Form not accepted',
        message: 'The form was too large or malformed. Go back and try again.'
      });
    }
    const failure = toOAuthError(err);
    logFailure(logger, 'oauth2 apps', failure);
    if (failure.status === 503) {
      return sendPage(res, 503, 'error', {
        title: 'Temporarily unavailable',
        message: failure.description,
        code: failure.error
      });
    }
    sendPage(res, 500, 'error', {
      title: 'Something went wrong',
      message: failed
    });
  };
}

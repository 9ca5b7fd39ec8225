import type { Response } from 'express';
import type { EgLogger } from '../eg/types';
import { toOAuthError } from '../errors';
import { logFailure } from '../http/log-failure';
import type { Settings } from '../settings';
import type { PageName, Render } from './views';

/** Renders a page with the locals every template may use (service name, paths). */
export function pageRenderer(render: Render, settings: Settings, logger: EgLogger) {
  const common = {
    serviceName: settings.serviceName,
    assetsPath: settings.basePath + settings.routes.assets,
    loginPath: settings.basePath + settings.routes.login,
    logoutPath: settings.basePath + settings.routes.logout,
    decisionPath: settings.basePath + settings.routes.decision
  };
  const send = (res: Response, status: number, page: PageName, locals: Record<string, unknown>) =>
    res
      .status(status)
      .type('html')
      .send(render(page, { ...common, ...locals }));

  /**
   * A form's CSRF token lives in the session, which express-session only
   * stores once the response is under way: too late to answer anything else
   * if the store fails. A form whose token was never stored could not be
   * posted, so a page with a form waits for its session to be saved, and
   * shows the error page (503 when Redis is down) if it cannot be.
   */
  return function sendPage(res: Response, status: number, page: PageName, locals: Record<string, unknown>): void {
    const session = res.req.session;
    if (locals.csrfToken === undefined || !session) {
      send(res, status, page, locals);
      return;
    }
    session.save((err?: unknown) => {
      if (!err) {
        send(res, status, page, locals);
        return;
      }
      const failure = toOAuthError(err);
      logFailure(logger, 'oauth2 pages: the session could not be saved', failure);
      send(res, failure.status, 'error', {
        title: 'Temporarily unavailable',
        message: failure.description,
        code: failure.error
      });
    });
  };
}

export type SendPage = ReturnType<typeof pageRenderer>;

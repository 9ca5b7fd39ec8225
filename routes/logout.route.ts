import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { authorizeErrorHandler } from '../lib/authorize/authorize-errors';
import type { csrfProtection } from '../lib/browser/csrf';
import { formPostSteps, pageSteps } from '../lib/browser/page-steps';
import type { SendPage } from '../lib/browser/pages';
import type { SessionUser } from '../lib/browser/session';
import type { EgLogger } from '../lib/eg/types';
import type { Settings } from '../lib/settings';

interface Deps {
  settings: Settings;
  session: RequestHandler;
  csrf: ReturnType<typeof csrfProtection>;
  sendPage: SendPage;
  logger: EgLogger;
}

/**
 * GET <logout> shows who is signed in with a sign-out button; POST (with its
 * CSRF token, so no third-party page can sign a user out) ends the session.
 */
export function mountLogoutRoutes(router: Router, { settings, session, csrf, sendPage, logger }: Deps): void {
  function logoutPage(req: Request, res: Response): void {
    const user = req.user as SessionUser | undefined;
    sendPage(res, 200, 'logged-out', {
      title: user ? 'Sign out?' : 'Signed out',
      signedIn: Boolean(user),
      username: user?.username,
      csrfToken: user ? csrf.generateToken(req, false) : undefined
    });
  }

  function signOut(req: Request, res: Response, next: NextFunction): void {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie(settings.session.name, { path: settings.basePath || '/' });
      sendPage(res, 200, 'logged-out', { title: 'Signed out', signedIn: false });
    });
  }

  const pageError = authorizeErrorHandler(sendPage, logger, settings.issuer);
  router.get(settings.routes.logout, ...pageSteps(session), logoutPage, pageError);
  router.post(settings.routes.logout, ...formPostSteps(session, csrf), signOut, pageError);
}

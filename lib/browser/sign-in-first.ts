import type { NextFunction, Request, Response } from 'express';

/**
 * A page for signed-in resource owners only. A visitor is sent to the login
 * page with where to come back in the URL (`return_to`, which the login page
 * only follows to the plugin's own pages), never in a session: nothing is
 * stored for a visitor who may never sign in (issue 15, item 13: every
 * anonymous GET of the authorization endpoint stored a session for an hour).
 * @param returnTo where to come back to; default: the page asked for.
 */
export function signInFirst(loginPath: string, status: 302 | 303, returnTo?: string) {
  return function signInFirst(req: Request, res: Response, next: NextFunction): void {
    if (req.user) return next();
    res.redirect(status, `${loginPath}?${new URLSearchParams({ return_to: returnTo ?? req.originalUrl })}`);
  };
}

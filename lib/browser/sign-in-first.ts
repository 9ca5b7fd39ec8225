import type { NextFunction, Request, Response } from 'express';
import { InvalidRequest } from '../errors';

/**
 * The longest login redirect sent: the URL to come back to travels in it,
 * percent-encoded once more, and a Location header much past 8 kB is cut or
 * refused by browsers, proxies and Node's own client (its header limit is
 * 16 kB in all), which then never gets to sign in.
 */
const MAX_LOCATION = 8192;

/**
 * A page for signed-in resource owners only. A visitor is sent to the login
 * page with where to come back in the URL (`return_to`, which the login page
 * only follows to the plugin's own pages), never in a session: nothing is
 * stored for a visitor who may never sign in (issue 15, item 13: every
 * anonymous GET of the authorization endpoint stored a session for an hour).
 * A request too long to come back to is invalid_request, answered as the
 * route answers errors (to the client, or on an error page).
 * @param returnTo where to come back to; default: the page asked for.
 */
export function signInFirst(loginPath: string, status: 302 | 303, returnTo?: string) {
  return function signInFirst(req: Request, res: Response, next: NextFunction): void {
    if (req.user) return next();
    // res.locals.returnTo: a POSTed request comes back as a GET with its parameters (authorize-form.ts).
    sendToSignIn(res, next, { loginPath, status, back: returnTo ?? requestedUrl(req, res) });
  };
}

/** The page asked for, as a GET: a POSTed authorization request comes back with its parameters (authorize-form.ts). */
export function requestedUrl(req: Request, res: Response): string {
  return typeof res.locals.returnTo === 'string' ? res.locals.returnTo : req.originalUrl;
}

/**
 * Redirects to the login page, to come back to `back`; `again`: show the form even to a signed-in user, who must sign
 * in again (OpenID Connect prompt=login, max_age).
 */
export function sendToSignIn(
  res: Response,
  next: NextFunction,
  { loginPath, status, back, again = false }: { loginPath: string; status: 302 | 303; back: string; again?: boolean }
): void {
  const query = new URLSearchParams({ return_to: back });
  if (again) query.set('prompt', 'login');
  const location = `${loginPath}?${query}`;
  if (location.length > MAX_LOCATION) {
    return next(
      new InvalidRequest(
        'The request is too long to come back to after signing in',
        `login redirect of ${location.length} characters`
      )
    );
  }
  res.redirect(status, location);
}

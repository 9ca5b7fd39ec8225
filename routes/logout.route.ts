import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { authorizeErrorHandler } from '../lib/authorize/authorize-errors';
import type { csrfProtection } from '../lib/browser/csrf';
import { formPostSteps, pageSteps } from '../lib/browser/page-steps';
import type { SendPage } from '../lib/browser/pages';
import type { SessionUser } from '../lib/browser/session';
import type { EgLogger, EgServices } from '../lib/eg/types';
import {
  EndSessionRefused,
  EndSessionRequest,
  postLogoutLocation,
  readEndSessionRequest
} from '../lib/oidc/end-session';
import type { IdTokens } from '../lib/oidc/id-tokens';
import type { BackchannelLogout } from '../lib/oidc/backchannel-logout';
import type { Settings } from '../lib/settings';

interface Deps {
  settings: Settings;
  services: EgServices;
  session: RequestHandler;
  csrf: ReturnType<typeof csrfProtection>;
  sendPage: SendPage;
  logger: EgLogger;
  /** With OpenID Connect on: this page is also the end_session_endpoint (RP-Initiated Logout 1.0). */
  idTokens: IdTokens | null;
  /** With OpenID Connect on: tells the clients of a sign-in that it ended (Back-Channel Logout 1.0). */
  backchannel: BackchannelLogout | null;
}

/** The parameters of an RP-Initiated Logout request; a form post of ours carries them too, as read and checked. */
const END_SESSION_PARAMS = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state'];

/**
 * GET <logout> shows who is signed in with a sign-out button; POST (with its
 * CSRF token, so no third-party page can sign a user out) ends the session.
 * With OpenID Connect on it is also the end_session_endpoint: a relying
 * party sends the browser here (GET, or a POSTed form without our CSRF
 * token) with id_token_hint, client_id, post_logout_redirect_uri and state;
 * the user confirms, and is sent back to that URI, which must be one the app
 * registered (`postLogoutRedirectUris`). A request that cannot be followed is
 * an error page, never a redirect.
 */
export function mountLogoutRoutes(router: Router, deps: Deps): void {
  const { settings, services, session, csrf, sendPage, logger, idTokens, backchannel } = deps;

  async function endSessionRequest(params: Record<string, unknown>): Promise<EndSessionRequest> {
    if (!idTokens) return {};
    return readEndSessionRequest(params, { idTokens, services });
  }

  function signedOut(res: Response, request: EndSessionRequest): void {
    const location = postLogoutLocation(request);
    if (location) return res.redirect(303, location);
    sendPage(res, 200, 'logged-out', { title: 'Signed out', signedIn: false });
  }

  function logoutPage(params: Record<string, unknown>) {
    return async (req: Request, res: Response): Promise<void> => {
      const request = await endSessionRequest(params);
      const user = req.user as SessionUser | undefined;
      if (!user) return signedOut(res, request);
      sendPage(res, 200, 'logged-out', {
        title: 'Sign out?',
        signedIn: true,
        username: user.username,
        clientName: request.client?.name,
        // What the sign-out form carries on: the request as checked, checked again when it comes back.
        endSession: {
          client_id: request.client?.id,
          post_logout_redirect_uri: request.redirectUri,
          state: request.state
        },
        csrfToken: csrf.generateToken(req, false)
      });
    };
  }

  function showLogoutPage(req: Request, res: Response, next: NextFunction): void {
    logoutPage(req.query)(req, res).catch(next);
  }

  /**
   * A relying party's POSTed logout request carries no CSRF token of ours, nor, coming from another site, the session
   * cookie (SameSite=Lax): it goes on as a GET of the same request, a top-level navigation that carries the cookie.
   */
  function postedEndSessionRequest(req: Request, res: Response, next: NextFunction): void {
    const asked = END_SESSION_PARAMS.filter((name) => typeof req.body?.[name] === 'string');
    if (!idTokens || req.body?._csrf !== undefined || asked.length === 0) return next();
    const query = new URLSearchParams(asked.map((name): [string, string] => [name, req.body[name] as string]));
    res.redirect(303, `${settings.basePath}${settings.routes.logout}?${query}`);
  }

  /**
   * Ends the session first, whatever else: then where to send the browser, from the form's fields checked again (an
   * app changed meanwhile, or a field swapped in the form, costs the redirect, never the sign-out).
   */
  function signOut(req: Request, res: Response, next: NextFunction): void {
    const user = req.user as SessionUser | undefined;
    req.session.destroy((err) => {
      if (err) return next(err);
      if (user?.sid) backchannel?.signedOut(user.sid, user.id);
      res.clearCookie(settings.session.name, { path: settings.basePath || '/' });
      endSessionRequest(req.body ?? {}).then(
        (request) => signedOut(res, request),
        (refused) => {
          if (!(refused instanceof EndSessionRefused)) return next(refused);
          logger.warn(`oauth2: signed out without the redirect asked for: ${refused.message}`);
          signedOut(res, {});
        }
      );
    });
  }

  const authorizeError = authorizeErrorHandler(sendPage, logger, settings.issuer);
  function pageError(err: unknown, req: Request, res: Response, next: NextFunction): void {
    if (err instanceof EndSessionRefused) {
      return sendPage(res, 400, 'error', { title: 'Sign-out failed', message: err.message, code: 'invalid_request' });
    }
    authorizeError(err, req, res, next);
  }
  router.get(settings.routes.logout, ...pageSteps(session), showLogoutPage, pageError);
  router.post(settings.routes.logout, ...formPostSteps(session, csrf, postedEndSessionRequest), signOut, pageError);
}

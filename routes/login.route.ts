import bodyParser from 'body-parser';
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { authorizeErrorHandler } from '../lib/authorize/authorize-errors';
import type { csrfProtection } from '../lib/browser/csrf';
import { largerFormPostSteps, pageSteps } from '../lib/browser/page-steps';
import type { SendPage } from '../lib/browser/pages';
import type { SessionUser } from '../lib/browser/session';
import { findClient } from '../lib/clients/client.repository';
import type { EgLogger, EgServices, EgUser } from '../lib/eg/types';
import { clientIp } from '../lib/http/client-ip';
import type { Settings } from '../lib/settings';
import { randomId } from '../lib/secret-value';
import type { BackchannelLogout } from '../lib/oidc/backchannel-logout';
import type { SignIn } from '../lib/users/throttled-sign-in';

interface Deps {
  settings: Settings;
  services: EgServices;
  session: RequestHandler;
  csrf: ReturnType<typeof csrfProtection>;
  signIn: SignIn;
  sendPage: SendPage;
  logger: EgLogger;
  /** With OpenID Connect on: a sign-in replaced by another user's ends, and its clients are told. */
  backchannel: BackchannelLogout | null;
}

const WRONG = 'The user name or password is incorrect.';
/** The login form carries return_to, an authorization request of up to 8 kB, besides the credentials. */
const loginForm = bodyParser.urlencoded({ extended: false, limit: 20480, parameterLimit: 10 });
const LOCKED = 'Too many failed sign-in attempts. Wait a few minutes and try again.';

/**
 * GET/POST <login>: the resource owner signs in with an EG user and its
 * basic-auth credential (passport-local, on a private Passport instance).
 * The session id is regenerated at sign-in (session fixation); attempts are
 * counted per user name and per IP in Redis and locked out past a limit
 * (throttledSignIn), with one message whether or not the user exists.
 */
export function mountLoginRoutes(router: Router, deps: Deps): void {
  const { settings, services, session, csrf, signIn, sendPage, logger, backchannel } = deps;
  const authorizePath = settings.basePath + settings.routes.authorize;
  const devicePath = settings.basePath + settings.routes.device;
  const appsPath = settings.basePath + settings.routes.apps;
  const connectedAppsPath = settings.basePath + settings.routes.connectedApps;
  const returnPaths = settings.clientRegistration.enabled
    ? [authorizePath, devicePath, connectedAppsPath, appsPath]
    : [authorizePath, devicePath, connectedAppsPath];
  const passport = new Passport();
  passport.use(
    'resource-owner',
    new LocalStrategy({ passReqToCallback: true }, (req, username, password, done) => {
      signIn(username, password, clientIp(req, settings.trustProxy)).then((result) => {
        if (result.user) return done(null, result.user);
        const failure: { message: string; retryAfter?: number } = result.locked
          ? { message: LOCKED, retryAfter: result.retryAfter }
          : { message: WRONG };
        done(null, false, failure);
      }, done);
    })
  );

  /**
   * Only ever return to our own authorization endpoint, device, connected apps or apps page: no open redirect through
   * the login page.
   */
  const safeReturnTo = (value: unknown) =>
    typeof value === 'string' &&
    value.length <= 8192 &&
    returnPaths.some((path) => value === path || value.startsWith(`${path}?`))
      ? value
      : undefined;
  /** Where to go after signing in: the page that sent the visitor here says so in the URL, the form repeats it. */
  const returnToOf = (req: Request) => safeReturnTo(req.method === 'POST' ? req.body?.return_to : req.query.return_to);

  /** OpenID Connect's login_hint (Core §3.1.2.1) of the request to return to: the user name the form starts with. */
  function loginHintOf(returnTo: string | undefined): string {
    return new URLSearchParams(returnTo?.split('?')[1] ?? '').get('login_hint')?.slice(0, 200) ?? '';
  }

  async function clientNameOf(returnTo: string | undefined): Promise<string | undefined> {
    if (!returnTo) return undefined;
    const clientId = new URLSearchParams(returnTo.split('?')[1] ?? '').get('client_id');
    return clientId ? (await findClient(services, clientId, 'none'))?.name : undefined;
  }

  /**
   * Why a visitor sent from the device or apps page is asked to sign in (the authorization endpoint names its app
   * instead).
   */
  function purposeOf(returnTo: string | undefined): string | undefined {
    if (returnTo?.startsWith(devicePath)) return 'to connect a device to your account';
    if (returnTo?.startsWith(appsPath)) return 'to manage your applications';
    return undefined;
  }

  async function showLoginForm(req: Request, res: Response, status: number, error?: string): Promise<void> {
    const returnTo = returnToOf(req);
    // A visitor's session holds only the form's CSRF token: kept briefly, not for session.ttl (issue 15, item 13).
    if (!req.user) req.session.cookie.maxAge = settings.session.visitorTtl * 1000;
    sendPage(res, status, 'login', {
      title: 'Sign in',
      error,
      username: typeof req.body?.username === 'string' ? req.body.username.slice(0, 200) : loginHintOf(returnTo),
      clientName: await clientNameOf(returnTo),
      purpose: purposeOf(returnTo),
      returnTo,
      csrfToken: csrf.generateToken(req, false)
    });
  }

  function loginPage(req: Request, res: Response, next: NextFunction): void {
    const returnTo = returnToOf(req);
    // prompt=login: the authorization request asks this signed-in user to sign in again (OpenID Connect Core §3.1.2.1).
    if (req.user && returnTo && req.query.prompt !== 'login') return res.redirect(303, returnTo);
    showLoginForm(req, res, 200).catch(next);
  }

  function signedIn(req: Request, res: Response, next: NextFunction, user: EgUser): void {
    const returnTo = returnToOf(req);
    const previous = req.session.oauth2User;
    // The same user signing in again (prompt=login, max_age) goes on with the same sign-in for back-channel logout;
    // another user's sign-in replaces theirs, which ends.
    const sid = previous?.id === user.id && previous.sid ? previous.sid : randomId(16);
    if (previous?.sid && previous.sid !== sid) backchannel?.signedOut(previous.sid, previous.id);
    req.session.regenerate((err) => {
      if (err) return next(err);
      const authTime = Math.floor(Date.now() / 1000);
      req.session.oauth2User = { id: user.id, username: user.username, authTime, sid } satisfies SessionUser;
      req.session.save((saveErr) => {
        if (saveErr) return next(saveErr);
        res.redirect(303, returnTo ?? settings.basePath + settings.routes.logout);
      });
    });
  }

  function submitLogin(req: Request, res: Response, next: NextFunction): void {
    passport.authenticate(
      'resource-owner',
      { session: false },
      (err: Error | null, user: EgUser | false, info?: { message?: string; retryAfter?: number }) => {
        if (err) return next(err);
        if (user) return signedIn(req, res, next, user);
        // The guard has logged the lock (once, with the name quoted). A wrong password is 400, not 401:
        // RFC 9110 §15.5.2 ties 401 to a WWW-Authenticate challenge, which a form is not.
        if (info?.retryAfter) res.set('Retry-After', String(info.retryAfter));
        const locked = info?.message === LOCKED;
        showLoginForm(req, res, locked ? 429 : 400, locked ? LOCKED : WRONG).catch(next);
      }
    )(req, res, next);
  }

  const pageError = authorizeErrorHandler(sendPage, logger, settings.issuer);
  router.get(settings.routes.login, ...pageSteps(session), loginPage, pageError);
  router.post(settings.routes.login, ...largerFormPostSteps(loginForm, session, csrf), submitLogin, pageError);
}

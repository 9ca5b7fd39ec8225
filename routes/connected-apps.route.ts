import type { Request, RequestHandler, Response, Router } from 'express';
import type { csrfProtection } from '../lib/browser/csrf';
import { formPostSteps, pageSteps } from '../lib/browser/page-steps';
import type { SendPage } from '../lib/browser/pages';
import type { SessionUser } from '../lib/browser/session';
import { signInFirst } from '../lib/browser/sign-in-first';
import type { ConnectedApp, ConnectedApps } from '../lib/connected-apps/connected-apps';
import type { EgLogger } from '../lib/eg/types';
import { asyncStep } from '../lib/http/async-step';
import { pathParam } from '../lib/http/request-fields';
import { claimsOfScopes, identityScopeDescription } from '../lib/oidc/oidc-scopes';
import { availableClaims } from '../lib/oidc/user-claims';
import { AppNotFound, appPageErrors } from '../lib/registration/app-page-errors';
import type { Settings } from '../lib/settings';

interface Deps {
  settings: Settings;
  session: RequestHandler;
  csrf: ReturnType<typeof csrfProtection>;
  connectedApps: ConnectedApps;
  sendPage: SendPage;
  logger: EgLogger;
}

/** A time as the page shows it (UTC, to the minute) and as its <time> element gives it. */
const shownTime = (seconds: number) => {
  const iso = new Date(seconds * 1000).toISOString();
  return { iso, shown: `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` };
};

/**
 * <connectedApps>: a signed-in user sees each app holding a grant or a
 * remembered consent from them (Kong 483, 1918: users of Kong's plugin could
 * not), and takes an app's access back: its tokens stop on every instance,
 * it must ask again, and it hears by back-channel logout that the user's
 * sessions there end. An app the user is not connected to answers 404.
 */
export function mountConnectedAppsRoutes(router: Router, deps: Deps): void {
  const { settings, session, csrf, connectedApps, sendPage, logger } = deps;
  const route = settings.routes.connectedApps;
  const pagePath = settings.basePath + route;
  const user = (req: Request) => req.user as SessionUser;
  const requireSignIn = signInFirst(settings.basePath + settings.routes.login, 303, pagePath);
  const claimsShown = settings.oidc.enabled ? availableClaims(settings.oidc.claims) : [];

  const describe = (app: ConnectedApp) => ({
    ...app,
    scopes: app.scopes.map((name) => ({
      name,
      description: settings.scopeDescriptions[name] ?? identityScopeDescription(name, settings)
    })),
    claims: [...new Set([...claimsOfScopes(app.scopes), ...app.claims])].filter((claim) => claimsShown.includes(claim)),
    grantedAt: app.grantedAt === undefined ? undefined : shownTime(app.grantedAt),
    lastUsedAt: app.lastUsedAt === undefined ? undefined : shownTime(app.lastUsedAt),
    revokePath: `${pagePath}/${encodeURIComponent(app.appId)}/revoke`
  });

  async function showConnectedApps(req: Request, res: Response): Promise<void> {
    const { apps, partial } = await connectedApps.of(user(req).id);
    const revokedApp = req.session.revokedApp;
    delete req.session.revokedApp;
    sendPage(res, 200, 'connected-apps', {
      revokedApp,
      title: 'Connected apps',
      wide: true,
      username: user(req).username,
      apps: apps.map(describe),
      partial,
      appsPath: settings.clientRegistration.enabled ? settings.basePath + settings.routes.apps : undefined,
      csrfToken: csrf.generateToken(req, false)
    });
  }

  async function revokeAccess(req: Request, res: Response): Promise<void> {
    const revoked = await connectedApps.revoke(user(req).id, pathParam(req, 'clientId'));
    if (revoked === null) throw new AppNotFound('There is no such application among those connected to you.');
    req.session.revokedApp = revoked.name ?? 'The application';
    res.redirect(303, pagePath);
  }

  const pageError = appPageErrors(sendPage, logger, 'The access could not be revoked. Try again later.');
  router.get(route, ...pageSteps(session), requireSignIn, asyncStep(showConnectedApps), pageError);
  router.post(
    `${route}/:clientId/revoke`,
    ...formPostSteps(session, csrf, requireSignIn),
    asyncStep(revokeAccess),
    pageError
  );
}

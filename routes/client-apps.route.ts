import bodyParser from 'body-parser';
import { asyncStep } from '../lib/http/async-step';
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { csrfProtection } from '../lib/browser/csrf';
import { formPostSteps, largerFormPostSteps, pageSteps } from '../lib/browser/page-steps';
import { signInFirst } from '../lib/browser/sign-in-first';
import type { SendPage } from '../lib/browser/pages';
import type { SessionUser } from '../lib/browser/session';
import { AppNameTaken, ClientRegistrar, RegisteredClient } from '../lib/clients/client-registrar';
import type { EgLogger, EgServices } from '../lib/eg/types';
import { endpointUrl } from '../lib/endpoint-url';
import { pathParam } from '../lib/http/request-fields';
import { AppNotFound, appPageErrors } from '../lib/registration/app-page-errors';
import { offeredScopes } from '../lib/registration/offered-scopes';
import type { OperatorAppNames } from '../lib/registration/operator-app-names';
import { readRegistrationForm, RegistrationFormValues } from '../lib/registration/registration-form';
import type { RevealOnce } from '../lib/registration/reveal-once';
import type { Settings } from '../lib/settings';

interface Deps {
  settings: Settings;
  services: EgServices;
  session: RequestHandler;
  csrf: ReturnType<typeof csrfProtection>;
  registrar: ClientRegistrar;
  reveals: RevealOnce;
  operatorNames: OperatorAppNames;
  sendPage: SendPage;
  logger: EgLogger;
}

const EMPTY_FORM: RegistrationFormValues = { name: '', redirectUris: '', type: 'confidential', scopes: [] };

/**
 * <apps>: a signed-in user registers applications of their own (real EG
 * apps with an oauth2 credential, marked registeredVia=web), lists them,
 * deletes them and gives them a new secret. A secret is shown once, on the
 * page the form post redirects to. An app that is not the user's own answers
 * 404, like one that does not exist.
 */
export function mountClientAppRoutes(router: Router, deps: Deps): void {
  const { settings, services, session, csrf, registrar, reveals, operatorNames, sendPage, logger } = deps;
  const { maxAppsPerUser } = settings.clientRegistration;
  const route = settings.routes.apps;
  const appsPath = settings.basePath + route;
  const credentialsPath = `${appsPath}/credentials`;
  const user = (req: Request) => req.user as SessionUser;
  const describe = (app: RegisteredClient) => ({
    ...app,
    rotatePath: `${appsPath}/${encodeURIComponent(app.clientId)}/rotate`,
    deletePath: `${appsPath}/${encodeURIComponent(app.clientId)}/delete`
  });

  /** Not signed in: to the login page, which comes back to the list (never to a form post). */
  const requireSignIn = signInFirst(settings.basePath + settings.routes.login, 303, appsPath);

  async function showApps(
    req: Request,
    res: Response,
    status: number,
    values = EMPTY_FORM,
    problems: string[] = []
  ): Promise<void> {
    const [apps, scopes] = await Promise.all([
      registrar.ownedBy(user(req).id, 'web'),
      offeredScopes(services, settings)
    ]);
    sendPage(res, status, 'apps', {
      title: 'Your applications',
      wide: true,
      username: user(req).username,
      apps: apps.map(describe),
      maxApps: maxAppsPerUser,
      values,
      problems,
      scopes: scopes.map((name) => ({
        name,
        description: settings.scopeDescriptions[name],
        checked: values.scopes.includes(name)
      })),
      appsPath,
      csrfToken: csrf.generateToken(req, false)
    });
  }

  async function registerApp(req: Request, res: Response): Promise<void> {
    const { values, registration, problems } = readRegistrationForm(req.body, await offeredScopes(services, settings));
    const owned = await registrar.ownedBy(user(req).id, 'web');
    if (owned.length >= maxAppsPerUser)
      problems.push(`You already have ${maxAppsPerUser} applications, the most allowed. Delete one first.`);
    if (owned.some((app) => app.name === values.name)) problems.push('You already have an application with that name.');
    // Users trust the operator's app names on the consent page; checked last, as it scans every app.
    if (registration && !problems.length && (await operatorNames.resemble(values.name))) {
      problems.push(
        `That name is reserved: ${settings.serviceName} has an application of that name, or of one that looks the same. Choose another.`
      );
    }
    if (!registration || problems.length) return showApps(req, res, 400, values, problems);
    try {
      const { client, secret } = await registrar.register(user(req).id, registration, 'web');
      logger.info(
        `oauth2: user ${user(req).id} registered ${client.isPublic ? 'public' : 'confidential'} app ${client.clientId}`
      );
      await reveals.keep(req, { clientId: client.clientId, name: client.name, secret, reason: 'registered' });
      res.redirect(303, credentialsPath);
    } catch (err) {
      if (!(err instanceof AppNameTaken)) throw err;
      return showApps(req, res, 400, values, ['That name is already taken. Choose another.']);
    }
  }

  async function showCredentials(req: Request, res: Response): Promise<void> {
    const reveal = await reveals.take(req);
    if (!reveal) return res.redirect(303, appsPath);
    sendPage(res, 200, 'app-credentials', {
      title: reveal.reason === 'registered' ? 'Application registered' : 'New client secret',
      wide: true,
      ...reveal,
      authorizeUrl: endpointUrl(settings, settings.routes.authorize),
      tokenUrl: endpointUrl(settings, settings.routes.token),
      appsPath
    });
  }

  /** The app named in the path, if it is the signed-in user's and was registered here. */
  function ownApp(req: Request, res: Response, next: NextFunction): void {
    registrar.find(pathParam(req, 'clientId'), 'web').then((app) => {
      if (!app || app.ownerId !== user(req).id) return next(new AppNotFound());
      res.locals.app = app;
      next();
    }, next);
  }

  async function deleteApp(req: Request, res: Response): Promise<void> {
    const app = res.locals.app as RegisteredClient;
    await registrar.remove(app.clientId);
    logger.info(`oauth2: user ${user(req).id} deleted app ${app.clientId}`);
    res.redirect(303, appsPath);
  }

  async function rotateSecret(req: Request, res: Response): Promise<void> {
    const app = res.locals.app as RegisteredClient;
    if (app.isPublic) {
      return sendPage(res, 400, 'error', {
        title: 'No secret to replace',
        message: 'A public application has no client secret; it proves itself with PKCE.'
      });
    }
    const secret = await registrar.rotateSecret(app.clientId);
    logger.info(`oauth2: user ${user(req).id} rotated the secret of app ${app.clientId}`);
    await reveals.keep(req, { clientId: app.clientId, name: app.name, secret, reason: 'rotated' });
    res.redirect(303, credentialsPath);
  }

  // Up to 10 redirect URIs of 2000 characters, and one field per offered scope.
  const registrationBody = bodyParser.urlencoded({
    extended: false,
    limit: '32kb',
    parameterLimit: 8 + settings.clientRegistration.selfServiceScopes.length
  });
  const pageError = appPageErrors(sendPage, logger);
  router.get(
    route,
    ...pageSteps(session),
    requireSignIn,
    asyncStep((req, res) => showApps(req, res, 200)),
    pageError
  );
  router.post(
    route,
    ...largerFormPostSteps(registrationBody, session, csrf, requireSignIn),
    asyncStep(registerApp),
    pageError
  );
  router.get(`${route}/credentials`, ...pageSteps(session), requireSignIn, asyncStep(showCredentials), pageError);
  router.post(
    `${route}/:clientId/delete`,
    ...formPostSteps(session, csrf, requireSignIn),
    ownApp,
    asyncStep(deleteApp),
    pageError
  );
  router.post(
    `${route}/:clientId/rotate`,
    ...formPostSteps(session, csrf, requireSignIn),
    ownApp,
    asyncStep(rotateSecret),
    pageError
  );
}

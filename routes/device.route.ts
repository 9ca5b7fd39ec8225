import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { asyncStep } from '../lib/http/async-step';
import { aboutClient } from '../lib/authorize/about-client';
import { authorizeErrorHandler } from '../lib/authorize/authorize-errors';
import type { csrfProtection } from '../lib/browser/csrf';
import { formPostSteps, pageSteps } from '../lib/browser/page-steps';
import { signInFirst } from '../lib/browser/sign-in-first';
import { quotedForLog } from '../lib/eg/one-line-logger';
import type { SendPage } from '../lib/browser/pages';
import type { SessionUser } from '../lib/browser/session';
import { findClient } from '../lib/clients/client.repository';
import type { DeviceStore } from '../lib/device/device.store';
import type { EgLogger, EgServices } from '../lib/eg/types';
import { clientIp } from '../lib/http/client-ip';
import { splitScopes } from '../lib/scopes';
import type { Settings } from '../lib/settings';
import type { Throttle } from '../lib/store/throttle';
import type { DocumentClients } from '../lib/client-documents/document-clients';

interface Deps {
  settings: Settings;
  services: EgServices;
  session: RequestHandler;
  csrf: ReturnType<typeof csrfProtection>;
  devices: DeviceStore;
  throttle: Throttle;
  sendPage: SendPage;
  logger: EgLogger;
  /** Clients named by a client ID metadata document URL. */
  documents: DocumentClients;
}

const WRONG_CODE = 'That code is not valid or has expired. Check it on your device.';
const LOCKED = 'Too many wrong codes. Wait a few minutes and try again.';

/**
 * The verification page of the device flow (RFC 8628 §3.3): a signed-in
 * user enters the code the device shows, sees which app asks for what, and
 * allows or denies. Wrong codes are counted per user and per IP in Redis and
 * locked out past a limit (§5.1). The code found is kept in the session, so
 * the decision cannot be posted for a code that was never entered.
 */
export function mountDeviceRoutes(router: Router, deps: Deps): void {
  const { settings, services, session, csrf, devices, throttle, sendPage, logger } = deps;
  const devicePath = settings.basePath + settings.routes.device;
  const decisionPath = `${devicePath}/decision`;
  const limit = settings.device.maxUserCodeFailures;

  function showCodeForm(req: Request, res: Response, status: number, error?: string): void {
    const typed = typeof req.body?.user_code === 'string' ? req.body.user_code : req.query.user_code;
    sendPage(res, status, 'device', {
      title: 'Connect a device',
      devicePath,
      error,
      username: (req.user as SessionUser).username,
      userCode: typeof typed === 'string' ? typed.slice(0, 16) : '',
      csrfToken: csrf.generateToken(req, false)
    });
  }

  function codeForm(req: Request, res: Response): void {
    showCodeForm(req, res, 200);
  }

  async function enterCode(req: Request, res: Response): Promise<void> {
    const user = req.user as SessionUser;
    const ip = clientIp(req, settings.trustProxy);
    const subjects = [
      { kind: 'user-code-user', subject: user.id, limit },
      { kind: 'user-code-ip', subject: ip, limit: limit * 4 }
    ];
    if (await throttle.overLimit(subjects)) {
      logger.warn(`oauth2: user code entry locked for user ${quotedForLog(user.username)} or IP ${quotedForLog(ip)}`);
      return showCodeForm(req, res, 429, LOCKED);
    }
    const found = await devices.findPending(req.body.user_code);
    const client = found && (await findClient(services, found.record.clientId, 'none'));
    if (!found || !client) return showCodeForm(req, res, 400, WRONG_CODE);
    // Only wrong codes count; a right one does not wipe the count (else one own code would reset it at will).
    await Promise.all([throttle.forgive('user-code-user', user.id), throttle.forgive('user-code-ip', ip)]);
    req.session.deviceApproval = { id: found.id, userCode: found.record.userCode };
    sendPage(res, 200, 'consent', {
      title: 'Allow access?',
      ...(await aboutClient(services, deps.documents, client)),
      userCode: found.record.userCode,
      username: user.username,
      scopes: splitScopes(found.record.scope).map((name) => ({ name, description: settings.scopeDescriptions[name] })),
      resources: splitScopes(found.record.resources),
      decisionPath,
      csrfToken: csrf.generateToken(req, false)
    });
  }

  async function decide(req: Request, res: Response): Promise<void> {
    const pending = req.session.deviceApproval;
    delete req.session.deviceApproval;
    // The decision is for the code on the page answered: another tab may have entered another code since.
    const sameCode = pending && req.body.user_code === pending.userCode;
    const found = sameCode && (await devices.pendingById(pending.id));
    const client = found && (await findClient(services, found.record.clientId, 'none'));
    if (!found || !client) {
      return sendPage(res, 400, 'error', {
        title: 'Code expired',
        message: 'This device request is no longer waiting. Start again on the device.'
      });
    }
    const approved = !req.body.cancel;
    if (!(await devices.decide(found.id, found.record, approved, req.user as SessionUser))) {
      return sendPage(res, 409, 'error', {
        title: 'Already decided',
        message: 'This device request was already answered.'
      });
    }
    sendPage(res, 200, 'device-done', {
      title: approved ? 'Device connected' : 'Access denied',
      approved,
      clientName: client.name
    });
  }

  function requireSignedIn(req: Request, res: Response, next: NextFunction): void {
    if (req.user) return next();
    sendPage(res, 403, 'error', {
      title: 'Signed out',
      message: 'You are no longer signed in. Open the device page again.'
    });
  }

  const pageError = authorizeErrorHandler(sendPage, logger, settings.issuer);
  router.get(
    settings.routes.device,
    ...pageSteps(session),
    signInFirst(settings.basePath + settings.routes.login, 302),
    codeForm,
    pageError
  );
  router.post(
    settings.routes.device,
    ...formPostSteps(session, csrf, requireSignedIn),
    asyncStep(enterCode),
    pageError
  );
  router.post(
    `${settings.routes.device}/decision`,
    ...formPostSteps(session, csrf, requireSignedIn),
    asyncStep(decide),
    pageError
  );
}

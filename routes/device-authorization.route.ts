import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { DEVICE_CODE } from '../schemas/settings.schema';
import type { Client } from '../lib/clients/client';
import { appAllowsGrant } from '../lib/clients/grant-policy';
import { subjectTypeProblem } from '../lib/oidc/subjects';
import type { DeviceStore } from '../lib/device/device.store';
import { endpointUrl } from '../lib/endpoint-url';
import type { EgLogger } from '../lib/eg/types';
import { InvalidScope, RateLimited, UnauthorizedClient } from '../lib/errors';
import { clientIp } from '../lib/http/client-ip';
import { formBody } from '../lib/http/form-body';
import { methodNotAllowed } from '../lib/http/method-not-allowed';
import { noStore } from '../lib/http/no-store';
import { oauthErrorHandler } from '../lib/http/send-oauth-error';
import { grantScopes, isValidScopeParam, joinScopes, splitScopes } from '../lib/scopes';
import type { Settings } from '../lib/settings';
import type { RateLimit } from '../lib/store/rate-limit';
import type { ResourceIndicators } from '../lib/resources/resource-indicators';

interface Deps {
  settings: Settings;
  clientAuth: RequestHandler[];
  devices: DeviceStore;
  rates: RateLimit;
  /** Checks the resources a device asks for (RFC 8707). */
  indicators: ResourceIndicators;
  logger: EgLogger;
}

/**
 * POST <deviceAuthorization> (RFC 8628 §3.1, §3.2): a device (a public
 * client naming itself with client_id, or a confidential one) starts an
 * authorization and gets a device code to poll with and a user code for
 * its user to enter at the verification page. Requests are limited per
 * client and per client IP and minute, on every instance together: each one
 * stores a device code, and floods of them would fill the store.
 */
export function mountDeviceAuthorizationRoute(
  router: Router,
  { settings, clientAuth, devices, rates, indicators, logger }: Deps
): void {
  const path = settings.routes.deviceAuthorization;
  const verificationUri = endpointUrl(settings, settings.routes.device);

  function checkClientMayUseDeviceGrant(req: Request, _res: Response, next: NextFunction): void {
    if (!appAllowsGrant(req.user as Client, DEVICE_CODE))
      return next(new UnauthorizedClient('This client may not use the device authorization grant'));
    // Before the user is asked to approve: its tokens would be refused (TokenIssuer.assertSubjectsGiven).
    const subjectProblem = subjectTypeProblem((req.user as Client).app, settings.oidc.pairwiseSecret);
    next(subjectProblem ? new UnauthorizedClient(subjectProblem) : undefined);
  }

  function limitRequestRate(req: Request, _res: Response, next: NextFunction): void {
    const { maxRequestsPerClient, maxRequestsPerIp } = settings.device;
    rates
      .count([
        { kind: 'device-authorization-client', subject: (req.user as Client).id, limit: maxRequestsPerClient },
        { kind: 'device-authorization-ip', subject: clientIp(req, settings.trustProxy), limit: maxRequestsPerIp }
      ])
      .then((refusal) => {
        if (!refusal) return next();
        next(
          new RateLimited(
            `Too many device authorization requests; retry after ${refusal.retryAfterSeconds} seconds`,
            refusal.retryAfterSeconds
          )
        );
      }, next);
  }

  function startDeviceAuthorization(req: Request, res: Response, next: NextFunction): void {
    const client = req.user as Client;
    const scope = req.body.scope;
    if (scope !== undefined && (typeof scope !== 'string' || !isValidScopeParam(scope))) {
      return next(new InvalidScope('The scope parameter is malformed (RFC 6749 §3.3)'));
    }
    let scopes: string[];
    let resources: string[];
    try {
      scopes = grantScopes(scope === undefined ? undefined : splitScopes(scope), client.scopes);
      // RFC 8707 §2: the resources the tokens of this grant are for, shown to the user who approves it.
      resources = indicators.requested(req.body.resource) ?? [];
    } catch (err) {
      return next(err);
    }
    const { ttl, interval } = settings.device;
    devices.create(client.id, joinScopes(scopes), resources, ttl, interval).then(({ deviceCode, userCode }) => {
      res.json({
        device_code: deviceCode,
        user_code: userCode,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?${new URLSearchParams({ user_code: userCode })}`,
        expires_in: ttl,
        interval
      });
    }, next);
  }

  router.post(
    path,
    noStore,
    ...formBody(settings.tokenEndpoint.maxBodyBytes, false, ['resource']),
    ...clientAuth,
    checkClientMayUseDeviceGrant,
    limitRequestRate,
    startDeviceAuthorization,
    oauthErrorHandler(logger)
  );
  router.all(path, methodNotAllowed('POST'));
}

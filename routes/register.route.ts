import type { NextFunction, Request, Response, Router } from 'express';
import { AccessDenied, InvalidToken } from '../lib/errors';
import { bearerToken } from '../lib/http/bearer-token';
import { jsonBody } from '../lib/http/json-body';
import { methodNotAllowed } from '../lib/http/method-not-allowed';
import { noStore } from '../lib/http/no-store';
import { oauthErrorHandler } from '../lib/http/send-oauth-error';
import type { DynamicRegistration } from '../lib/registration/dynamic-registration';
import type { InitialAccess } from '../lib/registration/initial-access';
import { checkClientName } from '../lib/registration/check-client-name.step';
import { checkClientUrlHosts } from '../lib/registration/check-client-url-hosts.step';
import { checkSectorIdentifier } from '../lib/registration/check-sector-identifier.step';
import { readClientMetadata } from '../lib/registration/read-metadata.step';
import { sendBearerChallenge } from '../lib/http/bearer-challenge';
import { mountClientConfigurationRoutes } from './client-configuration.route';

/**
 * POST <basePath><routes.register>: dynamic client registration (RFC 7591
 * §3), behind an initial access token; and the client configuration
 * endpoint of each client so registered (RFC 7592).
 */
export function mountRegisterRoutes(router: Router, registration: DynamicRegistration): void {
  const { settings, services, access, adminTokens, clients, operatorNames, logger } = registration;
  const path = settings.routes.register;
  const realm = settings.issuer; // an ASCII URL; serviceName is a display name, any language
  const { maxClientsPerOwner } = settings.dynamicRegistration;
  /**
   * Registrations of one owner run one after the other on an instance, so that concurrent ones cannot all pass the
   * quota.
   */
  const ownerTurns = new Map<string, Promise<unknown>>();

  function inTurn<T>(ownerId: string, work: () => Promise<T>): Promise<T> {
    const previous = ownerTurns.get(ownerId) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(work);
    const settled = mine.catch(() => undefined);
    ownerTurns.set(ownerId, settled);
    void settled.then(() => {
      if (ownerTurns.get(ownerId) === settled) ownerTurns.delete(ownerId);
    });
    return mine;
  }

  /**
   * A token holding the registration scope is not spent like an admin-issued
   * one (which has its own number of uses): its owner may hold at most
   * maxClientsPerOwner dynamically registered clients.
   */
  async function withinQuota(initial: InitialAccess): Promise<void> {
    if (initial.adminIssued) return;
    const owned = await clients.countOwnedBy(initial.ownerId);
    if (owned >= maxClientsPerOwner) {
      throw new AccessDenied(
        `The owner of this access token already has ${owned} dynamically registered clients, the most allowed; delete one first`
      );
    }
  }

  /** RFC 7591 §3: an initial access token, checked before the body is read. */
  function authenticateInitialAccess(req: Request, res: Response, next: NextFunction): void {
    bearerToken(req)
      .then((token) => access.check(token))
      .then(
        (found) => {
          res.locals.access = found;
          next();
        },
        (failure) => sendBearerChallenge(res, failure, { realm }, logger)
      );
  }

  /** Spends a use of an admin-issued token only now, so that a typo in the metadata costs none. */
  function registerClient(_req: Request, res: Response, next: NextFunction): void {
    const initial = res.locals.access as InitialAccess;
    inTurn(initial.ownerId, async () => {
      await withinQuota(initial);
      if (initial.adminIssued && !(await adminTokens.spend(initial.token))) {
        return sendBearerChallenge(
          res,
          new InvalidToken('The initial access token is used up or expired'),
          { realm },
          logger
        );
      }
      let answer: Record<string, unknown>;
      try {
        answer = await clients.register(initial.ownerId, res.locals.metadata);
      } catch (err) {
        if (initial.adminIssued) await adminTokens.refund(initial.token);
        throw err;
      }
      logger.info(`oauth2: client ${answer.client_id} registered dynamically for user ${initial.ownerId}`);
      res.status(201).location(String(answer.registration_client_uri)).json(answer);
    }).catch(next);
  }

  router.post(
    path,
    noStore,
    authenticateInitialAccess,
    ...jsonBody(settings.dynamicRegistration.maxBodyBytes),
    readClientMetadata(settings, services),
    checkClientName(operatorNames),
    checkClientUrlHosts(settings),
    checkSectorIdentifier(settings),
    registerClient,
    oauthErrorHandler(logger)
  );
  router.all(path, methodNotAllowed('POST'));
  mountClientConfigurationRoutes(router, registration);
}

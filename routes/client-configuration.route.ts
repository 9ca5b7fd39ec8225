import type { NextFunction, Request, Response, Router } from 'express';
import { authenticateClient } from '../lib/clients/client.authenticator';
import { InvalidClientMetadata, InvalidToken } from '../lib/errors';
import { bearerToken } from '../lib/http/bearer-token';
import { clientIp } from '../lib/http/client-ip';
import { jsonBody } from '../lib/http/json-body';
import { methodNotAllowed } from '../lib/http/method-not-allowed';
import { noStore } from '../lib/http/no-store';
import { oauthErrorHandler } from '../lib/http/send-oauth-error';
import type { DynamicClient } from '../lib/registration/dynamic-clients';
import type { DynamicRegistration } from '../lib/registration/dynamic-registration';
import { checkClientName } from '../lib/registration/check-client-name.step';
import { checkClientUrlHosts } from '../lib/registration/check-client-url-hosts.step';
import { checkSectorIdentifier } from '../lib/registration/check-sector-identifier.step';
import { readClientMetadata } from '../lib/registration/read-metadata.step';
import { sendBearerChallenge } from '../lib/http/bearer-challenge';
import { pathParam } from '../lib/http/request-fields';

/** RFC 7592 §2.2: what the server sets, which an update must not send. */
const SERVER_FIELDS = [
  'registration_access_token',
  'registration_client_uri',
  'client_secret_expires_at',
  'client_id_issued_at'
];

type Managed = DynamicClient & { token: string };

/**
 * The client configuration endpoint (RFC 7592) at
 * <basePath><routes.register>/<client_id>: GET reads, PUT replaces, DELETE
 * removes a dynamically registered client, each with the registration
 * access token given at registration.
 */
export function mountClientConfigurationRoutes(
  router: Router,
  { settings, services, guard, clients, operatorNames, logger }: DynamicRegistration
): void {
  const path = `${settings.routes.register}/:clientId`;
  const realm = settings.issuer; // an ASCII URL; serviceName is a display name, any language

  /** RFC 7592 §2: an unknown client and another client's token look the same, 401. */
  function authenticateRegistration(req: Request, res: Response, next: NextFunction): void {
    bearerToken(req)
      .then(async (token) => {
        const found = await clients.find(pathParam(req, 'clientId'), token);
        if (!found) throw new InvalidToken("The registration access token is invalid or is not this client's");
        return { ...found, token };
      })
      .then(
        (managed: Managed) => {
          res.locals.managed = managed;
          next();
        },
        (failure) => sendBearerChallenge(res, failure, { realm }, logger)
      );
  }

  function readClient(_req: Request, res: Response): void {
    const managed = res.locals.managed as Managed;
    res.json(clients.information(managed, managed.token));
  }

  /**
   * RFC 7592 §2.2: the body names the client, leaves out what the server sets, and may only repeat the current secret.
   */
  function checkUpdateRequest(req: Request, res: Response, next: NextFunction): void {
    const { client } = res.locals.managed as Managed;
    const body = req.body as Record<string, unknown>;
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return next(new InvalidClientMetadata('The request body must be a JSON object'));
    if (body.client_id !== client.clientId)
      return next(new InvalidClientMetadata('client_id must be the client_id of this client (RFC 7592 §2.2)'));
    const serverField = SERVER_FIELDS.find((field) => field in body);
    if (serverField)
      return next(
        new InvalidClientMetadata(
          `${serverField} is set by the server and must not be sent in an update (RFC 7592 §2.2)`
        )
      );
    if (body.client_secret === undefined) return next();
    const secret = String(body.client_secret);
    const check = { guard, limits: settings.clientAuth, ip: clientIp(req, settings.trustProxy) };
    authenticateClient(services, check, client.clientId, secret, 'client_secret_post').then((proven) => {
      if (!proven)
        return next(
          new InvalidClientMetadata(
            'client_secret is not the current secret of this client; a client cannot choose its secret'
          )
        );
      res.locals.provenSecret = secret;
      next();
    }, next);
  }

  function updateClient(_req: Request, res: Response, next: NextFunction): void {
    const managed = res.locals.managed as Managed;
    clients.update(managed, res.locals.metadata, managed.token, res.locals.provenSecret).then((answer) => {
      logger.info(`oauth2: dynamically registered client ${managed.client.clientId} updated`);
      res.json(answer);
    }, next);
  }

  function deleteClient(_req: Request, res: Response, next: NextFunction): void {
    const { client } = res.locals.managed as Managed;
    clients.remove(client.clientId).then((removed) => {
      // Two DELETEs at once: the later one finds no client, as it would have a moment later (RFC 7592 §2.3: 401).
      if (!removed) return next(new InvalidToken("The registration access token is invalid or is not this client's"));
      logger.info(`oauth2: dynamically registered client ${client.clientId} deleted by its registration access token`);
      res.status(204).end();
    }, next);
  }

  router.get(path, noStore, authenticateRegistration, readClient, oauthErrorHandler(logger));
  router.put(
    path,
    noStore,
    authenticateRegistration,
    ...jsonBody(settings.dynamicRegistration.maxBodyBytes),
    checkUpdateRequest,
    readClientMetadata(settings, services),
    checkClientName(operatorNames, (res) => (res.locals.managed as Managed).client.name),
    checkClientUrlHosts(settings),
    checkSectorIdentifier(settings),
    updateClient,
    oauthErrorHandler(logger)
  );
  router.delete(path, noStore, authenticateRegistration, deleteClient, oauthErrorHandler(logger));
  router.all(path, methodNotAllowed('GET, PUT, DELETE'));
}

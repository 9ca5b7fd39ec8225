import type { NextFunction, Request, Response } from 'express';
import { DocumentClientFailure, type DocumentClients } from '../client-documents/document-clients';
import { findClient } from '../clients/client.repository';
import type { EgServices } from '../eg/types';
import { InvalidRequestObject } from '../errors';
import { clientIp } from '../http/client-ip';
import type { Settings } from '../settings';
import type { RequestObjects } from './request-object';
import { UntrustedRedirect } from './untrusted-redirect';

/**
 * RFC 9101 §5, §6: an authorization request carrying a request object (`request`) is the request the object holds,
 * for the client the URL names; every other parameter of the URL is ignored. An object that does not verify is
 * shown to the user as an error page (`invalid_request_object`): the redirect URI to answer at is inside it, and it
 * is not to be trusted. With `request_uri` as well, it is refused likewise.
 */
export function useRequestObject(
  services: EgServices,
  settings: Settings,
  documents: DocumentClients,
  objects: RequestObjects
) {
  const refused = (message: string) => new UntrustedRedirect('Invalid request object', message);
  return function useRequestObject(req: Request, _res: Response, next: NextFunction): void {
    const jwt = req.query.request;
    if (jwt === undefined) return next();
    const clientId = req.query.client_id;
    if (typeof clientId !== 'string' || !clientId)
      return next(refused('The request does not name a client (client_id is missing).'));
    if (req.query.request_uri !== undefined)
      return next(refused('A request carries a request object or a request_uri, not both (invalid_request).'));
    documents
      .ensure(clientId, 'authorize', clientIp(req, settings.trustProxy))
      .then(() => findClient(services, clientId, 'none'))
      .then(async (client) => {
        if (!client) throw refused('This application is not registered or is not active.');
        req.query = { ...(await objects.read(jwt, client)), client_id: clientId };
      })
      .then(
        () => next(),
        (err: unknown) => {
          if (err instanceof InvalidRequestObject) return next(refused(`${err.description} (invalid_request_object).`));
          if (err instanceof DocumentClientFailure) return next(refused(err.message));
          next(err);
        }
      );
  };
}

import type { NextFunction, Request, Response } from 'express';
import { DocumentClientFailure, type DocumentClients } from '../client-documents/document-clients';
import { findClient } from '../clients/client.repository';
import { clientIp } from '../http/client-ip';
import { isRegisteredRedirect } from '../clients/redirect-uri-match';
import type { EgServices } from '../eg/types';
import { setAuthorizeRequest } from './authorize-request';
import { UntrustedRedirect } from './untrusted-redirect';
import { OPENID } from '../oidc/oidc-scopes';
import type { Settings } from '../settings';

const single = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** A scope parameter naming openid: the request is an OpenID Connect one (Core §3.1.2.1). */
const isOpenIdScope = (scope: unknown) => typeof scope === 'string' && scope.split(' ').includes(OPENID);

/** state is opaque to us but kept in the session until the decision: bounded. */
const MAX_STATE_LENGTH = 2048;

/**
 * The first step: who is asking, and where may the answer go? An unknown
 * client or a redirect URI that is not registered exactly (RFC 9700 §4.1.3;
 * a loopback IP literal's port aside, RFC 8252 §7.3) ends here with an
 * error page: redirecting would make the gateway an open redirector. A client_id
 * that is a client ID metadata document URL is resolved by its document first. So does
 * an OpenID Connect request without redirect_uri, which Core §3.1.2.1 requires.
 */
export function resolveClientAndRedirect(services: EgServices, settings: Settings, documents: DocumentClients) {
  return function resolveClientAndRedirect(req: Request, _res: Response, next: NextFunction): void {
    const clientId = req.query.client_id;
    const redirect = req.query.redirect_uri;
    if (Array.isArray(clientId) || Array.isArray(redirect)) {
      return next(new UntrustedRedirect('Invalid request', 'The client_id or redirect_uri parameter is repeated.'));
    }
    if (typeof clientId !== 'string' || !clientId) {
      return next(
        new UntrustedRedirect('Invalid request', 'The request does not name a client (client_id is missing).')
      );
    }
    if (typeof req.query.state === 'string' && req.query.state.length > MAX_STATE_LENGTH) {
      return next(
        new UntrustedRedirect('Invalid request', `The state parameter is longer than ${MAX_STATE_LENGTH} characters.`)
      );
    }
    documents
      .ensure(clientId, 'authorize', clientIp(req, settings.trustProxy))
      .then(() => findClient(services, clientId, 'none'))
      .then(
        (client) => {
          if (!client)
            return next(
              new UntrustedRedirect('Unknown application', 'This application is not registered or is not active.')
            );
          const requested = single(redirect);
          if (requested === undefined && settings.oidc.enabled && isOpenIdScope(req.query.scope)) {
            return next(
              new UntrustedRedirect('Invalid request', 'An OpenID Connect request must name its redirect_uri.')
            );
          }
          if (requested === undefined && client.redirectUris.length !== 1) {
            return next(new UntrustedRedirect('Invalid request', 'The request must name its redirect_uri.'));
          }
          const redirectUri = requested ?? client.redirectUris[0];
          if (redirectUri === undefined || !isRegisteredRedirect(client.redirectUris, redirectUri)) {
            return next(
              new UntrustedRedirect('Invalid redirect URI', 'The redirect_uri is not registered for this application.')
            );
          }
          setAuthorizeRequest(req, {
            client,
            redirectUri,
            redirectUriGiven: requested !== undefined,
            state: single(req.query.state)
          });
          next();
        },
        (err) =>
          next(err instanceof DocumentClientFailure ? new UntrustedRedirect('Unknown application', err.message) : err)
      );
  };
}

import type { NextFunction, Request, Response } from 'express';
import { findClient } from '../clients/client.repository';
import { appAllowsGrant } from '../clients/grant-policy';
import { isRegisteredRedirect } from '../clients/redirect-uri-match';
import type { EgServices } from '../eg/types';
import { InvalidRequest, InvalidScope, OAuthError, UnauthorizedClient, UnsupportedResponseType } from '../errors';
import { isWellFormed, PkceMethod } from '../pkce';
import { grantScopes, isValidScopeParam } from '../scopes';
import type { Settings } from '../settings';
import { getAuthorizeRequest, setAuthorizeRequest } from './authorize-request';

/** Errors that must be shown to the user and never sent to a redirect URI (RFC 6749 §4.1.2.1). */
export class UntrustedRedirect extends Error {
  constructor(readonly title: string, message: string) { super(message); }
}

const single = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** state is opaque to us but kept in the session until the decision: bounded. */
const MAX_STATE_LENGTH = 2048;

/**
 * Step 1: who is asking, and where may the answer go? An unknown client or a
 * redirect URI that is not registered exactly (RFC 9700 §4.1.3; a loopback
 * IP literal's port aside, RFC 8252 §7.3) ends here
 * with an error page: redirecting would make the gateway an open redirector.
 */
export function resolveClient(services: EgServices) {
  return function resolveClientAndRedirect(req: Request, _res: Response, next: NextFunction): void {
    const clientId = req.query.client_id;
    const redirect = req.query.redirect_uri;
    if (Array.isArray(clientId) || Array.isArray(redirect)) {
      return next(new UntrustedRedirect('Invalid request', 'The client_id or redirect_uri parameter is repeated.'));
    }
    if (typeof clientId !== 'string' || !clientId) {
      return next(new UntrustedRedirect('Invalid request', 'The request does not name a client (client_id is missing).'));
    }
    if (typeof req.query.state === 'string' && req.query.state.length > MAX_STATE_LENGTH) {
      return next(new UntrustedRedirect('Invalid request', `The state parameter is longer than ${MAX_STATE_LENGTH} characters.`));
    }
    findClient(services, clientId, 'none').then((client) => {
      if (!client) return next(new UntrustedRedirect('Unknown application', 'This application is not registered or is not active.'));
      const requested = single(redirect);
      if (requested === undefined && client.redirectUris.length !== 1) {
        return next(new UntrustedRedirect('Invalid request', 'The request must name its redirect_uri.'));
      }
      const redirectUri = requested ?? client.redirectUris[0];
      if (!isRegisteredRedirect(client.redirectUris, redirectUri)) {
        return next(new UntrustedRedirect('Invalid redirect URI', 'The redirect_uri is not registered for this application.'));
      }
      setAuthorizeRequest(req, { client, redirectUri, redirectUriGiven: requested !== undefined, state: single(req.query.state) });
      next();
    }, next);
  };
}

function checkPkce(req: Request, settings: Settings, isPublic: boolean): { codeChallenge: string; codeChallengeMethod: PkceMethod | '' } {
  const challenge = req.query.code_challenge;
  const method = req.query.code_challenge_method ?? (challenge === undefined ? undefined : 'plain');
  if (challenge === undefined) {
    if (method !== undefined) throw new InvalidRequest('code_challenge_method was sent without a code_challenge');
    const required = settings.pkce.require === 'required' || (settings.pkce.require === 'public-clients' && isPublic);
    if (required) throw new InvalidRequest('A code_challenge is required (PKCE, RFC 7636)');
    return { codeChallenge: '', codeChallengeMethod: '' };
  }
  if (!isWellFormed(challenge)) throw new InvalidRequest('The code_challenge is malformed (RFC 7636 §4.2)');
  if (method !== 'S256' && !(method === 'plain' && settings.pkce.allowPlain)) {
    throw new InvalidRequest('The code_challenge_method is not supported; use S256');
  }
  return { codeChallenge: challenge, codeChallengeMethod: method };
}

/**
 * Step 2: the rest of the request. From here on every error is redirected
 * back to the client with the original state (RFC 6749 §4.1.2.1).
 */
export function checkAuthorizeRequest(settings: Settings) {
  const grants = new Set<string>(settings.grants);
  return function checkAuthorizationRequest(req: Request, _res: Response, next: NextFunction): void {
    const target = getAuthorizeRequest(req)!;
    try {
      const responseType = req.query.response_type;
      target.responseType = responseType === 'token' ? 'token' : 'code';
      const repeated = Object.keys(req.query).find((name) => Array.isArray(req.query[name]));
      if (repeated) throw new InvalidRequest(`The parameter "${repeated}" is repeated`);
      if (responseType === undefined || responseType === '') throw new InvalidRequest('The response_type parameter is missing');
      const grant = responseType === 'code' ? 'authorization_code' : responseType === 'token' ? 'implicit' : null;
      if (!grant || !grants.has(grant)) throw new UnsupportedResponseType(`The response type "${String(responseType).slice(0, 50)}" is not supported`);
      // The token endpoint's rule, here too: a public or self-registered client never gets implicit tokens.
      if (!appAllowsGrant(target.client, grant)) throw new UnauthorizedClient(`This client may not use the response type "${responseType}"`);
      const scope = req.query.scope;
      if (scope !== undefined && (typeof scope !== 'string' || !isValidScopeParam(scope))) {
        throw new InvalidScope('The scope parameter is malformed (RFC 6749 §3.3)');
      }
      target.scopes = grantScopes(typeof scope === 'string' ? scope.split(' ') : undefined, target.client.scopes);
      Object.assign(target, grant === 'authorization_code'
        ? checkPkce(req, settings, target.client.isPublic)
        : { codeChallenge: '', codeChallengeMethod: '' });
      next();
    } catch (err) {
      next(err instanceof OAuthError ? err : new InvalidRequest('The authorization request is malformed'));
    }
  };
}

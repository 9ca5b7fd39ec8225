import type { NextFunction, Request, Response } from 'express';
import { InvalidRequest, RequestUriNotSupported } from '../errors';
import type { Settings } from '../settings';
import { type PushedParams, type PushedRequestStore, REQUEST_URI_PREFIX } from '../store/pushed-request.store';
import type { SessionUser } from '../browser/session';
import { checkStep } from './check-step';
import { UntrustedRedirect } from './untrusted-redirect';

const PUSHED = Symbol('oauth2.pushedRequestUri');

/**
 * A pushed request's prompt=login, prompt=select_account and max_age, once the user signed in after the request was
 * first opened (auth_time counts whole seconds: in the same second too): that sign-in answered them (OpenID Connect
 * Core §3.1.2.1). A request that is not pushed comes back from the sign-in without them in its URL; a pushed one has
 * them in the store, where they stay.
 */
function answeredBySignIn(params: PushedParams, req: Request, openedAt: number): PushedParams {
  const authTime = (req.user as SessionUser | undefined)?.authTime;
  if (authTime === undefined || authTime < openedAt) return params;
  const { max_age: _answered, prompt, ...rest } = params;
  const left =
    typeof prompt === 'string'
      ? prompt.split(' ').filter((value) => value && value !== 'login' && value !== 'select_account')
      : [];
  return left.length > 0 ? { ...rest, prompt: left.join(' ') } : rest;
}

/**
 * RFC 9126 §4: an authorization request naming a request_uri this server gave is the request pushed under it, by the
 * client the URL names; every other parameter of the URL is ignored. A request_uri that is unknown, expired, used or
 * another client's is shown to the user as an error page (`invalid_request_uri`): the redirect URI it would go to is
 * the pushed request's, which is not to be trusted without it. Any other request_uri (a request object by reference,
 * RFC 9101 §5.2) stays in the query, where checkRequestUri refuses it to the client.
 */
export function usePushedRequest(pushed: PushedRequestStore) {
  return function usePushedRequest(req: Request, _res: Response, next: NextFunction): void {
    const requestUri = req.query.request_uri;
    if (typeof requestUri !== 'string' || !requestUri.startsWith(REQUEST_URI_PREFIX)) return next();
    pushed.open(requestUri).then((request) => {
      if (!request || req.query.client_id !== request.clientId)
        return next(
          new UntrustedRedirect(
            'Invalid request',
            'The request_uri is unknown, expired, already used or not this application’s (invalid_request_uri). ' +
              'Start again from the application.'
          )
        );
      req.query = { ...answeredBySignIn(request.params, req, request.openedAt), client_id: request.clientId };
      (req as unknown as Record<symbol, string>)[PUSHED] = requestUri;
      next();
    }, next);
  };
}

/** The request_uri of the pushed request an authorization request is (after usePushedRequest), if it is one. */
export const pushedRequestUriOf = (req: Request): string | undefined =>
  (req as unknown as Record<symbol, string | undefined>)[PUSHED];

/** A request_uri left in the query is none this server gave (RFC 9101 §5.2 by reference): refused, to the client. */
export const checkRequestUri = checkStep('checkRequestUri', (req) => {
  if (req.query.request_uri !== undefined)
    throw new RequestUriNotSupported('Only a request_uri given by the PAR endpoint is taken (RFC 9126)');
});

/**
 * RFC 9126 §5, §6: with `par.required`, or for an app whose `requirePushedAuthorizationRequests` is `"true"`, a request
 * that was not pushed is refused (back to the client: its redirect URI is registered).
 */
export function requirePushedRequest(settings: Settings) {
  return checkStep('requirePushedRequest', (req, request) => {
    if (pushedRequestUriOf(req) !== undefined) return;
    if (settings.par.required || String(request.client.app.requirePushedAuthorizationRequests) === 'true')
      throw new InvalidRequest('This client must push its authorization requests to the PAR endpoint (RFC 9126)');
  });
}

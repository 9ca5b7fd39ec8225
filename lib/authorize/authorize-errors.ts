import type { NextFunction, Request, Response } from 'express';
import type { EgLogger } from '../eg/types';
import { toOAuthError } from '../errors';
import { getAuthorizeRequest } from './authorize-request';
import { UntrustedRedirect } from './untrusted-redirect';
import { answeredExpiredForm } from '../browser/expired-form';
import type { SendPage } from '../browser/pages';
import { logFailure } from '../http/log-failure';
import { transactionOf } from '../http/request-fields';

/**
 * Where an error may be sent: the checked request, or the transaction oauth2orize loaded. Not, before a user has
 * signed in, the redirect URI of a client anyone can describe (a client ID metadata document): the gateway would
 * redirect anybody anywhere (RFC 9700 §4.11.2).
 */
function redirectTarget(req: Request): { redirectUri: string; state?: string | undefined; fragment: boolean } | null {
  const checked = getAuthorizeRequest(req);
  if (checked?.client.app.registeredVia === 'document' && !req.user) return null;
  if (checked)
    return { redirectUri: checked.redirectUri, state: checked.state, fragment: checked.responseType !== 'code' };
  const txn = transactionOf(req);
  if (txn?.redirectURI)
    return { redirectUri: txn.redirectURI, state: txn.req?.state, fragment: txn.req?.type !== 'code' };
  return null;
}

/**
 * Errors of the authorization and decision endpoints. Once client and
 * redirect URI are trusted, the error goes back to the client with its state
 * (in the fragment for every response type but code, RFC 6749 §4.2.2.1, OpenID Connect Core §3.2.2.6); before that,
 * and for a broken form, the user sees an error page. Redirected errors name
 * the issuer (RFC 9207 §2) like successful responses do.
 */
export function authorizeErrorHandler(sendPage: SendPage, logger: EgLogger, issuer: string) {
  return function authorizeErrorHandler(raw: unknown, req: Request, res: Response, _next: NextFunction): void {
    if (raw instanceof UntrustedRedirect) {
      return sendPage(res, 400, 'error', { title: raw.title, message: raw.message });
    }
    if (answeredExpiredForm(raw, res, sendPage)) return;
    const err = toOAuthError(raw);
    if (err.status >= 500) logFailure(logger, 'oauth2 authorize', err);
    const target = redirectTarget(req);
    const isTransactionError = ['ForbiddenError', 'BadRequestError'].includes((raw as Error).name);
    if (!target || isTransactionError) {
      return sendPage(res, err.status === 500 || isTransactionError ? 400 : err.status, 'error', {
        title: 'Authorization failed',
        message: isTransactionError
          ? 'This authorization request has expired or was already answered. Start again from the application.'
          : err.description,
        code: err.error
      });
    }
    const params = new URLSearchParams({ error: err.error, error_description: err.description });
    if (target.state !== undefined) params.set('state', target.state);
    params.set('iss', issuer); // RFC 9207: lets the client detect a mix-up of authorization servers
    const url = new URL(target.redirectUri);
    if (target.fragment) {
      url.hash = params.toString();
    } else {
      for (const [name, value] of params) url.searchParams.set(name, value);
    }
    res.redirect(302, url.toString());
  };
}

import type { Response } from 'express';
import type { EgLogger } from '../eg/types';
import { InsufficientScope, OAuthError, toOAuthError } from '../errors';
import { quotedParam } from './challenge';
import { logFailure } from './log-failure';

/** A request that carried no token at all: RFC 6750 §3.1 says no error code then. */
export class MissingToken extends Error {}

/**
 * Refuses a request the RFC 6750 §3 way: 401 with a Bearer challenge (with
 * `error` only when a token was sent), 403 insufficient_scope naming the
 * scopes needed, 400 invalid_request. Outages are 503, never a stack trace.
 */
export function sendBearerChallenge(res: Response, failure: unknown, realm: string, logger: EgLogger): void {
  if (failure instanceof MissingToken) {
    res
      .status(401)
      .set('WWW-Authenticate', `Bearer realm=${quotedParam(realm)}`)
      .json({ error_description: 'A bearer access token is required' });
    return;
  }
  const err: OAuthError = toOAuthError(failure);
  if (err.status >= 500) {
    logFailure(logger, 'oauth2 policy', err);
    res.status(err.status).json(err.toJSON());
    return;
  }
  const attributes = [
    `realm=${quotedParam(realm)}`,
    `error=${quotedParam(err.error)}`,
    `error_description=${quotedParam(err.description)}`
  ];
  if (err instanceof InsufficientScope && err.scope) attributes.push(`scope=${quotedParam(err.scope)}`);
  res
    .status(err.status)
    .set('WWW-Authenticate', `Bearer ${attributes.join(', ')}`)
    .json(err.toJSON());
}

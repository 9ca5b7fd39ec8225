import type { Response } from 'express';
import type { EgLogger } from '../eg/types';
import { DpopRefused, InsufficientScope, OAuthError, toOAuthError } from '../errors';
import { DPOP_ALGORITHMS } from '../dpop/dpop-proof';
import { quotedParam } from './challenge';
import { logFailure } from './log-failure';

/** A request that carried no token at all: RFC 6750 §3.1 says no error code then. */
export class MissingToken extends Error {}

/** What a challenge names beside the error: the realm, and where the resource's metadata is (RFC 9728 §5.1). */
export interface ChallengeParams {
  realm: string;
  resourceMetadata?: string | undefined;
  /**
   * Whether the endpoint takes DPoP-bound tokens (RFC 9449 §7.1): a request without a token is then told of both
   * schemes, and one that came with the DPoP scheme is answered with a DPoP challenge, whatever the refusal.
   */
  dpop?: { scheme: boolean; algorithms?: readonly string[] | undefined; boundOnly?: boolean } | undefined;
}

/**
 * Refuses a request the RFC 6750 §3 way: 401 with a Bearer challenge (with
 * `error` only when a token was sent), 403 insufficient_scope naming the
 * scopes needed, 400 invalid_request. Outages are 503, never a stack trace.
 * Every challenge names the resource's metadata when it has some, so that a
 * client knowing only the URL finds its authorization server (RFC 9728 §5).
 */
export function sendBearerChallenge(
  res: Response,
  failure: unknown,
  { realm, resourceMetadata, dpop }: ChallengeParams,
  logger: EgLogger
): void {
  const metadata = resourceMetadata === undefined ? [] : [`resource_metadata=${quotedParam(resourceMetadata)}`];
  const algs = `algs=${quotedParam((dpop?.algorithms ?? DPOP_ALGORITHMS).join(' '))}`;
  if (failure instanceof MissingToken) {
    const bearer = `Bearer ${[`realm=${quotedParam(realm)}`, ...metadata].join(', ')}`;
    // Where bound tokens alone are taken (FAPI 2.0), the DPoP scheme alone is offered.
    const dpopChallenge = `DPoP ${[`realm=${quotedParam(realm)}`, ...(dpop?.boundOnly ? metadata : []), algs].join(', ')}`;
    const challenges = !dpop ? bearer : dpop.boundOnly ? dpopChallenge : [bearer, dpopChallenge];
    res
      .status(401)
      .set('WWW-Authenticate', challenges)
      .json({
        error_description: dpop?.boundOnly
          ? 'A DPoP-bound access token is required'
          : 'A bearer access token is required'
      });
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
  attributes.push(...metadata);
  // RFC 9449 §7.1: a refusal about DPoP, or of a request that used its scheme, is a DPoP challenge, naming the proof
  // algorithms taken.
  const dpopChallenge = err instanceof DpopRefused || dpop?.scheme === true;
  if (dpopChallenge) attributes.push(algs);
  res
    .status(err.status)
    .set({ ...err.headers, 'WWW-Authenticate': `${dpopChallenge ? 'DPoP' : 'Bearer'} ${attributes.join(', ')}` })
    .json(err.toJSON());
}

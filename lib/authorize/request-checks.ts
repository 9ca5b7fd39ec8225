import type { NextFunction, Request, Response } from 'express';
import { appAllowsGrant } from '../clients/grant-policy';
import { InvalidRequest, InvalidScope, OAuthError, UnauthorizedClient, UnsupportedResponseType } from '../errors';
import { isWellFormed } from '../pkce';
import { grantScopes, isValidScopeParam } from '../scopes';
import type { Settings } from '../settings';
import { AuthorizeRequest, getAuthorizeRequest } from './authorize-request';

/** The request as the steps before left it. */
type Checking = NonNullable<ReturnType<typeof getAuthorizeRequest>>;

/**
 * The checks of an authorization request once client and redirect URI are
 * trusted (resolve-client.ts), one step each, in order. From here on every
 * error is redirected back to the client with the original state (RFC 6749
 * §4.1.2.1), so each step hands its error to `next`.
 */
type Check = (req: Request, request: Checking) => void;

function checkStep(name: string, check: Check) {
  const step = function (req: Request, _res: Response, next: NextFunction): void {
    try {
      check(req, getAuthorizeRequest(req)!);
      next();
    } catch (err) {
      next(err instanceof OAuthError ? err : new InvalidRequest('The authorization request is malformed'));
    }
  };
  Object.defineProperty(step, 'name', { value: name });
  return step;
}

/** The grant a response type belongs to (RFC 6749 §4.1, §4.2). */
const grantOf = (responseType: AuthorizeRequest['responseType'] | undefined) =>
  responseType === 'token' ? 'implicit' : 'authorization_code';

/**
 * First, so that any error after it goes back the way the answer would: in the fragment for response_type=token
 * (§4.2.2.1).
 */
export const noteResponseMode = checkStep('noteResponseMode', (req, request) => {
  request.responseType = req.query.response_type === 'token' ? 'token' : 'code';
});

/** RFC 6749 §3.1: a parameter must not be included more than once. */
export const refuseRepeatedParameters = checkStep('refuseRepeatedParameters', (req) => {
  const repeated = Object.keys(req.query).find((name) => Array.isArray(req.query[name]));
  if (repeated) throw new InvalidRequest(`The parameter "${repeated}" is repeated`);
});

/** `code`, or `token` where the implicit grant is on. */
export function checkResponseType(settings: Settings) {
  const grants = new Set<string>(settings.grants);
  return checkStep('checkResponseType', (req) => {
    const responseType = req.query.response_type;
    if (responseType === undefined || responseType === '')
      throw new InvalidRequest('The response_type parameter is missing');
    const grant = responseType === 'code' ? 'authorization_code' : responseType === 'token' ? 'implicit' : null;
    if (!grant || !grants.has(grant))
      throw new UnsupportedResponseType(`The response type "${String(responseType).slice(0, 50)}" is not supported`);
  });
}

/**
 * The token endpoint's rule, here too: a public or self-registered client never gets implicit tokens; an app's
 * grantTypes narrow it.
 */
export const checkClientGrant = checkStep('checkClientGrant', (_req, request) => {
  if (!appAllowsGrant(request.client, grantOf(request.responseType))) {
    throw new UnauthorizedClient(`This client may not use the response type "${request.responseType}"`);
  }
});

/** RFC 6749 §3.3: the scopes asked for, narrowed to what the client's credential holds. */
export const checkScope = checkStep('checkScope', (req, request) => {
  const scope = req.query.scope;
  if (scope !== undefined && (typeof scope !== 'string' || !isValidScopeParam(scope))) {
    throw new InvalidScope('The scope parameter is malformed (RFC 6749 §3.3)');
  }
  request.scopes = grantScopes(typeof scope === 'string' ? scope.split(' ') : undefined, request.client.scopes);
});

/** RFC 7636 §4.3 for the code flow: required as `pkce.require` says, S256 (plain only where allowed). */
export function checkPkce(settings: Settings) {
  return checkStep('checkPkce', (req, request) => {
    request.codeChallenge = '';
    request.codeChallengeMethod = '';
    if (request.responseType !== 'code') return;
    const challenge = req.query.code_challenge;
    const method = req.query.code_challenge_method ?? (challenge === undefined ? undefined : 'plain');
    if (challenge === undefined) {
      if (method !== undefined) throw new InvalidRequest('code_challenge_method was sent without a code_challenge');
      const isPublic = request.client.isPublic;
      if (settings.pkce.require === 'required' || (settings.pkce.require === 'public-clients' && isPublic))
        throw new InvalidRequest('A code_challenge is required (PKCE, RFC 7636)');
      return;
    }
    if (!isWellFormed(challenge)) throw new InvalidRequest('The code_challenge is malformed (RFC 7636 §4.2)');
    if (method !== 'S256' && !(method === 'plain' && settings.pkce.allowPlain))
      throw new InvalidRequest('The code_challenge_method is not supported; use S256');
    request.codeChallenge = challenge;
    request.codeChallengeMethod = method;
  });
}

/** Every check, in order. */
export function checkAuthorizeRequest(settings: Settings) {
  return [
    noteResponseMode,
    refuseRepeatedParameters,
    checkResponseType(settings),
    checkClientGrant,
    checkScope,
    checkPkce(settings)
  ];
}

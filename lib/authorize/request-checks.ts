import { appAllowsGrant } from '../clients/grant-policy';
import { InvalidRequest, InvalidScope, UnauthorizedClient, UnsupportedResponseType } from '../errors';
import { isWellFormed } from '../pkce';
import { isValidScopeParam } from '../scopes';
import type { Settings } from '../settings';
import { asyncCheckStep, checkStep } from './check-step';
import type { EgServices } from '../eg/types';
import { OFFLINE_ACCESS, userGrantScopes } from '../oidc/oidc-scopes';
import { checkOpenIdRequest } from '../oidc/openid-request-checks';
import { subjectTypeProblem } from '../oidc/subjects';
import { answersWith, canonicalResponseType, ResponseType } from '../oidc/response-types';
import type { ResourceIndicators } from '../resources/resource-indicators';
import { checkRequestUri } from './pushed-request';

/**
 * The grants a response type needs (RFC 6749 §4.1, §4.2): any that answers in the fragment with a token or an ID token
 * is the implicit grant's (OpenID Connect Core §3.2, §3.3), one with a code the code grant's too.
 */
const grantsOf = (responseType: ResponseType): string[] => [
  ...(answersWith(responseType, 'code') ? ['authorization_code'] : []),
  ...(responseType === 'code' ? [] : ['implicit'])
];

/**
 * First, so that any error after it goes back the way the answer would: in the fragment for every response type but
 * code (RFC 6749 §4.2.2.1, OpenID Connect Core §3.2.2.6). An unknown one, and OpenID Connect's with it off, is
 * answered in the query.
 */
export function noteResponseMode(settings: Settings) {
  return checkStep('noteResponseMode', (req, request) => {
    const value = req.query.response_type;
    const known = typeof value === 'string' ? canonicalResponseType(value) : undefined;
    request.responseType = known === 'token' || (known && settings.oidc.enabled) ? known : 'code';
  });
}

/** RFC 6749 §3.1: a parameter must not be included more than once; but resource, which RFC 8707 §2 repeats. */
export const refuseRepeatedParameters = checkStep('refuseRepeatedParameters', (req) => {
  const repeated = Object.keys(req.query).find((name) => Array.isArray(req.query[name]) && name !== 'resource');
  if (repeated) throw new InvalidRequest(`The parameter "${repeated}" is repeated`);
});

/** RFC 8707 §2: the resources the tokens of this grant are for, each one this server issues tokens for. */
export function checkResources(indicators: ResourceIndicators) {
  return checkStep('checkResources', (req, request) => {
    request.resources = indicators.requested(req.query.resource) ?? [];
  });
}

/** `code`; `token` where the implicit grant is on; and with OpenID Connect on too, its ID token response types. */
export function checkResponseType(settings: Settings) {
  const grants = new Set<string>(settings.grants);
  return checkStep('checkResponseType', (req) => {
    const responseType = req.query.response_type;
    if (responseType === undefined || responseType === '')
      throw new InvalidRequest('The response_type parameter is missing');
    const known = typeof responseType === 'string' ? canonicalResponseType(responseType) : undefined;
    const served =
      known !== undefined &&
      grantsOf(known).every((grant) => grants.has(grant)) &&
      (known === 'code' || known === 'token' || settings.oidc.enabled);
    if (!served)
      throw new UnsupportedResponseType(`The response type "${String(responseType).slice(0, 50)}" is not supported`);
  });
}

/**
 * The token endpoint's rule, here too: a public or self-registered client never gets implicit tokens; an app's
 * grantTypes narrow it.
 */
export const checkClientGrant = checkStep('checkClientGrant', (_req, request) => {
  if (!grantsOf(request.responseType ?? 'code').every((grant) => appAllowsGrant(request.client, grant))) {
    throw new UnauthorizedClient(`This client may not use the response type "${request.responseType}"`);
  }
  // RFC 9449 §5.2: an app that takes DPoP-bound tokens only gets none from here, where no proof can come.
  const givesAccessToken = (request.responseType ?? 'code').split(' ').includes('token');
  if (String(request.client.app.dpopBoundAccessTokens) === 'true' && givesAccessToken) {
    throw new UnauthorizedClient('This client takes DPoP-bound access tokens only: use the code flow');
  }
  // RFC 8705 §3: nor does one taking certificate-bound tokens only, where no certificate comes.
  if (String(request.client.app.tlsClientCertificateBoundAccessTokens) === 'true' && givesAccessToken) {
    throw new UnauthorizedClient('This client takes certificate-bound access tokens only: use the code flow');
  }
});

/**
 * An app declaring subjects this server cannot give (Core §8: pairwise without oidc.pairwiseSecret) is refused before
 * the user is asked anything, OpenID Connect request or not: a plain OAuth token would carry the user's id.
 */
export function checkClientSubjects(settings: Settings) {
  return checkStep('checkClientSubjects', (_req, request) => {
    const problem = subjectTypeProblem(request.client.app, settings.oidc.pairwiseSecret);
    if (problem) throw new UnauthorizedClient(problem);
  });
}

/** RFC 6749 §3.3: the scopes asked for, narrowed to what the client's credential holds (and identity scopes). */
export function checkScope(settings: Settings, services: EgServices) {
  return asyncCheckStep('checkScope', async (req, request) => {
    const scope = req.query.scope;
    if (scope !== undefined && (typeof scope !== 'string' || !isValidScopeParam(scope))) {
      throw new InvalidScope('The scope parameter is malformed (RFC 6749 §3.3)');
    }
    const requested = typeof scope === 'string' ? scope.split(' ') : undefined;
    const granted = await userGrantScopes(requested, request.client, { settings, services });
    // OpenID Connect Core §11: offline_access is ignored unless the response type returns a code.
    request.scopes = answersWith(request.responseType ?? 'code', 'code')
      ? granted
      : granted.filter((name) => name !== OFFLINE_ACCESS);
  });
}

/** RFC 7636 §4.3 for the code flow: required as `pkce.require` says, S256 (plain only where allowed). */
export function checkPkce(settings: Settings) {
  return checkStep('checkPkce', (req, request) => {
    request.codeChallenge = '';
    request.codeChallengeMethod = '';
    if (!answersWith(request.responseType ?? 'code', 'code')) return;
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

/**
 * RFC 9449 §10: `dpop_jkt`, the SHA-256 JWK thumbprint (RFC 7638) of the key the client will prove at the token
 * endpoint, binds the code to it. A response type that hands out an access token here is refused with it: that
 * token would be a bearer token the client believes bound.
 */
export const checkDpopJkt = checkStep('checkDpopJkt', (req, request) => {
  const jkt = req.query.dpop_jkt;
  if (jkt === undefined) return;
  if (typeof jkt !== 'string' || !/^[\w-]{43}$/.test(jkt))
    throw new InvalidRequest('dpop_jkt must be the base64url SHA-256 thumbprint of a key (RFC 9449 section 10)');
  if ((request.responseType ?? 'code').split(' ').includes('token'))
    throw new InvalidRequest(
      'A DPoP key (dpop_jkt, or a proof at the PAR endpoint) binds an authorization code: this response type returns ' +
        'an unbound token'
    );
  request.dpopJkt = jkt;
});

/** Every check, in order. */
export function checkAuthorizeRequest(settings: Settings, services: EgServices, indicators: ResourceIndicators) {
  return [
    noteResponseMode(settings),
    refuseRepeatedParameters,
    checkRequestUri,
    checkResponseType(settings),
    checkClientGrant,
    checkClientSubjects(settings),
    checkScope(settings, services),
    checkResources(indicators),
    checkPkce(settings),
    checkDpopJkt,
    checkOpenIdRequest(settings)
  ];
}

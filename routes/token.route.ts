import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { isFapi2 } from '../lib/fapi/fapi2-profile';
import type oauth2orize from 'oauth2orize';
import type { Client } from '../lib/clients/client';
import { appAllowsGrant } from '../lib/clients/grant-policy';
import type { EgLogger } from '../lib/eg/types';
import {
  InvalidDpopProofError,
  InvalidRequest,
  InvalidScope,
  UnauthorizedClient,
  UnsupportedGrantType
} from '../lib/errors';
import { clientIp } from '../lib/http/client-ip';
import { formBody } from '../lib/http/form-body';
import { methodNotAllowed } from '../lib/http/method-not-allowed';
import { noStore } from '../lib/http/no-store';
import { oauthErrorHandler } from '../lib/http/send-oauth-error';
import { isValidScopeParam } from '../lib/scopes';
import type { Settings } from '../lib/settings';
import { NO_RESOURCE, type ResourceIndicators, resourceRequest } from '../lib/resources/resource-indicators';
import { TOKEN_EXCHANGE } from '../schemas/settings.schema';
import type { DpopProofs } from '../lib/dpop/dpop-proofs';
import { dpopProofStep } from '../lib/dpop/dpop-proof-step';
import { endpointUrl } from '../lib/endpoint-url';

interface Deps {
  settings: Settings;
  /** Checks DPoP proofs: signature, request, nonce, single use on every instance (RFC 9449 §4.3, §8, §11.1). */
  dpopProofs: DpopProofs;
  clientAuth: RequestHandler[];
  server: oauth2orize.OAuth2Server;
  /** Checks the resources a token request names (RFC 8707). */
  indicators: ResourceIndicators;
  logger: EgLogger;
}

/**
 * POST <basePath><routes.token> (RFC 6749 §3.2), as a list of named steps so
 * that a log or stack trace names the step that refused a request.
 */
export function mountTokenRoute(
  router: Router,
  { settings, dpopProofs, clientAuth, server, indicators, logger }: Deps
): void {
  const path = settings.routes.token;
  // RFC 9449 §5: a token request with a proof gets tokens bound to its key (res.locals.dpopJkt).
  const checkDpopProof = dpopProofStep(dpopProofs, endpointUrl(settings, path));

  const enabled = new Set<string>(settings.grants.filter((grant) => grant !== 'implicit'));

  function checkGrantType(req: Request, _res: Response, next: NextFunction): void {
    const grantType = req.body.grant_type;
    if (grantType === undefined || grantType === '')
      return next(new InvalidRequest('The grant_type parameter is missing'));
    if (!enabled.has(grantType))
      return next(new UnsupportedGrantType(`The grant type "${String(grantType).slice(0, 100)}" is not supported`));
    if (req.body.scope !== undefined && !isValidScopeParam(req.body.scope)) {
      return next(new InvalidScope('The scope parameter is malformed (RFC 6749 §3.3)'));
    }
    next();
  }

  function checkClientMayUseGrant(req: Request, res: Response, next: NextFunction): void {
    const client = req.user as Client;
    if (!appAllowsGrant(client, req.body.grant_type)) {
      return next(new UnauthorizedClient(`This client may not use the grant type "${req.body.grant_type}"`));
    }
    // RFC 9449 §5.2 dpop_bound_access_tokens, as the app property dpopBoundAccessTokens: no bearer token for it.
    if (String(client.app.dpopBoundAccessTokens) === 'true' && !res.locals.dpopJkt)
      return next(new InvalidDpopProofError('This client gets DPoP-bound tokens only: send a DPoP proof'));
    // FAPI 2.0 Security Profile §5.3.2.1: sender-constrained access tokens only.
    if (isFapi2(settings) && !res.locals.dpopJkt)
      return next(new InvalidDpopProofError('Only DPoP-bound tokens are issued here (FAPI 2.0): send a DPoP proof'));
    // oauth2orize hands req.authInfo to the exchanges: the password grant throttles by IP; every grant reads the
    // resources asked for (RFC 8707 §2), checked here once.
    // Token exchange names its own audiences and resources, upstreams rather than pipelines (RFC 8693 §2.1).
    const exchange = req.body.grant_type === TOKEN_EXCHANGE;
    try {
      req.authInfo = {
        clientIp: clientIp(req, settings.trustProxy),
        resources: exchange ? NO_RESOURCE : resourceRequest(indicators, req.body.resource),
        ...(res.locals.dpopJkt ? { dpopJkt: res.locals.dpopJkt as string } : {})
      };
    } catch (err) {
      return next(err);
    }
    next();
  }

  router.post(
    path,
    noStore,
    ...formBody(settings.tokenEndpoint.maxBodyBytes, settings.tokenEndpoint.acceptJson, ['resource', 'audience']),
    checkGrantType,
    checkDpopProof,
    ...clientAuth,
    checkClientMayUseGrant,
    server.token(),
    oauthErrorHandler(logger)
  );
  router.all(path, methodNotAllowed('POST'));
}

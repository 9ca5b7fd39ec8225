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
import { endpointUrls } from '../lib/endpoint-url';
import {
  type ClientCertificates,
  type PresentedCertificate,
  UnreadableCertificate
} from '../lib/mtls/client-certificate';

interface Deps {
  settings: Settings;
  /** Checks DPoP proofs: signature, request, nonce, single use on every instance (RFC 9449 §4.3, §8, §11.1). */
  dpopProofs: DpopProofs;
  /** The client certificates presented (RFC 8705), to bind tokens to. */
  certificates: ClientCertificates;
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
  { settings, dpopProofs, certificates, clientAuth, server, indicators, logger }: Deps
): void {
  const path = settings.routes.token;
  // RFC 9449 §5: a token request with a proof gets tokens bound to its key (res.locals.dpopJkt).
  const checkDpopProof = dpopProofStep(dpopProofs, endpointUrls(settings, path));

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

  /**
   * The client certificate presented, and whether the tokens are bound to it (RFC 8705 §3): for an app whose
   * `tlsClientCertificateBoundAccessTokens` is "true", and under FAPI 2.0 (§5.3.2.1, sender-constrained tokens only)
   * for a request without a DPoP proof.
   * @throws InvalidRequest for a binding without a readable certificate; InvalidDpopProofError under FAPI 2.0 for a
   * request with neither.
   */
  function certificateBinding(req: Request, client: Client, dpop: boolean): { certificate?: string; x5t?: string } {
    const wanted = String(client.app.tlsClientCertificateBoundAccessTokens) === 'true';
    const fapiNeeds = isFapi2(settings) && !dpop;
    let presented: PresentedCertificate | null = null;
    try {
      presented = certificates.of(req);
    } catch (err) {
      if (!(err instanceof UnreadableCertificate)) throw err;
      if (wanted || fapiNeeds) throw new InvalidRequest(err.message);
    }
    if (!presented) {
      if (wanted)
        throw new InvalidRequest('This client gets certificate-bound tokens only: present its TLS client certificate');
      if (fapiNeeds)
        throw new InvalidDpopProofError(
          certificates.available
            ? 'Only sender-constrained tokens are issued here (FAPI 2.0): send a DPoP proof or present a TLS client certificate'
            : 'Only DPoP-bound tokens are issued here (FAPI 2.0): send a DPoP proof'
        );
      return {};
    }
    return { certificate: presented.thumbprint, ...(wanted || fapiNeeds ? { x5t: presented.thumbprint } : {}) };
  }

  function checkClientMayUseGrant(req: Request, res: Response, next: NextFunction): void {
    const client = req.user as Client;
    if (!appAllowsGrant(client, req.body.grant_type)) {
      return next(new UnauthorizedClient(`This client may not use the grant type "${req.body.grant_type}"`));
    }
    // RFC 9449 §5.2 dpop_bound_access_tokens, as the app property dpopBoundAccessTokens: no bearer token for it.
    if (String(client.app.dpopBoundAccessTokens) === 'true' && !res.locals.dpopJkt)
      return next(new InvalidDpopProofError('This client gets DPoP-bound tokens only: send a DPoP proof'));
    // oauth2orize hands req.authInfo to the exchanges: the password grant throttles by IP; every grant reads the
    // resources asked for (RFC 8707 §2), checked here once.
    // Token exchange names its own audiences and resources, upstreams rather than pipelines (RFC 8693 §2.1).
    const exchange = req.body.grant_type === TOKEN_EXCHANGE;
    try {
      const { certificate, x5t } = certificateBinding(req, client, res.locals.dpopJkt !== undefined);
      req.authInfo = {
        clientIp: clientIp(req, settings.trustProxy),
        resources: exchange ? NO_RESOURCE : resourceRequest(indicators, req.body.resource),
        ...(res.locals.dpopJkt ? { dpopJkt: res.locals.dpopJkt as string } : {}),
        ...(certificate ? { certificate } : {}),
        ...(x5t ? { x5t } : {})
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

import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { isFapi2 } from '../lib/fapi/fapi2-profile';
import { getAuthorizeRequest } from '../lib/authorize/authorize-request';
import { checkAuthorizeRequest } from '../lib/authorize/request-checks';
import { resolveClientAndRedirect } from '../lib/authorize/resolve-client';
import { UntrustedRedirect } from '../lib/authorize/untrusted-redirect';
import type { DocumentClients } from '../lib/client-documents/document-clients';
import type { Client } from '../lib/clients/client';
import { dpopProofStep } from '../lib/dpop/dpop-proof-step';
import type { DpopProofs } from '../lib/dpop/dpop-proofs';
import type { EgLogger, EgServices } from '../lib/eg/types';
import { endpointUrls } from '../lib/endpoint-url';
import { InvalidDpopProofError, InvalidRequest } from '../lib/errors';
import { formBody } from '../lib/http/form-body';
import { methodNotAllowed } from '../lib/http/method-not-allowed';
import { noStore } from '../lib/http/no-store';
import { oauthErrorHandler } from '../lib/http/send-oauth-error';
import type { ResourceIndicators } from '../lib/resources/resource-indicators';
import type { Settings } from '../lib/settings';
import type { PushedParams, PushedRequestStore } from '../lib/store/pushed-request.store';
import type { RequestObjects } from '../lib/authorize/request-object';

interface Deps {
  settings: Settings;
  services: EgServices;
  documents: DocumentClients;
  indicators: ResourceIndicators;
  clientAuth: RequestHandler[];
  dpopProofs: DpopProofs;
  pushed: PushedRequestStore;
  /** Reads the request objects (RFC 9101) a client may push instead of parameters. */
  requestObjects: RequestObjects;
  logger: EgLogger;
}

/**
 * The authorization request parameters the authorization endpoint reads: only they are kept, so that the store holds
 * no more than a request needs (a public client authenticates with its client_id alone).
 */
const AUTHORIZATION_PARAMS = new Set([
  'response_type',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'resource',
  'dpop_jkt',
  'nonce',
  'prompt',
  'max_age',
  'id_token_hint',
  'claims'
]);

/** The authorization request in a PAR body, as text (resource repeated). */
function pushedParams(body: Record<string, unknown>): PushedParams {
  const params: PushedParams = {};
  for (const [name, value] of Object.entries(body)) {
    if (!AUTHORIZATION_PARAMS.has(name)) continue;
    if (typeof value === 'string') params[name] = value;
    else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) params[name] = value;
  }
  return params;
}

/** Runs express steps one after the other on a request, as a router would. */
function runSteps(steps: RequestHandler[], req: Request, res: Response): Promise<void> {
  return steps.reduce<Promise<void>>(
    (done, step) =>
      done.then(
        () => new Promise((resolve, reject) => step(req, res, (err?: unknown) => (err ? reject(err) : resolve())))
      ),
    Promise.resolve()
  );
}

/**
 * POST <basePath><routes.par> (RFC 9126 §2): an authenticated client pushes its authorization request, checked here
 * as the authorization endpoint checks it (redirect URI, response type, scopes, resources, PKCE, dpop_jkt, OpenID
 * Connect parameters), every error a 400 JSON answer; it gets a single-use request_uri (201), valid par.ttl seconds.
 * A DPoP proof of this request binds the code to its key, as dpop_jkt would (RFC 9449 §10.1).
 */
export function mountParRoute(router: Router, deps: Deps): void {
  const { settings, services, documents, indicators, clientAuth, dpopProofs, pushed, requestObjects, logger } = deps;
  const path = settings.routes.par;
  const checks = [
    resolveClientAndRedirect(services, settings, documents),
    ...checkAuthorizeRequest(settings, services, indicators)
  ];

  function refuseRequestUri(req: Request, _res: Response, next: NextFunction): void {
    if (req.body.request_uri !== undefined)
      return next(
        new InvalidRequest('A pushed authorization request must not carry request_uri (RFC 9126 section 2.1)')
      );
    next();
  }

  /**
   * The request pushed: the parameters of the body, or (RFC 9126 §3) those of the request object it carries, signed by
   * the authenticated client, the body's other parameters then being none of the request's.
   */
  async function requestOf(body: Record<string, unknown>, client: Client): Promise<PushedParams> {
    const fields = body.request === undefined ? body : await requestObjects.read(body.request, client);
    return { ...pushedParams(fields), client_id: client.id };
  }

  function pushRequest(req: Request, res: Response, next: NextFunction): void {
    requestOf(req.body, req.user as Client).then((params) => pushChecked(req, res, next, params), next);
  }

  function pushChecked(req: Request, res: Response, next: NextFunction, params: PushedParams): void {
    const client = req.user as Client;
    // FAPI 2.0 Security Profile §5.3.2.2: the redirect URI is always named, even when only one is registered.
    if (isFapi2(settings) && params.redirect_uri === undefined)
      return next(new InvalidRequest('The pushed request must name its redirect_uri (FAPI 2.0)'));
    const jkt = res.locals.dpopJkt as string | undefined;
    if (jkt !== undefined) {
      if (params.dpop_jkt !== undefined && params.dpop_jkt !== jkt)
        return next(
          new InvalidDpopProofError('dpop_jkt is not the thumbprint of the DPoP proof key (RFC 9449 section 10.1)')
        );
      params.dpop_jkt = jkt;
    }
    // The checks read an authorization request's query: they get the pushed parameters instead.
    const asAuthorization = Object.create(req, { query: { value: params, enumerable: true } }) as Request;
    runSteps(checks, asAuthorization, res)
      .then(() => {
        if (!getAuthorizeRequest(asAuthorization)) throw new InvalidRequest('The authorization request is malformed');
        return pushed.save({ clientId: client.id, params });
      })
      .then(
        (requestUri) => res.status(201).json({ request_uri: requestUri, expires_in: settings.par.ttl }),
        (err: unknown) => next(err instanceof UntrustedRedirect ? new InvalidRequest(err.message) : err)
      );
  }

  router.post(
    path,
    noStore,
    ...formBody(settings.tokenEndpoint.maxBodyBytes, false, ['resource']),
    refuseRequestUri,
    dpopProofStep(dpopProofs, endpointUrls(settings, path)),
    ...clientAuth,
    pushRequest,
    oauthErrorHandler(logger)
  );
  router.all(path, methodNotAllowed('POST'));
}

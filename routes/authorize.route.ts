import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type oauth2orize from 'oauth2orize';
import { aboutClient } from '../lib/authorize/about-client';
import { authorizeErrorHandler } from '../lib/authorize/authorize-errors';
import { authorizeFormAsQuery } from '../lib/authorize/authorize-form';
import { checkAuthorizeRequest } from '../lib/authorize/request-checks';
import { resolveClientAndRedirect } from '../lib/authorize/resolve-client';
import type { csrfProtection } from '../lib/browser/csrf';
import { formPostSteps, pageSteps } from '../lib/browser/page-steps';
import { signInFirst } from '../lib/browser/sign-in-first';
import type { SendPage } from '../lib/browser/pages';
import type { SessionUser } from '../lib/browser/session';
import type { Client } from '../lib/clients/client';
import type { EgLogger, EgServices } from '../lib/eg/types';
import { bridgeAuthorization } from '../lib/grants/authorization-bridge';
import { transactionOf } from '../lib/http/request-fields';
import { noConsentPageForPromptNone, openIdSignIn } from '../lib/oidc/prompt-steps';
import { claimsBeyondScopes, consentEntries } from '../lib/oidc/claims-request';
import { identityScopeDescription } from '../lib/oidc/oidc-scopes';
import type { IdTokens } from '../lib/oidc/id-tokens';
import type { Settings } from '../lib/settings';
import type { ConsentStore } from '../lib/store/consent.store';
import type { ResourceIndicators } from '../lib/resources/resource-indicators';
import type { DocumentClients } from '../lib/client-documents/document-clients';
import { requirePushedRequest, usePushedRequest } from '../lib/authorize/pushed-request';
import type { PushedRequestStore } from '../lib/store/pushed-request.store';
import type { RequestObjects } from '../lib/authorize/request-object';
import { useRequestObject } from '../lib/authorize/use-request-object';

interface Deps {
  settings: Settings;
  services: EgServices;
  server: oauth2orize.OAuth2Server;
  session: RequestHandler;
  csrf: ReturnType<typeof csrfProtection>;
  consents: ConsentStore;
  sendPage: SendPage;
  logger: EgLogger;
  /** With OpenID Connect on: reads the id_token_hint of authorization requests. */
  idTokens: IdTokens | null;
  /** Checks the resources an authorization request names (RFC 8707). */
  indicators: ResourceIndicators;
  /** Clients named by a client ID metadata document URL. */
  documents: DocumentClients;
  /** Pushed authorization requests (RFC 9126). */
  pushed: PushedRequestStore;
  /** Reads request objects (RFC 9101). */
  requestObjects: RequestObjects;
}

/** Authorization requests a session may have waiting for a decision at once (e.g. several tabs). */
const MAX_PENDING = 5;

/**
 * GET or POST <authorize> (RFC 6749 §3.1) and POST <decision>: check the request,
 * make sure the resource owner is signed in, ask for consent (unless it was
 * remembered), then answer the client with a code or a token.
 */
export function mountAuthorizeRoutes(router: Router, deps: Deps): void {
  const { settings, services, server, session, csrf, consents, sendPage, logger, idTokens, indicators, documents } =
    deps;
  const { pushed, requestObjects } = deps;
  const loginPath = settings.basePath + settings.routes.login;

  /**
   * A public client's identity is not proven (anyone can send its client_id
   * and a redirect URI of a native app's), so it is asked for consent every
   * time unless the operator says otherwise (RFC 6749 §10.2, RFC 8252 §8.6).
   * So is a client named by its metadata document, whose redirect URIs change
   * when the document does (draft-ietf-oauth-client-id-metadata-document §8.4).
   */
  const remembersConsentOf = (client: Client) =>
    settings.consent.remember &&
    client.app.registeredVia !== 'document' &&
    (!client.isPublic || settings.consent.rememberPublicClients);

  const authorization = bridgeAuthorization(server, { services, consents, remembersConsentOf });

  /** oauth2orize never drops pending requests from the session: keep only the latest few. */
  function keepRecentTransactions(req: Request, _res: Response, next: NextFunction): void {
    const pending = req.session.authorize ?? {};
    const ids = Object.keys(pending);
    for (const id of ids.slice(0, Math.max(0, ids.length - MAX_PENDING))) delete pending[id];
    next();
  }

  /** Names the app, who registered it and where the answer goes: a user may give an app any name. */
  function renderConsent(req: Request, res: Response, next: NextFunction): void {
    const txn = transactionOf(req)!;
    aboutClient(services, documents, txn.client, txn.redirectURI).then(
      (about) =>
        sendPage(res, 200, 'consent', {
          title: 'Allow access?',
          ...about,
          username: (req.user as SessionUser).username,
          scopes: txn.req.effectiveScopes.map((name) => ({
            name,
            description: settings.scopeDescriptions[name] ?? identityScopeDescription(name, settings)
          })),
          claims: claimsBeyondScopes(txn.req.openId?.claims, txn.req.effectiveScopes),
          resources: txn.req.resources,
          transactionId: txn.transactionID,
          csrfToken: csrf.generateToken(req, false)
        }),
      next
    );
  }

  function parseDecision(req: Request, done: (err: Error | null, params?: object) => void): void {
    const txn = transactionOf(req)!;
    const allowed = !req.body.cancel;
    if (!allowed || !remembersConsentOf(txn.client)) return done(null, {});
    const entries = consentEntries(txn.req.effectiveScopes, txn.req.openId?.claims);
    consents.remember((req.user as SessionUser).id, txn.client.id, entries).then(
      () => done(null, {}),
      (err) => done(err)
    );
  }

  function requireSignedIn(req: Request, res: Response, next: NextFunction): void {
    if (req.user) return next();
    sendPage(res, 403, 'error', {
      title: 'Signed out',
      message: 'You are no longer signed in. Start again from the application.'
    });
  }

  const authorizeError = authorizeErrorHandler(sendPage, logger, settings.issuer);
  const authorizeSteps = [
    usePushedRequest(pushed),
    useRequestObject(services, settings, documents, requestObjects),
    resolveClientAndRedirect(services, settings, documents),
    ...checkAuthorizeRequest(settings, services, indicators),
    // After the checks, the first of which says where errors go (query or fragment).
    requirePushedRequest(settings),
    openIdSignIn(loginPath, idTokens),
    signInFirst(loginPath, 302),
    authorization,
    noConsentPageForPromptNone,
    keepRecentTransactions,
    renderConsent,
    authorizeError
  ];
  router.get(settings.routes.authorize, ...pageSteps(session), ...authorizeSteps);
  router.post(
    settings.routes.authorize,
    ...pageSteps(session),
    ...authorizeFormAsQuery(settings.basePath + settings.routes.authorize),
    ...authorizeSteps
  );
  router.post(
    settings.routes.decision,
    ...formPostSteps(session, csrf, requireSignedIn),
    server.decision(parseDecision),
    authorizeError
  );
}

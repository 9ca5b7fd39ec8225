import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type oauth2orize from 'oauth2orize';
import { getAuthorizeRequest } from '../lib/browser/authorize-request';
import { aboutClient } from '../lib/browser/about-client';
import { authorizeErrorHandler } from '../lib/browser/authorize-errors';
import { authorizeFormAsQuery } from '../lib/browser/authorize-form';
import { checkAuthorizeRequest, resolveClient } from '../lib/browser/check-authorize-request';
import type { csrfProtection } from '../lib/browser/csrf';
import { formPostSteps, pageSteps } from '../lib/browser/page-steps';
import { signInFirst } from '../lib/browser/sign-in-first';
import type { SendPage } from '../lib/browser/pages';
import type { SessionUser } from '../lib/browser/session';
import type { Client } from '../lib/clients/client';
import { findClient } from '../lib/clients/client.repository';
import { isRegisteredRedirect } from '../lib/clients/redirect-uri-match';
import type { EgLogger, EgServices } from '../lib/eg/types';
import type { ParsedAuthorization } from '../lib/grants/code.grant';
import type { Settings } from '../lib/settings';
import type { ConsentStore } from '../lib/store/consent.store';

interface Deps {
  settings: Settings;
  services: EgServices;
  server: oauth2orize.OAuth2Server;
  session: RequestHandler;
  csrf: ReturnType<typeof csrfProtection>;
  consents: ConsentStore;
  sendPage: SendPage;
  logger: EgLogger;
}

/** Authorization requests a session may have waiting for a decision at once (e.g. several tabs). */
const MAX_PENDING = 5;

type Transaction = { transactionID: string; client: Client; redirectURI: string; req: ParsedAuthorization & { scope?: string[] } };

/**
 * GET or POST <authorize> (RFC 6749 §3.1) and POST <decision>: check the request,
 * make sure the resource owner is signed in, ask for consent (unless it was
 * remembered), then answer the client with a code or a token.
 */
export function mountAuthorizeRoutes(router: Router, deps: Deps): void {
  const { settings, services, server, session, csrf, consents, sendPage, logger } = deps;
  const loginPath = settings.basePath + settings.routes.login;

  /**
   * A public client's identity is not proven (anyone can send its client_id
   * and a redirect URI of a native app's), so it is asked for consent every
   * time unless the operator says otherwise (RFC 6749 §10.2, RFC 8252 §8.6).
   */
  const remembersConsentOf = (client: Client) => settings.consent.remember && (!client.isPublic || settings.consent.rememberPublicClients);

  server.serializeClient((client: Client, done) => done(null, client.id));
  server.deserializeClient((id: string, done) => {
    findClient(services, id, 'none').then((client) => done(null, client ?? false), (err) => done(err));
  });
  // Hands the checked request to oauth2orize's grants (scopes, PKCE) as part of the transaction.
  // (The casts below: @types/oauth2orize knows fewer callback forms than oauth2orize itself.)
  server.grant('*', function checkedRequest(req: Request): ParsedAuthorization {
    const checked = getAuthorizeRequest(req)!;
    return {
      checkedRedirectUri: checked.redirectUri,
      effectiveScopes: checked.scopes ?? [],
      codeChallenge: checked.codeChallenge ?? '',
      codeChallengeMethod: checked.codeChallengeMethod ?? '',
      redirectUriGiven: checked.redirectUriGiven ?? false
    };
  } as never);

  const authorization = (server.authorization as (...args: unknown[]) => RequestHandler)(
    function validateClient(clientId: string, redirectUri: string, done: (err: Error | null, client?: Client | false, redirectUri?: string) => void) {
      // Already checked by resolveClientAndRedirect; reload so oauth2orize holds the same client.
      findClient(services, clientId, 'none').then((client) => {
        const uri = redirectUri ?? client?.redirectUris[0];
        done(null, client && uri && isRegisteredRedirect(client.redirectUris, uri) ? client : false, uri);
      }, (err) => done(err));
    },
    function rememberedConsent(client: Client, user: SessionUser, _scope: string[], _type: string, areq: ParsedAuthorization, done: (err: Error | null, allow: boolean) => void) {
      if (!remembersConsentOf(client)) return done(null, false);
      consents.covers(user.id, client.id, areq.effectiveScopes).then((covered) => done(null, covered), (err) => done(err, false));
    }
  );

  /** oauth2orize never drops pending requests from the session: keep only the latest few. */
  function keepRecentTransactions(req: Request, _res: Response, next: NextFunction): void {
    const pending = req.session.authorize ?? {};
    const ids = Object.keys(pending);
    for (const id of ids.slice(0, Math.max(0, ids.length - MAX_PENDING))) delete pending[id];
    next();
  }

  /** Names the app, who registered it and where the answer goes: a user may give an app any name. */
  function renderConsent(req: Request, res: Response, next: NextFunction): void {
    const txn = (req as Request & { oauth2: Transaction }).oauth2;
    aboutClient(services, txn.client, txn.redirectURI).then((about) => sendPage(res, 200, 'consent', {
      title: 'Allow access?',
      clientName: txn.client.name,
      ...about,
      username: (req.user as SessionUser).username,
      scopes: txn.req.effectiveScopes.map((name) => ({ name, description: settings.scopeDescriptions[name] })),
      transactionId: txn.transactionID,
      csrfToken: csrf.generateToken(req, false)
    }), next);
  }

  function parseDecision(req: Request, done: (err: Error | null, params?: object) => void): void {
    const txn = (req as Request & { oauth2: Transaction }).oauth2;
    const allowed = !req.body.cancel;
    if (!allowed || !remembersConsentOf(txn.client)) return done(null, {});
    consents.remember((req.user as SessionUser).id, txn.client.id, txn.req.effectiveScopes).then(() => done(null, {}), (err) => done(err));
  }

  function requireSignedIn(req: Request, res: Response, next: NextFunction): void {
    if (req.user) return next();
    sendPage(res, 403, 'error', { title: 'Signed out', message: 'You are no longer signed in. Start again from the application.' });
  }

  const authorizeError = authorizeErrorHandler(sendPage, logger, settings.issuer);
  const authorizeSteps = [
    resolveClient(services),
    checkAuthorizeRequest(settings),
    signInFirst(loginPath, 302),
    authorization,
    keepRecentTransactions,
    renderConsent,
    authorizeError
  ];
  router.get(settings.routes.authorize, ...pageSteps(session), ...authorizeSteps);
  router.post(settings.routes.authorize, ...pageSteps(session), ...authorizeFormAsQuery(settings.basePath + settings.routes.authorize), ...authorizeSteps);
  router.post(settings.routes.decision,
    ...formPostSteps(session, csrf, requireSignedIn),
    server.decision(parseDecision),
    authorizeError);
}

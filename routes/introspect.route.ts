import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { Client } from '../lib/clients/client';
import type { EgLogger } from '../lib/eg/types';
import { InvalidClient, UnauthorizedClient } from '../lib/errors';
import { formBody } from '../lib/http/form-body';
import { methodNotAllowed } from '../lib/http/method-not-allowed';
import { noStore } from '../lib/http/no-store';
import { requireTokenParam } from '../lib/http/require-token-param';
import { oauthErrorHandler } from '../lib/http/send-oauth-error';
import type { Settings } from '../lib/settings';
import type { Subjects } from '../lib/oidc/subjects';
import { answerToOwnClient, INACTIVE } from '../lib/tokens/introspection-answer';
import type { TokenInspector } from '../lib/tokens/token.inspector';

interface Deps {
  settings: Settings;
  clientAuth: RequestHandler[];
  inspector: TokenInspector;
  /** A pairwise client introspecting its own token learns its own sub for the user, not the user's id. */
  subjects: Subjects;
  logger: EgLogger;
}

/**
 * POST <basePath><routes.introspect> (RFC 7662). Only authenticated,
 * confidential clients may ask (§4: the endpoint must not become a token
 * scanner): one holding the introspection scope about any token, any other
 * (with ownTokens) only about its own; another client's token answers
 * inactive, exactly like an unknown one.
 */
export function mountIntrospectRoute(
  router: Router,
  { settings, clientAuth, inspector, subjects, logger }: Deps
): void {
  const path = settings.routes.introspect;
  const { scope, ownTokens } = settings.introspection;

  function requireConfidentialClient(req: Request, _res: Response, next: NextFunction): void {
    const client = req.user as Client;
    if (client.isPublic) return next(new InvalidClient('Public clients may not use the introspection endpoint'));
    if (!client.scopes.includes(scope) && !ownTokens) {
      return next(new UnauthorizedClient(`Introspection needs the "${scope}" scope`));
    }
    next();
  }

  function introspect(req: Request, res: Response, next: NextFunction): void {
    const client = req.user as Client;
    inspector.inspect(req.body.token).then((answer) => {
      // About its own token, a client is told what it may know (even one that also holds the introspection scope);
      // a resource server (the introspection scope) is told everything of other clients' tokens.
      if (answer.client_id === client.id) res.status(200).json(answerToOwnClient(answer, client.app, subjects));
      else if (client.scopes.includes(scope)) res.status(200).json(answer);
      else res.status(200).json(INACTIVE);
    }, next);
  }

  router.post(
    path,
    noStore,
    ...formBody(settings.tokenEndpoint.maxBodyBytes),
    requireTokenParam,
    ...clientAuth,
    requireConfidentialClient,
    introspect,
    oauthErrorHandler(logger)
  );
  router.all(path, methodNotAllowed('POST'));
}

import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { Client } from '../lib/clients/client';
import type { EgLogger } from '../lib/eg/types';
import { formBody } from '../lib/http/form-body';
import { methodNotAllowed } from '../lib/http/method-not-allowed';
import { noStore } from '../lib/http/no-store';
import { requireTokenParam } from '../lib/http/require-token-param';
import { oauthErrorHandler } from '../lib/http/send-oauth-error';
import type { Settings } from '../lib/settings';
import type { TokenRevoker } from '../lib/tokens/token.revoker';

interface Deps {
  settings: Settings;
  clientAuth: RequestHandler[];
  revoker: TokenRevoker;
  logger: EgLogger;
}

/**
 * POST <basePath><routes.revoke> (RFC 7009). Confidential clients
 * authenticate as at the token endpoint; public clients name themselves
 * with client_id (RFC 7009 §5 lets them revoke their own tokens).
 */
export function mountRevokeRoute(router: Router, { settings, clientAuth, revoker, logger }: Deps): void {
  const path = settings.routes.revoke;

  function revokeToken(req: Request, res: Response, next: NextFunction): void {
    revoker.revoke(req.body.token, (req.user as Client).id).then(() => res.status(200).end(), next);
  }

  router.post(
    path,
    noStore,
    ...formBody(settings.tokenEndpoint.maxBodyBytes),
    requireTokenParam,
    ...clientAuth,
    revokeToken,
    oauthErrorHandler(logger)
  );
  router.all(path, methodNotAllowed('POST'));
}

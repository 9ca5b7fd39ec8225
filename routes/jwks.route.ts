import type { Request, Response, Router } from 'express';
import { methodNotAllowed } from '../lib/http/method-not-allowed';
import type { Settings } from '../lib/settings';
import type { JwtAccessTokens } from '../lib/tokens/jwt-access-token';

/**
 * GET <basePath><routes.jwks>: the public halves of the signing keys (RFC
 * 7517), so resource servers can verify JWT access tokens themselves.
 * Cacheable: rotating a key means publishing it before it signs.
 */
export function mountJwksRoute(router: Router, settings: Settings, jwts: JwtAccessTokens): void {
  const document = JSON.stringify(jwts.publicJwks());

  function jwks(_req: Request, res: Response): void {
    res.set('Cache-Control', 'public, max-age=300').type('application/jwk-set+json').send(document);
  }

  router.get(settings.routes.jwks, jwks);
  router.all(settings.routes.jwks, methodNotAllowed('GET'));
}

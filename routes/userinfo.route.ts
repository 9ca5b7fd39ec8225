import type { Request, Response, Router } from 'express';
import type { EgLogger, EgServices } from '../lib/eg/types';
import { InsufficientScope, InvalidToken } from '../lib/errors';
import { MissingToken, sendBearerChallenge } from '../lib/http/bearer-challenge';
import { extractToken } from '../lib/http/extract-token';
import { methodNotAllowed } from '../lib/http/method-not-allowed';
import { noStore } from '../lib/http/no-store';
import { claimsOfScopes, OPENID } from '../lib/oidc/oidc-scopes';
import { userClaims } from '../lib/oidc/user-claims';
import type { Settings } from '../lib/settings';
import type { LocalTokenValidator } from '../lib/tokens/local-token.validator';

/**
 * Where UserInfo takes the access token (Core §5.3.1, RFC 6750 §2): the Authorization header, or the form body of a
 * POST (§2.2), never the query (a token in a URL ends up in logs); both at once is invalid_request (§3.1).
 */
const TOKEN_PLACES = { allowQueryToken: false, allowBodyToken: true, hideCredentials: false, maxBodyBytes: 8192 };

interface Deps {
  settings: Settings;
  services: EgServices;
  validator: LocalTokenValidator;
  logger: EgLogger;
}

/**
 * GET or POST <basePath><routes.userinfo> (OpenID Connect Core §5.3): the
 * claims about the signed-in user that the access token's scopes ask for
 * (§5.4), with `sub` always. The token comes in the Authorization header
 * or a POSTed form (RFC 6750 §2.1, §2.2), is checked as the policy checks it, and must have been
 * issued to a user with the `openid` scope; every refusal is an RFC 6750
 * challenge (§5.3.3).
 */
export function mountUserInfoRoute(router: Router, { settings, services, validator, logger }: Deps): void {
  const path = settings.routes.userinfo;

  async function claimsFor(req: Request): Promise<Record<string, unknown>> {
    const token = await extractToken(req, TOKEN_PLACES);
    if (!token) throw new MissingToken();
    const validated = await validator.validate(token);
    if (!validated.userId)
      throw new InsufficientScope('This access token was issued to a client, not for a user', OPENID);
    if (!validated.scopes.includes(OPENID)) {
      throw new InsufficientScope('UserInfo needs an access token with the openid scope', OPENID);
    }
    const user = await services.user.get(validated.userId);
    if (!user || !user.isActive) throw new InvalidToken('The user of this access token is no longer active');
    return { ...userClaims(user, claimsOfScopes(validated.scopes), settings.oidc.claims), sub: user.id };
  }

  function userInfo(req: Request, res: Response): void {
    claimsFor(req).then(
      (claims) => res.json(claims),
      (failure) => sendBearerChallenge(res, failure, settings.issuer, logger)
    );
  }

  router.get(path, noStore, userInfo);
  router.post(path, noStore, userInfo);
  router.all(path, methodNotAllowed('GET, POST'));
}

import type { Request, Response, Router } from 'express';
import type { EgLogger, EgServices } from '../lib/eg/types';
import { InsufficientScope, InvalidToken } from '../lib/errors';
import { MissingToken, sendBearerChallenge } from '../lib/http/bearer-challenge';
import { fromHeader } from '../lib/http/extract-token';
import { methodNotAllowed } from '../lib/http/method-not-allowed';
import { noStore } from '../lib/http/no-store';
import { claimsOfScopes, OPENID } from '../lib/oidc/oidc-scopes';
import { userClaims } from '../lib/oidc/user-claims';
import type { Settings } from '../lib/settings';
import type { LocalTokenValidator } from '../lib/tokens/local-token.validator';

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
 * (RFC 6750 §2.1), is checked as the policy checks it, and must have been
 * issued to a user with the `openid` scope; every refusal is an RFC 6750
 * challenge (§5.3.3).
 */
export function mountUserInfoRoute(router: Router, { settings, services, validator, logger }: Deps): void {
  const path = settings.routes.userinfo;

  async function claimsFor(req: Request): Promise<Record<string, unknown>> {
    const token = fromHeader(req);
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

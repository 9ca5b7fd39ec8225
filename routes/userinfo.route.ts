import type { Request, Response, Router } from 'express';
import type { EgApplication, EgLogger, EgServices } from '../lib/eg/types';
import { InsufficientScope, InvalidToken } from '../lib/errors';
import { MissingToken, sendBearerChallenge } from '../lib/http/bearer-challenge';
import { extractToken } from '../lib/http/extract-token';
import { type ProofOfPossession, usesDpopScheme } from '../lib/dpop/proof-of-possession';
import { methodNotAllowed } from '../lib/http/method-not-allowed';
import { noStore } from '../lib/http/no-store';
import { claimsOfScopes, OPENID } from '../lib/oidc/oidc-scopes';
import { userClaims } from '../lib/oidc/user-claims';
import type { GrantFactsReader } from '../lib/store/grant-facts';
import type { IdTokens } from '../lib/oidc/id-tokens';
import { signsUserInfo } from '../lib/oidc/signed-userinfo';
import { subjectTypeProblem } from '../lib/oidc/subjects';
import type { ProtectedResources } from '../lib/resources/protected-resources';
import { refuseUpstreamTokens } from '../lib/resources/upstream-bound';
import type { ValidatedToken } from '../lib/tokens/validated-token';
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
  /** The grants' facts: the claims their authorization requests asked UserInfo for (Core §5.5). */
  facts: GrantFactsReader;
  /** Signs the answer for a client that registered userinfoSignedResponseAlg (Core §5.3.2). */
  idTokens: IdTokens;
  /** Tells the tokens meant for an upstream, which are refused here. */
  resources: ProtectedResources;
  /** A DPoP-bound token only with a proof of its key, as at a pipeline (RFC 9449 §7). */
  possession: ProofOfPossession;
  logger: EgLogger;
}

/**
 * GET or POST <basePath><routes.userinfo> (OpenID Connect Core §5.3): the claims about the signed-in user that the
 * access token's scopes ask for (§5.4) and its authorization request's claims parameter (§5.5), with `sub` always.
 * The token comes in the Authorization header or a POSTed form (RFC 6750 §2.1, §2.2), is checked as the policy checks
 * it, and must have been issued to a user with the `openid` scope; every refusal is an RFC 6750 challenge (§5.3.3).
 */
export function mountUserInfoRoute(
  router: Router,
  { settings, services, validator, facts, idTokens, resources, possession, logger }: Deps
): void {
  const path = settings.routes.userinfo;

  async function claimsFor(req: Request): Promise<{ claims: Record<string, unknown>; validated: ValidatedToken }> {
    const dpopScheme = usesDpopScheme(req);
    const token = await extractToken(req, TOKEN_PLACES);
    if (!token) throw new MissingToken();
    const validated = await validator.validate(token);
    await possession.check(req, token, validated, dpopScheme);
    refuseUpstreamTokens(validated, resources);
    if (!validated.userId)
      throw new InsufficientScope('This access token was issued to a client, not for a user', OPENID);
    if (!validated.scopes.includes(OPENID)) {
      throw new InsufficientScope('UserInfo needs an access token with the openid scope', OPENID);
    }
    const [user, asked] = await Promise.all([
      services.user.get(validated.userId),
      validated.grantId ? facts.userinfoClaims(validated.grantId) : Promise.resolve([])
    ]);
    if (!user || !user.isActive) throw new InvalidToken('The user of this access token is no longer active');
    const wanted = [...new Set([...claimsOfScopes(validated.scopes), ...asked])];
    // The sub its ID tokens carry (Core §5.3.2: they must match), public or pairwise by the client's app (§8).
    const app = validated.consumer as EgApplication;
    if (subjectTypeProblem(app, settings.oidc.pairwiseSecret))
      throw new InvalidToken("This access token's client declares subjects this server does not give");
    const sub = idTokens.subjects.of(user.id, app);
    return { claims: { ...userClaims(user, wanted, settings.oidc.claims), sub }, validated };
  }

  function userInfo(req: Request, res: Response): void {
    claimsFor(req)
      .then(async ({ claims, validated }) => {
        if (!signsUserInfo(validated.consumer)) res.json(claims);
        else res.type('application/jwt').send(await idTokens.signUserInfo(claims, validated.clientId));
      })
      .catch((failure) =>
        sendBearerChallenge(
          res,
          failure,
          { realm: settings.issuer, dpop: possession.challenge(usesDpopScheme(req)) },
          logger
        )
      );
  }

  router.get(path, noStore, userInfo);
  router.post(path, noStore, userInfo);
  router.all(path, methodNotAllowed('GET, POST'));
}

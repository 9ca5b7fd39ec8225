import type { Request, Response, Router } from 'express';
import type { EgApplication, EgLogger } from '../lib/eg/types';
import type { Subjects } from '../lib/oidc/subjects';
import { methodNotAllowed } from '../lib/http/method-not-allowed';
import type { ProtectedResources } from '../lib/resources/protected-resources';
import { refuseUpstreamTokens } from '../lib/resources/upstream-bound';
import { noStore } from '../lib/http/no-store';
import type { Settings } from '../lib/settings';
import { answerToOwnClient, describeAccessToken } from '../lib/tokens/introspection-answer';
import type { LocalTokenValidator } from '../lib/tokens/local-token.validator';
import { MissingToken, sendBearerChallenge } from '../lib/http/bearer-challenge';
import { fromHeader } from '../lib/http/extract-token';
import { type ProofOfPossession, usesDpopScheme } from '../lib/dpop/proof-of-possession';

interface Deps {
  settings: Settings;
  validator: LocalTokenValidator;
  /** A pairwise client learns its own sub for the user, not the user's id (Core §8.1). */
  subjects: Subjects;
  logger: EgLogger;
  /** Tells the tokens meant for an upstream, which are refused here. */
  resources: ProtectedResources;
  /** A DPoP-bound token only with a proof of its key, as at a pipeline (RFC 9449 §7). */
  possession: ProofOfPossession;
}

/**
 * GET <basePath><routes.tokeninfo>: the token's own holder learns what its
 * token is (the Axway "token information service"): the facts introspection
 * gives, checked the way the policy checks, or an RFC 6750 challenge.
 */
export function mountTokenInfoRoute(
  router: Router,
  { settings, validator, subjects, resources, possession, logger }: Deps
): void {
  const path = settings.routes.tokeninfo;

  async function describe(req: Request) {
    const token = fromHeader(req); // the header only: a token in a URL would end up in logs (RFC 6750 §2.3)
    if (!token) throw new MissingToken();
    const validated = await validator.validate(token);
    await possession.check(req, token, validated, usesDpopScheme(req));
    refuseUpstreamTokens(validated, resources);
    // Whoever holds the token is told what its client may know.
    return answerToOwnClient(describeAccessToken(validated), validated.consumer as EgApplication, subjects);
  }

  function tokenInfo(req: Request, res: Response): void {
    describe(req).then(
      (answer) => res.json(answer),
      (failure) =>
        sendBearerChallenge(
          res,
          failure,
          { realm: settings.issuer, dpop: possession.challenge(usesDpopScheme(req)) },
          logger
        )
    );
  }

  router.get(path, noStore, tokenInfo);
  router.all(path, methodNotAllowed('GET'));
}

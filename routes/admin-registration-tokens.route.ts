import Ajv from 'ajv';
import type { NextFunction, Request, Response, Router } from 'express';
import { InvalidRequest } from '../lib/errors';
import { sendOAuthError } from '../lib/http/send-oauth-error';
import type { DynamicRegistration } from '../lib/registration/dynamic-registration';
import { InitialAccessTokenRequest, initialAccessTokenSchema } from '../schemas/initial-access-token.schema';

const validate = new Ajv({ useDefaults: true, allErrors: false, strict: true }).compile(initialAccessTokenSchema);

function parseRequest(body: unknown): InitialAccessTokenRequest {
  const request = structuredClone(body ?? {});
  if (!validate(request)) {
    const error = validate.errors![0];
    const field = error.instancePath.replace(/^\//, '') || ('additionalProperty' in error.params ? error.params.additionalProperty : 'the body');
    throw new InvalidRequest(`${field} ${error.message}`);
  }
  return request as InitialAccessTokenRequest;
}

/**
 * Admin API (EG's admin port): initial access tokens for dynamic client
 * registration (RFC 7591 §3). `POST /oauth2/registration-tokens` issues
 * one for an owner (the token is shown this once; its `id` names it
 * afterwards); `DELETE /oauth2/registration-tokens/<id or token>` withdraws it.
 */
export function mountAdminRegistrationTokenRoutes(router: Router, { services, adminTokens, logger }: DynamicRegistration): void {
  const step = (work: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, _next: NextFunction) => { work(req, res).catch((err) => sendOAuthError(res, err, logger)); };

  router.post('/oauth2/registration-tokens', step(async (req, res) => {
    const { owner, ttl, uses } = parseRequest(req.body);
    const user = (await services.user.get(owner)) || (await services.user.find(owner));
    if (!user) throw new InvalidRequest(`owner: no user has the id or username "${owner.slice(0, 64)}"`);
    const issued = await adminTokens.issue(user.id, ttl, uses);
    logger.info(`oauth2: admin issued initial access token ${issued.id} for user ${user.id} (${uses} use(s), ${ttl}s)`);
    res.status(201).set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json({
      initial_access_token: issued.token,
      id: issued.id,
      owner: user.id,
      uses: issued.uses,
      expires_at: issued.expiresAt
    });
  }));

  router.delete('/oauth2/registration-tokens/:idOrToken', step(async (req, res) => {
    if (!(await adminTokens.revoke(req.params.idOrToken))) {
      res.status(404).json({ error: 'not_found', error_description: 'No such initial access token (it may have expired)' });
      return;
    }
    logger.info('oauth2: admin withdrew an initial access token');
    res.status(204).end();
  }));
}

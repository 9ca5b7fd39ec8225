import Ajv from 'ajv';
import type { Router } from 'express';
import { InvalidRequest, NotFound } from '../lib/errors';
import { asyncStep } from '../lib/http/async-step';
import { pathParam } from '../lib/http/request-fields';
import { firstError } from '../lib/schema-errors';
import { findUser } from '../lib/users/find-user';
import type { DynamicRegistration } from '../lib/registration/dynamic-registration';
import { InitialAccessTokenRequest, initialAccessTokenSchema } from '../schemas/initial-access-token.schema';

const validate = new Ajv({ useDefaults: true, allErrors: false, strict: true }).compile(initialAccessTokenSchema);

function parseRequest(body: unknown): InitialAccessTokenRequest {
  const request = structuredClone(body ?? {});
  if (!validate(request)) {
    const error = firstError(validate.errors);
    const field =
      error.instancePath.replace(/^\//, '') ||
      ('additionalProperty' in error.params ? error.params.additionalProperty : 'the body');
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
export function mountAdminRegistrationTokenRoutes(
  router: Router,
  { services, adminTokens, logger }: DynamicRegistration
): void {
  router.post(
    '/oauth2/registration-tokens',
    asyncStep(async (req, res) => {
      const { owner, ttl, uses } = parseRequest(req.body);
      const user = await findUser(services, owner, 'id');
      if (!user) throw new InvalidRequest(`owner: no user has the id or username "${owner.slice(0, 64)}"`);
      const issued = await adminTokens.issue(user.id, ttl, uses);
      logger.info(
        `oauth2: admin issued initial access token ${issued.id} for user ${user.id} (${uses} use(s), ${ttl}s)`
      );
      res.status(201).set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json({
        initial_access_token: issued.token,
        id: issued.id,
        owner: user.id,
        uses: issued.uses,
        expires_at: issued.expiresAt
      });
    })
  );

  router.delete(
    '/oauth2/registration-tokens/:idOrToken',
    asyncStep(async (req, res) => {
      if (!(await adminTokens.revoke(pathParam(req, 'idOrToken'))))
        throw new NotFound('No such initial access token (it may have expired)');
      logger.info('oauth2: admin withdrew an initial access token');
      res.status(204).end();
    })
  );
}

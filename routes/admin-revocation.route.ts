import type { Request, Response, Router } from 'express';
import type { EgLogger, EgServices } from '../lib/eg/types';
import { describable, NotFound } from '../lib/errors';
import { asyncStep } from '../lib/http/async-step';
import { pathParam } from '../lib/http/request-fields';
import { findUser } from '../lib/users/find-user';
import type { TokenStore } from '../lib/store/token.store';

interface Deps {
  services: EgServices;
  store: TokenStore;
  logger: EgLogger;
}

/**
 * Admin API (EG's admin port): revoke every token of an app or a user, e.g.
 * after a leak. `DELETE /oauth2/apps/:id/tokens`, `DELETE /oauth2/users/:id/tokens`
 * (a user by id or username). Tokens of a deleted app or user are revoked
 * too, so the id need not exist any more; an id that names no consumer and
 * owns no grant is a 404, so a mistyped one is not taken for "nothing to revoke".
 */
export function mountAdminRevocationRoutes(router: Router, { services, store, logger }: Deps): void {
  async function userIdOf(idOrName: string): Promise<{ id: string; known: boolean }> {
    const user = await findUser(services, idOrName, 'id');
    return user ? { id: user.id, known: true } : { id: idOrName, known: false };
  }

  async function appIdOf(id: string): Promise<{ id: string; known: boolean }> {
    return { id, known: Boolean(await services.application.get(id)) };
  }

  function revokeAll(owner: 'app' | 'user') {
    return asyncStep(async function revokeAllTokens(req: Request, res: Response): Promise<void> {
      const { id, known } =
        owner === 'user' ? await userIdOf(pathParam(req, 'id')) : await appIdOf(pathParam(req, 'id'));
      const revokedGrants = await store.revokeAllOf(owner, id);
      if (!known && revokedGrants === 0)
        throw new NotFound(`No ${owner} ${JSON.stringify(describable(id))} and no grant of one`);
      logger.info(`oauth2: admin revoked ${revokedGrants} grant(s) of ${owner} ${JSON.stringify(id)}`);
      res.json({ [owner === 'app' ? 'appId' : 'userId']: id, revokedGrants });
    });
  }

  router.delete('/oauth2/apps/:id/tokens', revokeAll('app'));
  router.delete('/oauth2/users/:id/tokens', revokeAll('user'));
}

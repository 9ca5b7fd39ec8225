import type { Request, Response, Router } from 'express';
import type { EgLogger, EgServices } from '../lib/eg/types';
import { describable } from '../lib/errors';
import { sendOAuthError } from '../lib/http/send-oauth-error';
import type { TokenStore } from '../lib/store/token.store';

interface Deps { services: EgServices; store: TokenStore; logger: EgLogger }

/**
 * Admin API (EG's admin port): revoke every token of an app or a user, e.g.
 * after a leak. `DELETE /oauth2/apps/:id/tokens`, `DELETE /oauth2/users/:id/tokens`
 * (a user by id or username). Tokens of a deleted app or user are revoked
 * too, so the id need not exist any more; an id that names no consumer and
 * owns no grant is a 404, so a mistyped one is not taken for "nothing to revoke".
 */
export function mountAdminRevocationRoutes(router: Router, { services, store, logger }: Deps): void {
  async function userIdOf(idOrName: string): Promise<{ id: string; known: boolean }> {
    const user = (await services.user.get(idOrName)) || (await services.user.find(idOrName));
    return user ? { id: user.id, known: true } : { id: idOrName, known: false };
  }

  async function appIdOf(id: string): Promise<{ id: string; known: boolean }> {
    return { id, known: Boolean(await services.application.get(id)) };
  }

  function revokeAll(owner: 'app' | 'user') {
    return function revokeAllTokens(req: Request, res: Response): void {
      (async () => {
        const { id, known } = owner === 'user' ? await userIdOf(req.params.id) : await appIdOf(req.params.id);
        const revokedGrants = await store.revokeAllOf(owner, id);
        if (!known && revokedGrants === 0) {
          res.status(404).json({ error: 'not_found', error_description: `No ${owner} ${JSON.stringify(describable(id))} and no grant of one` });
          return;
        }
        logger.info(`oauth2: admin revoked ${revokedGrants} grant(s) of ${owner} ${JSON.stringify(id)}`);
        res.json({ [owner === 'app' ? 'appId' : 'userId']: id, revokedGrants });
      })().catch((err) => sendOAuthError(res, err, logger));
    };
  }

  router.delete('/oauth2/apps/:id/tokens', revokeAll('app'));
  router.delete('/oauth2/users/:id/tokens', revokeAll('user'));
}

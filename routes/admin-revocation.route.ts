import type { Request, Response, Router } from 'express';
import type { EgLogger, EgServices } from '../lib/eg/types';
import { sendOAuthError } from '../lib/http/send-oauth-error';
import type { TokenStore } from '../lib/store/token.store';

interface Deps { services: EgServices; store: TokenStore; logger: EgLogger }

/**
 * Admin API (EG's admin port): revoke every token of an app or a user, e.g.
 * after a leak. `DELETE /oauth2/apps/:id/tokens`, `DELETE /oauth2/users/:id/tokens`
 * (a user by id or username). Tokens of a deleted app or user are revoked
 * too, so the id need not exist any more.
 */
export function mountAdminRevocationRoutes(router: Router, { services, store, logger }: Deps): void {
  async function userIdOf(idOrName: string): Promise<string> {
    const user = (await services.user.get(idOrName)) || (await services.user.find(idOrName));
    return user ? user.id : idOrName;
  }

  function revokeAll(owner: 'app' | 'user') {
    return function revokeAllTokens(req: Request, res: Response): void {
      (async () => {
        const id = owner === 'user' ? await userIdOf(req.params.id) : req.params.id;
        const revokedGrants = await store.revokeAllOf(owner, id);
        logger.info(`oauth2: admin revoked ${revokedGrants} grant(s) of ${owner} ${id}`);
        res.json({ [owner === 'app' ? 'appId' : 'userId']: id, revokedGrants });
      })().catch((err) => sendOAuthError(res, err, logger));
    };
  }

  router.delete('/oauth2/apps/:id/tokens', revokeAll('app'));
  router.delete('/oauth2/users/:id/tokens', revokeAll('user'));
}

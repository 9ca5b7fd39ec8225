import type { Request, Response, Router } from 'express';
import type { ConnectedApps } from '../lib/connected-apps/connected-apps';
import type { EgServices } from '../lib/eg/types';
import { describable, InvalidRequest, NotFound } from '../lib/errors';
import { asyncStep } from '../lib/http/async-step';
import { pathParam } from '../lib/http/request-fields';
import type { ConsentStore } from '../lib/store/consent.store';
import type { GrantFacts, GrantFactsReader } from '../lib/store/grant-facts';
import type { TokenStore } from '../lib/store/token.store';
import { findUser } from '../lib/users/find-user';

interface Deps {
  services: EgServices;
  store: TokenStore;
  facts: GrantFactsReader;
  consents: ConsentStore;
  connectedApps: ConnectedApps;
}

/** How many of an app's grants one listing gives at most (client_credentials starts a grant per token). */
const MOST_LISTED = 1000;
const DEFAULT_LISTED = 100;
/** How much of an index one listing looks at, per grant listed: grants without facts (a client's own) are skipped. */
const LOOKED_AT_PER_LISTED = 10;

/**
 * Admin API (EG's admin port): what each user gave and each app holds, the
 * facts the "Connected apps" page shows, next to the revoke-all of
 * admin-revocation.route.ts.
 * - `GET /oauth2/users/:id/grants?limit=`: the user's live grants and remembered consents (a user by id or username).
 * - `GET /oauth2/apps/:id/grants?limit=`: the grants users gave the app (not its own client_credentials grants).
 * Each lists those ending last first, at most `limit` (default 100, at most 1000), and says whether there are `more`.
 * - `DELETE /oauth2/users/:id/apps/:appId/grants`: what "Revoke access" does on the page.
 * An id that names no consumer and holds nothing is a 404, so a mistyped one is not taken for "nothing there".
 */
export function mountAdminGrantRoutes(router: Router, { services, store, facts, consents, connectedApps }: Deps): void {
  async function knownUser(idOrName: string): Promise<string> {
    const user = await findUser(services, idOrName, 'id');
    return user ? user.id : idOrName;
  }

  /**
   * The newest `limit` live grants of an owner that have facts (a client's own grants have none), looking at no more
   * than LOOKED_AT_PER_LISTED times `limit` of its index, so that a listing costs Redis a bounded number of reads.
   */
  async function listed(owner: 'app' | 'user', id: string, limit: number) {
    const ids = await store.liveGrants(owner, id, limit * LOOKED_AT_PER_LISTED);
    const grants: GrantFacts[] = [];
    let read = 0;
    while (grants.length <= limit && read < ids.length) {
      const next = ids.slice(read, read + limit + 1 - grants.length);
      grants.push(...(await facts.read(next)));
      read += next.length;
    }
    return {
      grants: grants.slice(0, limit),
      more: grants.length > limit || ids.length === limit * LOOKED_AT_PER_LISTED
    };
  }

  async function userGrants(req: Request, res: Response): Promise<void> {
    const given = pathParam(req, 'id');
    const limit = listingLimit(req.query.limit);
    const userId = await knownUser(given);
    const [{ grants, more }, remembered] = await Promise.all([listed('user', userId, limit), consents.ofUser(userId)]);
    if (userId === given && grants.length === 0 && remembered.length === 0 && !(await services.user.get(given)))
      throw new NotFound(`No user ${JSON.stringify(describable(given))} and no grant of one`);
    res.json({ userId, grants, more, consents: remembered });
  }

  async function appGrants(req: Request, res: Response): Promise<void> {
    const appId = pathParam(req, 'id');
    const { grants, more } = await listed('app', appId, listingLimit(req.query.limit));
    if (grants.length === 0 && !(await services.application.get(appId)))
      throw new NotFound(`No app ${JSON.stringify(describable(appId))} and no grant of one`);
    res.json({ appId, grants, more });
  }

  async function revokeAppAccess(req: Request, res: Response): Promise<void> {
    const userId = await knownUser(pathParam(req, 'id'));
    const appId = pathParam(req, 'appId');
    const revoked = await connectedApps.revoke(userId, appId);
    if (revoked === null)
      throw new NotFound(
        `User ${JSON.stringify(describable(userId))} gave app ${JSON.stringify(describable(appId))} nothing`
      );
    res.json({ userId, appId, revokedGrants: revoked.grants });
  }

  router.get('/oauth2/users/:id/grants', asyncStep(userGrants));
  router.get('/oauth2/apps/:id/grants', asyncStep(appGrants));
  router.delete('/oauth2/users/:id/apps/:appId/grants', asyncStep(revokeAppAccess));
}

function listingLimit(value: unknown): number {
  if (value === undefined) return DEFAULT_LISTED;
  const limit = typeof value === 'string' && /^[0-9]{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= MOST_LISTED))
    throw new InvalidRequest(`limit must be a whole number from 1 to ${MOST_LISTED}`);
  return limit;
}

import { expect } from 'chai';
import type { AccessRevocations } from '../../lib/connected-apps/access-revocations';
import { ConnectedApps } from '../../lib/connected-apps/connected-apps';
import type { EgLogger, EgServices } from '../../lib/eg/types';
import type { ConsentStore } from '../../lib/store/consent.store';
import type { GrantFacts, GrantFactsReader } from '../../lib/store/grant-facts';
import type { TokenStore } from '../../lib/store/token.store';

/**
 * A page view of "Connected apps" reads a bounded number of grants, however
 * many a user has (each costs Redis a round trip), and says the list is
 * partial; revoking an app still takes every grant of it.
 */
describe('"Connected apps": what one page view reads', function () {
  const grantIds = Array.from({ length: 2000 }, (_, i) => `grant-${i}`);
  const facts = (id: string): GrantFacts => ({
    grantId: id,
    appId: Number(id.slice(6)) % 2 === 0 ? 'even-app' : 'odd-app',
    userId: 'u',
    grantType: 'password',
    scope: 'read',
    grantedAt: 1,
    lastUsedAt: 2,
    expiresAt: 3
  });
  let read = 0;
  let revoked: readonly string[] = [];
  const store = {
    liveGrants: async (_owner: string, _id: string, newest?: number) => grantIds.slice(0, newest),
    revokeGrants: async (ids: readonly string[]) => {
      revoked = ids;
    }
  } as unknown as TokenStore;
  const reader = {
    read: async (ids: readonly string[]) => {
      read += ids.length;
      return ids.map(facts);
    }
  } as unknown as GrantFactsReader;
  const consents = { ofUser: async () => [], forget: async () => undefined } as unknown as ConsentStore;
  const services = { application: { get: async (id: string) => ({ id, name: id }) } } as unknown as EgServices;
  const logger = { info: () => undefined } as unknown as EgLogger;
  const revocations = { mark: async () => undefined } as unknown as AccessRevocations;
  const connected = new ConnectedApps(store, reader, consents, revocations, services, null, logger);

  it('reads at most 500 grants for the page, and says there are more', async function () {
    read = 0;
    const { apps, partial } = await connected.of('u');
    expect(read).to.equal(500);
    expect(partial).to.equal(true);
    expect(apps.map((app) => app.appId).sort()).to.deep.equal(['even-app', 'odd-app']);
    expect(apps.find((app) => app.appId === 'even-app')!.grants).to.equal(250);
  });

  it('revokes every grant of the app, beyond those the page read', async function () {
    const result = await connected.revoke('u', 'odd-app');
    expect(result).to.deep.equal({ grants: 1000, name: 'odd-app' });
    expect(revoked).to.have.length(1000);
  });
});

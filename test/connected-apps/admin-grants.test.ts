import { expect } from 'chai';
import { request } from '../../support/http';
import { startWorld, World } from '../helpers/world';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Admin API: what each user gave and each app holds (issue 20, item 10), next to the revoke-all routes. */
describe('admin API: grants of a user and of an app', function () {
  let world: World;
  before(async function () {
    world = await startWorld();
  });
  after(async function () {
    await world?.stop();
  });

  const admin = (path: string, method = 'GET') => request(`${world.gateway.adminUrl}${path}`, { method });
  /** The user's tokens from a password grant, of the world's app or `client` (with scope read). */
  const passwordGrant = async (client?: { id: string; secret: string }) =>
    (
      await world.token(
        {
          grant_type: 'password',
          username: world.user.username,
          password: world.user.password,
          ...(client ? { scope: 'read' } : {})
        },
        client
      )
    ).json as { access_token: string; refresh_token: string };

  it("lists a user's live grants, by id or user name: app, scope, grant type, when granted, last used and ending", async function () {
    const before = Math.floor(Date.now() / 1000);
    await passwordGrant();
    for (const who of [world.user.id, world.user.username]) {
      const res = await admin(`/oauth2/users/${who}/grants`);
      expect(res.status, res.text).to.equal(200);
      expect(res.json.userId).to.equal(world.user.id);
      const grant = res.json.grants.find((one: { appId: string }) => one.appId === world.app.id);
      expect(grant).to.include({ userId: world.user.id, grantType: 'password', scope: 'read write' });
      expect(grant.grantId).to.be.a('string');
      expect(grant.grantedAt).to.be.within(before - 1, before + 60);
      expect(grant.lastUsedAt).to.equal(grant.grantedAt);
      expect(grant.expiresAt).to.be.above(grant.lastUsedAt);
      expect(res.json.consents).to.be.an('array');
    }
  });

  it('keeps when a grant was given through its refreshes, and moves when it was last used', async function () {
    const app = await world.addClient('refreshing-app', ['read']);
    const tokens = await passwordGrant(app);
    const grantOf = async () => {
      const grants = (await admin(`/oauth2/apps/${app.id}/grants`)).json.grants as Array<Record<string, number>>;
      expect(grants).to.have.length(1);
      return grants[0]!;
    };
    const first = await grantOf();
    await sleep(1100); // times are whole seconds
    const refreshed = await world.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, app);
    expect(refreshed.status).to.equal(200);
    const after = await grantOf();
    expect(after.grantId).to.equal(first.grantId);
    expect(after.grantedAt).to.equal(first.grantedAt);
    expect(after.lastUsedAt).to.be.above(first.lastUsedAt!);
  });

  it("lists the grants users gave an app, those ending last first, at most limit of them, and says there are more; not the app's own", async function () {
    const app = await world.addClient('busy-service', ['read']);
    for (let i = 0; i < 3; i++) expect((await passwordGrant(app)).access_token).to.be.a('string');
    for (let i = 0; i < 5; i++) await world.token({ grant_type: 'client_credentials' }, app);
    const all = await admin(`/oauth2/apps/${app.id}/grants`);
    expect(all.status).to.equal(200);
    expect(all.json).to.include({ appId: app.id, more: false });
    expect(all.json.grants).to.have.length(3);
    expect(all.json.grants[0]).to.include({
      appId: app.id,
      userId: world.user.id,
      grantType: 'password',
      scope: 'read'
    });
    const page = await admin(`/oauth2/apps/${app.id}/grants?limit=2`);
    expect(page.json.grants).to.have.length(2);
    expect(page.json.more).to.equal(true);
    const user = await admin(`/oauth2/users/${world.user.id}/grants?limit=1`);
    expect(user.json.grants).to.have.length(1);
    expect(user.json.more).to.equal(true);
  });

  it('refuses a limit that is no whole number from 1 to 1000', async function () {
    for (const limit of ['0', '1001', '-1', 'abc', '1e3', '']) {
      for (const path of [`/oauth2/apps/${world.app.id}/grants`, `/oauth2/users/${world.user.id}/grants`]) {
        const res = await admin(`${path}?limit=${limit}`);
        expect(res.status, limit).to.equal(400);
        expect(res.json.error).to.equal('invalid_request');
      }
    }
    const twice = await admin(`/oauth2/apps/${world.app.id}/grants?limit=1&limit=2`);
    expect(twice.status).to.equal(400);
  });

  it('answers 404 for a user or app that does not exist and holds nothing', async function () {
    expect((await admin('/oauth2/users/nobody-at-all/grants')).status).to.equal(404);
    expect((await admin('/oauth2/apps/no-such-app/grants')).status).to.equal(404);
  });

  it("revokes what a user gave one app, as the page's Revoke access does, and then has nothing to revoke", async function () {
    const tokens = await passwordGrant();
    const other = await world.addClient('kept-by-admin', ['read']);
    const kept = await passwordGrant(other);
    const res = await admin(`/oauth2/users/${world.user.username}/apps/${world.app.id}/grants`, 'DELETE');
    expect(res.status, res.text).to.equal(200);
    expect(res.json).to.include({ userId: world.user.id, appId: world.app.id });
    expect(res.json.revokedGrants).to.be.at.least(1);
    expect((await world.api(tokens.access_token)).status).to.equal(401);
    expect((await world.api(kept.access_token)).status).to.equal(200);
    const listed = (await admin(`/oauth2/users/${world.user.id}/grants`)).json.grants as Array<{ appId: string }>;
    expect(listed.map((grant) => grant.appId))
      .to.include(other.id)
      .and.not.to.include(world.app.id);
    const again = await admin(`/oauth2/users/${world.user.id}/apps/${world.app.id}/grants`, 'DELETE');
    expect(again.status).to.equal(404);
  });

  it('leaves out a grant revoked on its own (RFC 7009)', async function () {
    const tokens = await passwordGrant();
    const before = (await admin(`/oauth2/apps/${world.app.id}/grants`)).json.grants.length;
    const revoke = await request(`${world.gateway.url}/oauth2/revoke`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(`${world.app.id}:${world.app.secret}`).toString('base64')}`
      },
      body: new URLSearchParams({ token: tokens.refresh_token }).toString()
    });
    expect(revoke.status).to.equal(200);
    const after = (await admin(`/oauth2/apps/${world.app.id}/grants`)).json.grants.length;
    expect(after).to.equal(before - 1);
  });
});

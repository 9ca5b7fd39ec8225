import { expect } from 'chai';
import { Browser } from '../../support/browser';
import { postForm } from '../../support/http';
import { approveDevice } from '../helpers/device';
import type { World } from '../helpers/world';
import { startOidcWorld } from './oidc-world';

/**
 * The identity scopes (openid, profile, email, address, phone) any client may ask a user for, unless the operator
 * registered a scope of that name in EG: then it is an API's scope, the credential's to grant.
 */
describe('OpenID Connect identity scopes', function () {
  let world: World;
  before(async function () {
    world = await startOidcWorld();
    await world.gateway.admin.createScopes(['profile']); // an API of the operator's, guarded by "profile"
  });
  after(async function () {
    await world?.stop();
  });

  const passwordToken = (scope: string, client?: { id: string; secret: string }) =>
    world.token(
      { grant_type: 'password', username: world.user.username, password: world.user.password, scope },
      client
    );

  it('grants openid and email, which EG does not know, to a client whose credential holds neither', async function () {
    const res = await passwordToken('openid email read');
    expect(res.status, res.text).to.equal(200);
    expect(res.json.scope).to.equal('openid email read');
    expect(res.json).to.have.property('id_token');
  });

  it('refuses an EG scope named like an identity scope to a client whose credential lacks it', async function () {
    for (const scope of ['openid profile', 'profile']) {
      const res = await passwordToken(scope);
      expect(res.status, scope).to.equal(400);
      expect(res.json.error).to.equal('invalid_scope');
    }
  });

  it('grants it to a client whose credential holds it', async function () {
    const client = await world.addClient('profile-reader', ['read', 'profile']);
    const res = await passwordToken('openid profile', client);
    expect(res.status, res.text).to.equal(200);
    expect(res.json.scope).to.equal('openid profile');
  });

  it('returns no ID token on the refresh of a grant that was no OpenID Connect sign-in (a device grant holding openid)', async function () {
    await world.gateway.admin.createScopes(['openid']);
    const tv = await world.gateway.admin.registerClient(
      { name: 'TV with openid', userId: world.user.id, public: 'true' },
      ['read', 'openid']
    );
    const device = (
      await postForm(`${world.gateway.url}/oauth2/device_authorization`, { client_id: tv.id, scope: 'openid read' })
    ).json;
    await approveDevice(world, new Browser(world.gateway.url), device.verification_uri_complete, true);
    const tokens = await postForm(`${world.gateway.url}/oauth2/token`, {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: device.device_code,
      client_id: tv.id
    });
    expect(tokens.status, tokens.text).to.equal(200);
    expect(tokens.json.scope).to.equal('openid read');
    expect(tokens.json).not.to.have.property('id_token');
    const refreshed = await postForm(`${world.gateway.url}/oauth2/token`, {
      grant_type: 'refresh_token',
      refresh_token: tokens.json.refresh_token,
      client_id: tv.id
    });
    expect(refreshed.status, refreshed.text).to.equal(200);
    expect(refreshed.json).not.to.have.property('id_token');
  });
});

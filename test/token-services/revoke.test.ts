import { expect } from 'chai';
import { basic, postForm, request } from '../../support/http';
import { startWorld, World } from '../helpers/world';

/** RFC 7009 at /oauth2/revoke, and the admin API's revoke-everything routes. */
describe('token services: revocation (RFC 7009)', function () {
  let world: World;
  let other: { id: string; secret: string };
  before(async function () {
    world = await startWorld();
    other = await world.addClient('other-app', ['read']);
  });
  after(async function () {
    await world?.stop();
  });

  const revoke = (
    params: Record<string, string>,
    auth: { id: string; secret: string } = { id: world.app.id, secret: world.app.secret }
  ) => postForm(`${world.gateway.url}/oauth2/revoke`, params, { Authorization: basic(auth.id, auth.secret) });
  const api = (token: string) => world.api(token);
  const passwordTokens = async () => {
    const res = await world.token({
      grant_type: 'password',
      username: world.user.username,
      password: world.user.password
    });
    expect(res.status, res.text).to.equal(200);
    return res.json as { access_token: string; refresh_token: string };
  };

  it('revokes an access token, which the policy then refuses, and leaves its refresh token working', async function () {
    const tokens = await passwordTokens();
    expect((await api(tokens.access_token)).status).to.equal(200);
    const res = await revoke({ token: tokens.access_token, token_type_hint: 'access_token' });
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect((await api(tokens.access_token)).status).to.equal(401);
    expect((await world.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status).to.equal(
      200
    );
  });

  it('revokes a refresh token together with the access tokens of its grant', async function () {
    const tokens = await passwordTokens();
    expect((await revoke({ token: tokens.refresh_token, token_type_hint: 'refresh_token' })).status).to.equal(200);
    expect((await api(tokens.access_token)).status).to.equal(401);
    const refreshed = await world.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refreshed.status).to.equal(400);
    expect(refreshed.json.error).to.equal('invalid_grant');
  });

  it('finds the token whatever the hint says, and ignores an unknown hint', async function () {
    const first = await passwordTokens();
    expect((await revoke({ token: first.refresh_token, token_type_hint: 'access_token' })).status).to.equal(200);
    expect((await api(first.access_token)).status).to.equal(401);
    const second = await passwordTokens();
    expect((await revoke({ token: second.access_token, token_type_hint: 'banana' })).status).to.equal(200);
    expect((await api(second.access_token)).status).to.equal(401);
  });

  it('answers 200 for an unknown, malformed or already revoked token', async function () {
    expect((await revoke({ token: 'at~bm9wZQ~~' + 'x'.repeat(43) })).status).to.equal(200);
    expect((await revoke({ token: 'not a token at all' })).status).to.equal(200);
    expect((await revoke({ token: 'a.b.c' })).status).to.equal(200);
    const tokens = await passwordTokens();
    await revoke({ token: tokens.refresh_token });
    expect((await revoke({ token: tokens.refresh_token })).status).to.equal(200);
  });

  it("does not revoke another client's token, and answers as for an unknown one (no liveness oracle)", async function () {
    const tokens = await passwordTokens();
    expect((await revoke({ token: tokens.access_token }, other)).status).to.equal(200);
    expect((await revoke({ token: tokens.refresh_token }, other)).status).to.equal(200);
    expect((await api(tokens.access_token)).status).to.equal(200);
    expect((await world.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status).to.equal(
      200
    );
  });

  it('requires client authentication', async function () {
    const tokens = await passwordTokens();
    const anonymous = await postForm(`${world.gateway.url}/oauth2/revoke`, { token: tokens.access_token });
    expect(anonymous.status).to.equal(401);
    expect(anonymous.json.error).to.equal('invalid_client');
    const wrongSecret = await revoke({ token: tokens.access_token }, { id: world.app.id, secret: 'wrong' });
    expect(wrongSecret.status).to.equal(401);
    expect((await api(tokens.access_token)).status).to.equal(200);
  });

  it('answers invalid_request without a token, and 405 to GET', async function () {
    const missing = await revoke({});
    expect(missing.status).to.equal(400);
    expect(missing.json).to.deep.equal({
      error: 'invalid_request',
      error_description: 'The token parameter is missing'
    });
    const repeated = await postForm(`${world.gateway.url}/oauth2/revoke`, 'token=a&token=b', {
      Authorization: basic(world.app.id, world.app.secret)
    });
    expect(repeated.json.error).to.equal('invalid_request');
    const get = await request(`${world.gateway.url}/oauth2/revoke`);
    expect(get.status).to.equal(405);
    expect(get.headers.get('allow')).to.equal('POST');
  });

  it('lets an operator revoke every token of an app through the admin API', async function () {
    const mine = await passwordTokens();
    const client = (await world.token({ grant_type: 'client_credentials' })).json.access_token;
    const theirs = (await world.token({ grant_type: 'client_credentials' }, other)).json.access_token;
    const res = await request(`${world.gateway.adminUrl}/oauth2/apps/${world.app.id}/tokens`, { method: 'DELETE' });
    expect(res.status).to.equal(200);
    expect(res.json.revokedGrants).to.be.at.least(2);
    expect((await api(mine.access_token)).status).to.equal(401);
    expect((await api(client)).status).to.equal(401);
    expect((await world.token({ grant_type: 'refresh_token', refresh_token: mine.refresh_token })).status).to.equal(
      400
    );
    expect((await api(theirs)).status).to.equal(200);
    expect((await world.token({ grant_type: 'client_credentials' })).status, 'the app can get new tokens').to.equal(
      200
    );
  });

  it('lets an operator revoke every token of a user, by username, through the admin API', async function () {
    const users = await passwordTokens();
    const client = (await world.token({ grant_type: 'client_credentials' })).json.access_token;
    const res = await request(`${world.gateway.adminUrl}/oauth2/users/${world.user.username}/tokens`, {
      method: 'DELETE'
    });
    expect(res.status).to.equal(200);
    expect(res.json).to.include({ userId: world.user.id });
    expect((await api(users.access_token)).status).to.equal(401);
    expect((await api(client)).status, "the app's own tokens stay").to.equal(200);
  });

  it('answers 404 to an admin revoke-all for a user or app that does not exist and owns no grant (issue 16, item 11)', async function () {
    for (const path of ['/oauth2/users/no-such-user/tokens', '/oauth2/apps/no-such-app/tokens']) {
      const res = await request(`${world.gateway.adminUrl}${path}`, { method: 'DELETE' });
      expect(res.status, path).to.equal(404);
      expect(res.json.error, path).to.equal('not_found');
    }
  });

  it('counts only the grants an admin revoke-all revoked, not those revoked before (issue 16, item 11)', async function () {
    await passwordTokens();
    await passwordTokens();
    const first = await request(`${world.gateway.adminUrl}/oauth2/users/${world.user.id}/tokens`, { method: 'DELETE' });
    expect(first.json.revokedGrants).to.be.at.least(2);
    const again = await request(`${world.gateway.adminUrl}/oauth2/users/${world.user.id}/tokens`, { method: 'DELETE' });
    expect(again.status).to.equal(200);
    expect(again.json.revokedGrants).to.equal(0);
  });

  it("answers an admin revoke-all for ids with glob and regular expression characters without revoking anyone else's tokens", async function () {
    const client = (await world.token({ grant_type: 'client_credentials' })).json.access_token;
    for (const id of ['*', 'a)b(', '[x]?', `${world.app.id.slice(0, 4)}*`]) {
      const res = await request(`${world.gateway.adminUrl}/oauth2/apps/${encodeURIComponent(id)}/tokens`, {
        method: 'DELETE'
      });
      expect(res.status, id).to.be.below(500);
      if (res.status === 200) expect(res.json.revokedGrants, id).to.equal(0);
    }
    expect((await api(client)).status).to.equal(200);
  });
});

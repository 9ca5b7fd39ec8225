import { expect } from 'chai';
import { basic, postForm, request } from '../../support/http';
import { startWorld, World } from '../helpers/world';

/** RFC 7662 at /oauth2/introspect, and the token info endpoint for a token's own holder. */
describe('token services: introspection (RFC 7662) and token info', function () {
  let world: World;
  let resourceServer: { id: string; secret: string };
  let stranger: { id: string; secret: string };
  let tokens: { access_token: string; refresh_token: string };
  before(async function () {
    world = await startWorld();
    resourceServer = await world.addClient('resource-server', ['introspection']);
    stranger = await world.addClient('stranger', ['read']);
    tokens = (
      await world.token({
        grant_type: 'password',
        username: world.user.username,
        password: world.user.password,
        scope: 'read'
      })
    ).json;
  });
  after(async function () {
    await world?.stop();
  });

  const introspect = (token: string, auth: { id: string; secret: string }) =>
    postForm(`${world.gateway.url}/oauth2/introspect`, { token }, { Authorization: basic(auth.id, auth.secret) });

  it('describes an active access token to a client holding the introspection scope', async function () {
    const res = await introspect(tokens.access_token, resourceServer);
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    const now = Date.now() / 1000;
    expect(res.json).to.include({
      active: true,
      scope: 'read',
      client_id: world.app.id,
      username: world.user.username,
      token_type: 'Bearer',
      sub: world.user.id,
      aud: world.gateway.url,
      iss: world.gateway.url
    });
    expect(res.json.exp).to.be.within(now + 3500, now + 3601);
    expect(res.json.iat).to.be.within(now - 60, now + 1);
    expect(res.json.jti).to.be.a('string');
  });

  it('describes an active refresh token, without a token type', async function () {
    const res = await introspect(tokens.refresh_token, resourceServer);
    expect(res.json).to.include({
      active: true,
      client_id: world.app.id,
      username: world.user.username,
      sub: world.user.id
    });
    expect(res.json).not.to.have.property('token_type');
  });

  it('uses sub for the client itself for a client_credentials token', async function () {
    const own = (await world.token({ grant_type: 'client_credentials' })).json.access_token;
    const res = await introspect(own, resourceServer);
    expect(res.json).to.include({ active: true, sub: world.app.id, client_id: world.app.id });
    expect(res.json).not.to.have.property('username');
  });

  it("lets a client introspect its own tokens without the scope, and hides other clients' tokens as inactive", async function () {
    expect((await introspect(tokens.access_token, world.app)).json.active).to.equal(true);
    expect((await introspect(tokens.access_token, stranger)).json).to.deep.equal({ active: false });
  });

  it('answers inactive, and nothing else, for unknown, malformed, revoked and expired-by-deactivation tokens', async function () {
    expect((await introspect('at~eHg~~' + 'y'.repeat(43), resourceServer)).json).to.deep.equal({ active: false });
    expect((await introspect('garbage', resourceServer)).json).to.deep.equal({ active: false });
    expect((await introspect('e30.e30.sig', resourceServer)).json).to.deep.equal({ active: false });
    const fresh = (
      await world.token({ grant_type: 'password', username: world.user.username, password: world.user.password })
    ).json;
    await postForm(
      `${world.gateway.url}/oauth2/revoke`,
      { token: fresh.refresh_token },
      { Authorization: basic(world.app.id, world.app.secret) }
    );
    expect((await introspect(fresh.access_token, resourceServer)).json).to.deep.equal({ active: false });
    expect((await introspect(fresh.refresh_token, resourceServer)).json).to.deep.equal({ active: false });
  });

  it('answers inactive for a used refresh token of a rotating grant', async function () {
    const fresh = (
      await world.token({ grant_type: 'password', username: world.user.username, password: world.user.password })
    ).json;
    await world.token({ grant_type: 'refresh_token', refresh_token: fresh.refresh_token });
    expect((await introspect(fresh.refresh_token, resourceServer)).json).to.deep.equal({ active: false });
  });

  it('requires an authenticated, confidential client', async function () {
    const anonymous = await postForm(`${world.gateway.url}/oauth2/introspect`, { token: tokens.access_token });
    expect(anonymous.status).to.equal(401);
    expect(anonymous.json.error).to.equal('invalid_client');
    expect((await introspect(tokens.access_token, { id: resourceServer.id, secret: 'nope' })).status).to.equal(401);
    const missing = await postForm(
      `${world.gateway.url}/oauth2/introspect`,
      {},
      { Authorization: basic(resourceServer.id, resourceServer.secret) }
    );
    expect(missing.status).to.equal(400);
    expect(missing.json.error).to.equal('invalid_request');
  });

  describe('token info', function () {
    const tokenInfo = (headers: Record<string, string>) =>
      request(`${world.gateway.url}/oauth2/tokeninfo`, { headers });

    it('tells the holder of a token what it is', async function () {
      const res = await tokenInfo({ Authorization: `Bearer ${tokens.access_token}` });
      expect(res.status).to.equal(200);
      expect(res.headers.get('cache-control')).to.equal('no-store');
      expect(res.json).to.include({
        active: true,
        scope: 'read',
        client_id: world.app.id,
        username: world.user.username
      });
    });

    it('answers an RFC 6750 challenge without a token or with a bad one', async function () {
      const none = await tokenInfo({});
      expect(none.status).to.equal(401);
      expect(none.headers.get('www-authenticate')).to.match(/^Bearer realm=/);
      const bad = await tokenInfo({ Authorization: 'Bearer not-a-real-token' });
      expect(bad.status).to.equal(401);
      expect(bad.json.error).to.equal('invalid_token');
      expect(bad.headers.get('www-authenticate')).to.contain('error="invalid_token"');
    });

    it('does not take the token from the query string', async function () {
      expect(
        (await request(`${world.gateway.url}/oauth2/tokeninfo?access_token=${tokens.access_token}`)).status
      ).to.equal(401);
    });
  });
});

import { expect } from 'chai';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { request } from '../../support/http';
import type { World } from '../helpers/world';
import { startOidcWorld } from './oidc-world';

/** OpenID Connect Core §5.3: UserInfo answers the claims the token's scopes ask for, and refuses as RFC 6750 says. */
describe('OpenID Connect UserInfo', function () {
  let world: World;
  before(async function () {
    world = await startOidcWorld({
      settings: { oidc: { claims: { nickname: 'firstname', email_verified: 'verified' } } }
    });
    await world.gateway.admin.updateUser(world.user.id, { email: 'alice@example.com' });
  });
  after(async function () {
    await world?.stop();
  });

  async function userToken(scope: string): Promise<string> {
    const res = await world.token({
      grant_type: 'password',
      username: world.user.username,
      password: world.user.password,
      scope
    });
    expect(res.status, res.text).to.equal(200);
    return res.json.access_token;
  }

  const userinfo = (token?: string, method = 'GET') =>
    request(`${world.gateway.url}/oauth2/userinfo`, {
      method,
      headers: token === undefined ? {} : { Authorization: `Bearer ${token}` }
    });

  it('answers a client that registered userinfoSignedResponseAlg RS256 with a JWT signed like ID tokens, naming issuer and client (Core §5.3.2)', async function () {
    const rp = await world.addClient('signed-userinfo-rp', ['read']);
    await world.gateway.admin.updateApp(rp.id, { userinfoSignedResponseAlg: 'RS256' });
    const token = (
      await world.token(
        { grant_type: 'password', username: world.user.username, password: world.user.password, scope: 'openid email' },
        rp
      )
    ).json.access_token;
    const res = await userinfo(token);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/jwt/);
    const jwks = createRemoteJWKSet(new URL(`${world.gateway.url}/oauth2/jwks`));
    const { payload, protectedHeader } = await jwtVerify(res.text, jwks, {
      issuer: (await request(`${world.gateway.url}/.well-known/openid-configuration`)).json.issuer,
      audience: rp.id
    });
    expect(protectedHeader.alg).to.equal('RS256');
    expect(payload).to.include({ sub: world.user.id, email: 'alice@example.com' });
    const asHint = await request(
      `${world.gateway.url}/oauth2/logout?${new URLSearchParams({ id_token_hint: res.text })}`
    );
    expect(asHint.status, 'a signed UserInfo answer is no ID token').to.equal(400);
    expect((await userinfo(await userToken('openid email'))).json, 'another client: JSON').to.deep.equal({
      sub: world.user.id,
      email: 'alice@example.com'
    });
  });

  it('answers the claims of the scopes granted (Core §5.4), by GET and by POST, never cached', async function () {
    const token = await userToken('openid email');
    for (const method of ['GET', 'POST']) {
      const res = await userinfo(token, method);
      expect(res.status, method).to.equal(200);
      expect(res.json, method).to.deep.equal({ sub: world.user.id, email: 'alice@example.com' });
      expect(res.headers.get('cache-control')).to.equal('no-store');
    }
    const profile = await userinfo(await userToken('openid profile'));
    expect(profile.json).to.deep.equal({
      sub: world.user.id,
      name: 'Alice Example',
      given_name: 'Alice',
      family_name: 'Example',
      nickname: 'Alice',
      preferred_username: world.user.username
    });
    expect((await userinfo(await userToken('openid'))).json).to.deep.equal({ sub: world.user.id });
  });

  it('takes the token from a POSTed form too (RFC 6750 §2.2), never from the query, and never from two places', async function () {
    const token = await userToken('openid');
    const url = `${world.gateway.url}/oauth2/userinfo`;
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const posted = await request(url, { method: 'POST', headers: form, body: `access_token=${token}` });
    expect(posted.status, posted.text).to.equal(200);
    expect(posted.json).to.deep.equal({ sub: world.user.id });
    const twice = await request(url, {
      method: 'POST',
      headers: { ...form, Authorization: `Bearer ${token}` },
      body: `access_token=${token}`
    });
    expect(twice.status).to.equal(400);
    expect(twice.json.error).to.equal('invalid_request');
    const huge = await request(url, { method: 'POST', headers: form, body: `access_token=${'a'.repeat(100000)}` });
    expect(huge.status).to.equal(400);
    expect(huge.json.error).to.equal('invalid_request');
    const query = await request(`${url}?access_token=${token}`);
    expect(query.status).to.equal(401);
    expect(query.headers.get('www-authenticate')).not.to.match(/error=/);
  });

  it('refuses without a token, with a token lacking openid, and with a client_credentials token', async function () {
    const missing = await userinfo();
    expect(missing.status).to.equal(401);
    expect(missing.headers.get('www-authenticate')).to.match(/^Bearer realm=/);
    const plain = await userinfo(await userToken('read'));
    expect(plain.status).to.equal(403);
    expect(plain.headers.get('www-authenticate')).to.match(/error="insufficient_scope".*scope="openid"/);
    const client = await world.token({ grant_type: 'client_credentials', scope: 'read' });
    expect((await userinfo(client.json.access_token)).status).to.equal(403);
    const wrong = await userinfo('not-a-token-of-ours');
    expect(wrong.status).to.equal(401);
    expect(wrong.headers.get('www-authenticate')).to.match(/error="invalid_token"/);
  });

  it('refuses the token of a user deactivated since, and other methods', async function () {
    const token = await userToken('openid');
    await world.gateway.admin.setUserActive(world.user.id, false);
    try {
      const res = await userinfo(token);
      expect(res.status).to.equal(401);
      expect(res.json.error).to.equal('invalid_token');
    } finally {
      await world.gateway.admin.setUserActive(world.user.id, true);
    }
    const put = await userinfo(await userToken('openid'), 'PUT');
    expect(put.status).to.equal(405);
  });
});

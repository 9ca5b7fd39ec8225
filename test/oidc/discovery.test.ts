import { expect } from 'chai';
import { request } from '../../support/http';
import { startWorld, World } from '../helpers/world';
import { startOidcWorld } from './oidc-world';
import { oncePerRun } from '../helpers/once-per-run';

/** OpenID Connect Discovery 1.0: the configuration says exactly what is enabled, and only when oidc is on. */
describe('OpenID Connect discovery', function () {
  before(function () {
    // What this suite proves does not depend on the store: once per CI run.
    oncePerRun(this);
  });

  describe('with oidc off (the default)', function () {
    let world: World;
    before(async function () {
      world = await startWorld();
    });
    after(async function () {
      await world?.stop();
    });

    it('has no OpenID configuration, UserInfo endpoint or ID tokens', async function () {
      expect((await request(`${world.gateway.url}/.well-known/openid-configuration`)).status).to.equal(404);
      expect((await request(`${world.gateway.url}/oauth2/userinfo`)).status).to.equal(404);
      const res = await world.token({
        grant_type: 'password',
        username: world.user.username,
        password: world.user.password,
        scope: 'openid'
      });
      expect(res.status, 'openid is no scope of the client while oidc is off').to.equal(400);
      expect(res.json.error).to.equal('invalid_scope');
    });
  });

  describe('with oidc on', function () {
    let world: World;
    before(async function () {
      world = await startOidcWorld({ settings: { oidc: { claims: { nickname: 'firstname' } } } });
    });
    after(async function () {
      await world?.stop();
    });

    it('serves the RFC 8414 metadata plus what OpenID Connect adds, and refuses other methods', async function () {
      const base = world.gateway.url;
      const res = await request(`${base}/.well-known/openid-configuration`);
      expect(res.status).to.equal(200);
      const oauth = (await request(`${base}/.well-known/oauth-authorization-server`)).json;
      const { scopes_supported: _oauthScopes, ...sharedWithOAuth } = oauth;
      expect(res.json).to.deep.include(sharedWithOAuth);
      expect(res.json).to.deep.include({
        issuer: base,
        userinfo_endpoint: `${base}/oauth2/userinfo`,
        jwks_uri: `${base}/oauth2/jwks`,
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        claims_parameter_supported: true,
        request_parameter_supported: true,
        request_uri_parameter_supported: false
      });
      expect(res.json.scopes_supported).to.include.members(['openid', 'profile', 'email', 'read', 'write']);
      expect(res.json.claims_supported).to.include.members([
        'sub',
        'iss',
        'auth_time',
        'nonce',
        'preferred_username',
        'name',
        'email',
        'nickname'
      ]);
      expect(res.json.claims_supported, 'no claim the users have no property for').not.to.include('phone_number');
      const post = await request(`${base}/.well-known/openid-configuration`, { method: 'POST' });
      expect(post.status).to.equal(405);
      expect(post.headers.get('allow')).to.equal('GET');
    });

    it('publishes the RS256 key ID tokens are signed with', async function () {
      const jwks = (await request(`${world.gateway.url}/oauth2/jwks`)).json;
      expect(jwks.keys.map((key: { kid: string; alg: string }) => [key.kid, key.alg])).to.deep.equal([
        ['oidc-rs256', 'RS256']
      ]);
    });
  });

  describe('with an issuer that has a path', function () {
    let world: World;
    before(async function () {
      world = await startOidcWorld({ settings: { issuer: 'https://auth.example.com/tenant-a' } });
    });
    after(async function () {
      await world?.stop();
    });

    it('serves the configuration after the issuer path (Discovery §4) and in the RFC 8414 §5 form', async function () {
      for (const path of ['/tenant-a/.well-known/openid-configuration', '/.well-known/openid-configuration/tenant-a']) {
        const res = await request(`${world.gateway.url}${path}`);
        expect(res.status, path).to.equal(200);
        expect(res.json.issuer).to.equal('https://auth.example.com/tenant-a');
      }
    });
  });
});

import { expect } from 'chai';
import { request } from '../../support/http';
import { startWorld, World } from '../helpers/world';
import { oncePerRun } from '../helpers/once-per-run';

/** RFC 8414: the metadata document says exactly what is enabled. */
describe('token services: authorization server metadata (RFC 8414)', function () {
  before(function () {
    // What this suite proves does not depend on the store: once per CI run.
    oncePerRun(this);
  });

  describe('with the default settings', function () {
    let world: World;
    before(async function () {
      world = await startWorld({ pluginDefaultGrants: true });
    });
    after(async function () {
      await world?.stop();
    });

    it('lists the endpoints, grants, methods and scopes in use', async function () {
      const res = await request(`${world.gateway.url}/.well-known/oauth-authorization-server`);
      expect(res.status).to.equal(200);
      const base = world.gateway.url;
      expect(res.json).to.deep.include({
        issuer: base,
        authorization_endpoint: `${base}/oauth2/authorize`,
        token_endpoint: `${base}/oauth2/token`,
        revocation_endpoint: `${base}/oauth2/revoke`,
        introspection_endpoint: `${base}/oauth2/introspect`,
        response_types_supported: ['code'],
        device_authorization_endpoint: `${base}/oauth2/device_authorization`,
        // RFC 9700 §2.4 and §2.1.2: neither password nor implicit unless the operator lists them.
        grant_types_supported: [
          'authorization_code',
          'client_credentials',
          'refresh_token',
          'urn:ietf:params:oauth:grant-type:jwt-bearer',
          'urn:ietf:params:oauth:grant-type:device_code',
          'urn:ietf:params:oauth:grant-type:token-exchange'
        ],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
        introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
        code_challenge_methods_supported: ['S256']
      });
      expect(res.json.scopes_supported).to.include.members(['read', 'write']);
      await world.gateway.admin.createScopes(['introspection', 'client_registration']);
      const again = await request(`${base}/.well-known/oauth-authorization-server`);
      expect(
        again.json.scopes_supported,
        "the plugin's internal scopes are the operator's to grant, not a client's to ask for"
      )
        .not.to.include.members(['introspection'])
        .and.not.to.include.members(['client_registration']);
      expect(res.json, 'no JWKS without asymmetric keys').not.to.have.property('jwks_uri');
      expect((await request(`${base}/oauth2/jwks`)).status).to.equal(404);
    });
  });

  describe('with some grants off and an issuer path', function () {
    let world: World;
    before(async function () {
      world = await startWorld({
        settings: {
          grants: ['client_credentials'],
          issuer: 'https://auth.example.com/tenant-a',
          pkce: { allowPlain: false }
        }
      });
    });
    after(async function () {
      await world?.stop();
    });

    it('leaves out what is disabled and serves the document under the issuer path (RFC 8414 §3.1)', async function () {
      const res = await request(`${world.gateway.url}/.well-known/oauth-authorization-server/tenant-a`);
      expect(res.status).to.equal(200);
      expect(res.json.issuer).to.equal('https://auth.example.com/tenant-a');
      expect(res.json.token_endpoint).to.equal('https://auth.example.com/tenant-a/oauth2/token');
      expect(res.json.grant_types_supported).to.deep.equal(['client_credentials']);
      expect(res.json.response_types_supported).to.deep.equal([]);
      expect(res.json).not.to.have.any.keys(
        'authorization_endpoint',
        'code_challenge_methods_supported',
        'response_modes_supported'
      );
      expect(res.json.token_endpoint_auth_methods_supported).to.deep.equal([
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt'
      ]);
      expect(res.json).not.to.have.property('device_authorization_endpoint');
    });
  });
});

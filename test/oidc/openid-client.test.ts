import { expect } from 'chai';
import * as oidc from 'openid-client';
import { Browser } from '../../support/browser';
import { authorize, decide, REDIRECT_URI } from '../helpers/flow';
import type { World } from '../helpers/world';
import { startOidcWorld } from './oidc-world';
import { oncePerRun } from '../helpers/once-per-run';

/**
 * openid-client (a certified relying party library) signs a user in against the gateway with its defaults: OpenID
 * Connect discovery, the code flow with PKCE, state and nonce, ID token validation, UserInfo, refresh.
 */
describe('OpenID Connect with openid-client', function () {
  before(function () {
    // What this suite proves does not depend on the store: once per CI run.
    oncePerRun(this);
  });

  let world: World;
  let config: oidc.Configuration;

  before(async function () {
    world = await startOidcWorld();
    await world.gateway.admin.updateUser(world.user.id, { email: 'alice@example.com' });
    config = await oidc.discovery(new URL(world.gateway.url), world.app.id, world.app.secret, undefined, {
      execute: [oidc.allowInsecureRequests]
    });
  });
  after(async function () {
    await world?.stop();
  });

  /** Plays the user: from openid-client's authorization URL to the callback URL the client receives. */
  async function signInAndConsent(url: URL): Promise<URL> {
    const browser = new Browser(world.gateway.url);
    const consent = await authorize(browser, world, Object.fromEntries(url.searchParams));
    return decide(browser, consent, true);
  }

  it('discovers the gateway at /.well-known/openid-configuration, signs the user in and reads UserInfo', async function () {
    expect(config.serverMetadata().userinfo_endpoint).to.equal(`${world.gateway.url}/oauth2/userinfo`);
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state
    });
    const callback = await signInAndConsent(url);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true
    });
    const claims = tokens.claims()!;
    expect(claims.sub).to.equal(world.user.id);
    expect(claims.aud).to.equal(world.app.id);
    expect(claims.nonce).to.equal(nonce);
    expect(claims.auth_time).to.be.a('number');

    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(info).to.deep.equal({
      sub: world.user.id,
      preferred_username: world.user.username,
      given_name: 'Alice',
      family_name: 'Example',
      name: 'Alice Example',
      email: 'alice@example.com'
    });

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const again = refreshed.claims()!;
    expect(again.sub).to.equal(claims.sub);
    expect(again.auth_time).to.equal(claims.auth_time);
    expect(again).not.to.have.property('nonce');
  });
});

import { expect } from 'chai';
import * as oauth from 'oauth4webapi';
import { Browser } from '../../support/browser';
import { authorize, decide, REDIRECT_URI } from '../helpers/flow';
import type { World } from '../helpers/world';
import { startOidcWorld } from '../oidc/oidc-world';
import { oncePerRun } from '../helpers/once-per-run';

/**
 * oauth4webapi's OpenID Connect functions (issue 20, item 8): OpenID Connect
 * discovery, the code flow with PKCE and nonce, each ID token validated
 * (signature by the published keys, iss, aud, nonce, at_hash), UserInfo
 * matched to the ID token's sub, and the ID token of a refresh.
 */
describe('interoperability with oauth4webapi: OpenID Connect', function () {
  before(function () {
    // What this suite proves does not depend on the store: once per CI run.
    oncePerRun(this);
  });

  let world: World;
  let as: oauth.AuthorizationServer;
  let client: oauth.Client;
  const insecure = { [oauth.allowInsecureRequests]: true };

  before(async function () {
    world = await startOidcWorld();
    await world.gateway.admin.updateUser(world.user.id, { email: 'alice@example.com' });
    const issuer = new URL(world.gateway.url);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure })
    );
    client = { client_id: world.app.id, id_token_signed_response_alg: 'RS256' };
  });
  after(async function () {
    await world?.stop();
  });

  it('signs in with PKCE and a nonce, validates every ID token, and reads UserInfo for its sub', async function () {
    const verifier = oauth.generateRandomCodeVerifier();
    const nonce = oauth.generateRandomNonce();
    const state = oauth.generateRandomState();
    const params = {
      response_type: 'code',
      client_id: world.app.id,
      redirect_uri: REDIRECT_URI,
      scope: 'openid email',
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256'
    };
    const browser = new Browser(world.gateway.url);
    const callback = await decide(browser, await authorize(browser, world, params), true);
    const auth = oauth.ClientSecretBasic(world.app.secret);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      auth,
      oauth.validateAuthResponse(as, client, callback, state),
      REDIRECT_URI,
      verifier,
      insecure
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce });
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(claims.sub).to.equal(world.user.id);
    expect(claims.nonce).to.equal(nonce);

    const userinfo = await oauth.processUserInfoResponse(
      as,
      client,
      claims.sub,
      await oauth.userInfoRequest(as, client, tokens.access_token, insecure)
    );
    expect(userinfo).to.include({ sub: world.user.id, email: 'alice@example.com' });

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, insecure)
    );
    expect(oauth.getValidatedIdTokenClaims(refreshed)?.sub).to.equal(world.user.id);
  });
});

import { expect } from 'chai';
import * as oauth from 'oauth4webapi';
import { Browser } from '../../support/browser';
import { authorize, decide, REDIRECT_URI } from '../helpers/flow';
import { startWorld, World } from '../helpers/world';
import { oncePerRun } from '../helpers/once-per-run';

/**
 * oauth4webapi (a certified OAuth client) judges our responses with its
 * strict validation. The server's endpoints are configured by hand until the
 * plugin publishes RFC 8414 metadata.
 */
describe('interoperability with oauth4webapi', function () {
  before(function () {
    // What this suite proves does not depend on the store: once per CI run.
    oncePerRun(this);
  });

  let world: World;
  let as: oauth.AuthorizationServer;
  let client: oauth.Client;
  const insecure = { [oauth.allowInsecureRequests]: true };

  before(async function () {
    world = await startWorld({ settings: { consent: { remember: false } } });
    as = {
      issuer: world.gateway.url,
      authorization_endpoint: `${world.gateway.url}/oauth2/authorize`,
      token_endpoint: `${world.gateway.url}/oauth2/token`
    };
    client = { client_id: world.app.id };
  });
  after(async function () {
    await world?.stop();
  });

  it('completes the authorization code flow with PKCE and a refresh', async function () {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const params = {
      response_type: 'code',
      client_id: world.app.id,
      redirect_uri: REDIRECT_URI,
      scope: 'read write',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256'
    };
    const browser = new Browser(world.gateway.url);
    const callback = await decide(browser, await authorize(browser, world, params), true);

    const callbackParams = oauth.validateAuthResponse(as, client, callback, state);
    const auth = oauth.ClientSecretBasic(world.app.secret);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      auth,
      callbackParams,
      REDIRECT_URI,
      verifier,
      insecure
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    expect(tokens.token_type).to.equal('bearer');
    expect(tokens.scope).to.equal('read write');
    expect(tokens.refresh_token).to.be.a('string');

    const api = await world.api(tokens.access_token);
    expect(api.status).to.equal(200);

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, insecure)
    );
    expect(refreshed.access_token).to.be.a('string').and.not.equal(tokens.access_token);
  });

  it('reports an authorization error redirect as such', async function () {
    const state = oauth.generateRandomState();
    const browser = new Browser(world.gateway.url);
    const challenge = await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier());
    const callback = await decide(
      browser,
      await authorize(browser, world, {
        response_type: 'code',
        client_id: world.app.id,
        redirect_uri: REDIRECT_URI,
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256'
      }),
      false
    );
    expect(() => oauth.validateAuthResponse(as, client, callback, state))
      .to.throw(oauth.AuthorizationResponseError)
      .with.property('error', 'access_denied');
  });

  it('accepts the client credentials response', async function () {
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretPost(world.app.secret),
      new URLSearchParams({ scope: 'read' }),
      insecure
    );
    const tokens = await oauth.processClientCredentialsResponse(as, client, response);
    expect(tokens.scope).to.equal('read');
  });

  it('parses our error responses as RFC 6749 §5.2 errors', async function () {
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretPost('wrong'),
      new URLSearchParams(),
      insecure
    );
    const failure = await oauth.processClientCredentialsResponse(as, client, response).catch((err: unknown) => err);
    expect(failure).to.be.instanceOf(oauth.ResponseBodyError).with.property('error', 'invalid_client');
  });
});

import { expect } from 'chai';
import { webcrypto } from 'crypto';
import * as oauth from 'oauth4webapi';
import { Browser } from '../../support/browser';
import { basic, postForm, request } from '../../support/http';
import { authorize, decide, REDIRECT_URI } from '../helpers/flow';
import { now, signJwt, tamperedJwt, unsignedJwt, ecKeyPair } from '../helpers/keys';
import { startWorld, World } from '../helpers/world';
import { codeRequest } from '../helpers/code-request';

const insecure = { [oauth.allowInsecureRequests]: true };

/**
 * RFC 9101 (issue 22 item 4): request objects signed by a key the client registered, at the authorization endpoint
 * and the PAR endpoint; oauth4webapi (a client nobody here wrote) signs them.
 */
describe('signed request objects (RFC 9101)', function () {
  this.timeout(60000);
  let world: World;
  let client: { id: string; secret: string };
  let keys: Awaited<ReturnType<typeof oauth.generateKeyPair>>;
  let as: oauth.AuthorizationServer;
  const other = ecKeyPair();

  before(async function () {
    world = await startWorld({ settings: { consent: { remember: false } } });
    keys = await oauth.generateKeyPair('ES256');
    const jwk = { ...(await webcrypto.subtle.exportKey('jwk', keys.publicKey)), kid: 'ro-1', alg: 'ES256' };
    client = await world.gateway.admin.registerClient(
      {
        name: 'signs its requests',
        userId: world.user.id,
        redirectUri: REDIRECT_URI,
        jwks: JSON.stringify({ keys: [jwk] })
      },
      ['read', 'write']
    );
    as = {
      issuer: world.gateway.url,
      authorization_endpoint: `${world.gateway.url}/oauth2/authorize`,
      token_endpoint: `${world.gateway.url}/oauth2/token`,
      pushed_authorization_request_endpoint: `${world.gateway.url}/oauth2/par`
    };
  });
  after(async function () {
    await world?.stop();
  });

  /** An authorization request of the client, as oauth4webapi signs it (iss, aud, exp, nbf, client_id, typ). */
  async function signedRequest(extra: Record<string, string> = {}) {
    const { params, verifier, state } = await codeRequest(extra);
    const jwt = await oauth.issueRequestObject(as, { client_id: client.id }, new URLSearchParams(params), {
      key: keys.privateKey,
      kid: 'ro-1'
    });
    return { jwt, verifier, state };
  }

  async function finish(
    browser: Browser,
    consent: Awaited<ReturnType<typeof authorize>>,
    signed: { verifier: string; state: string }
  ) {
    const oauthClient = { client_id: client.id };
    const callback = oauth.validateAuthResponse(as, oauthClient, await decide(browser, consent, true), signed.state);
    return oauth.processAuthorizationCodeResponse(
      as,
      oauthClient,
      await oauth.authorizationCodeGrantRequest(
        as,
        oauthClient,
        oauth.ClientSecretBasic(client.secret),
        callback,
        REDIRECT_URI,
        signed.verifier,
        insecure
      )
    );
  }

  it('says so in the metadata (§10.1)', async function () {
    const metadata = await request(`${world.gateway.url}/.well-known/oauth-authorization-server`);
    expect(metadata.json.request_parameter_supported).to.equal(true);
    expect(metadata.json.request_object_signing_alg_values_supported).to.include.members(['PS256', 'ES256', 'EdDSA']);
  });

  it('takes a signed request object at the authorization endpoint, and no parameter outside it (§5)', async function () {
    const signed = await signedRequest();
    const browser = new Browser(world.gateway.url);
    const consent = await authorize(browser, world, { client_id: client.id, request: signed.jwt, scope: 'write' });
    const tokens = await finish(browser, consent, signed);
    expect(tokens.scope).to.equal('read');
  });

  it('takes one pushed to the PAR endpoint, whose other fields are not the request (RFC 9126 §3)', async function () {
    const signed = await signedRequest();
    const response = await oauth.pushedAuthorizationRequest(
      as,
      { client_id: client.id },
      oauth.ClientSecretBasic(client.secret),
      new URLSearchParams({ request: signed.jwt, scope: 'write' }),
      insecure
    );
    const pushed = await oauth.processPushedAuthorizationResponse(as, { client_id: client.id }, response);
    const browser = new Browser(world.gateway.url);
    const consent = await authorize(browser, world, { client_id: client.id, request_uri: pushed.request_uri });
    const tokens = await finish(browser, consent, signed);
    expect(tokens.scope).to.equal('read');
  });

  it('refuses a request object that is unsigned, forged, another key’s, stale, too long-lived or not the client’s', async function () {
    const claims = (extra: Record<string, unknown> = {}) => ({
      iss: client.id,
      aud: world.gateway.url,
      client_id: client.id,
      exp: now() + 300,
      nbf: now(),
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: 'read',
      ...extra
    });
    const good = (await signedRequest()).jwt;
    const cases: Array<[string, string, RegExp]> = [
      ['alg none', unsignedJwt(claims()), /algorithm/],
      ['a forged payload', tamperedJwt(good, claims({ scope: 'write' })), /signature|verif/i],
      ['another key', await signJwt(other.privateKey, { alg: 'ES256', kid: 'ro-1' }, claims()), /signature|verif/i],
      ['an expired one', await signObject(claims({ exp: now() - 3600, nbf: now() - 3700 })), /expired|exp/],
      ['one valid 70 minutes', await signObject(claims({ exp: now() + 4200 })), /60 minutes/],
      ['another client_id', await signObject(claims({ client_id: world.app.id })), /client_id/],
      ['another audience', await signObject(claims({ aud: 'https://elsewhere.example' })), /aud/],
      ['a request_uri inside', await signObject(claims({ request_uri: 'urn:x' })), /request_uri/],
      ['a DPoP proof type', await signObject(claims(), 'dpop+jwt'), /typ/]
    ];
    for (const [what, jwt, reason] of cases) {
      const pushed = await postForm(
        `${world.gateway.url}/oauth2/par`,
        { request: jwt },
        { Authorization: basic(client.id, client.secret) }
      );
      expect(pushed.status, what).to.equal(400);
      expect(pushed.json.error, what).to.equal('invalid_request_object');
      expect(pushed.json.error_description, what).to.match(reason);
      const page = await new Browser(world.gateway.url).get(
        `/oauth2/authorize?${new URLSearchParams({ client_id: client.id, request: jwt })}`
      );
      expect(page.status, what).to.equal(400);
      expect(page.headers.get('location'), what).to.equal(null);
      expect(page.text, what).to.contain('invalid_request_object');
    }
  });

  /** Signs claims with the client's registered key, as the client would, with another typ when asked. */
  async function signObject(claims: Record<string, unknown>, typ = 'oauth-authz-req+jwt'): Promise<string> {
    return signJwt(keys.privateKey as unknown as Uint8Array, { alg: 'ES256', kid: 'ro-1', typ }, claims);
  }
});

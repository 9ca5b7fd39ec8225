import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { Browser, hiddenField } from '../../support/browser';
import { basic, postForm, request } from '../../support/http';
import { authorize, authorizeUrl, codeParams, decide, REDIRECT_URI, TEST_PKCE } from '../helpers/flow';
import { LogoutReceiver } from '../helpers/logout-receiver';
import { registrar } from '../helpers/registrar';
import type { World } from '../helpers/world';
import { startOidcWorld } from './oidc-world';

const BYE = 'http://127.0.0.1:8000/bye';

/**
 * Dynamic registration of an OpenID Connect relying party (OpenID Connect
 * Dynamic Client Registration 1.0 §2, RP-Initiated Logout 1.0 §3.1,
 * Back-Channel Logout 1.0 §2.2): its logout metadata becomes the app
 * properties an operator would set, and what is not offered is refused.
 */
describe('OpenID Connect client metadata in dynamic registration', function () {
  let world: World;
  let token: string;
  const receiver = new LogoutReceiver();
  let backchannelUri: string;

  const send = (method: string, url: string, body?: unknown, bearer = token) =>
    request(url, {
      method,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bearer}` },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  const register = (metadata: Record<string, unknown>) =>
    send('POST', `${world.gateway.url}/oauth2/register`, {
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'read',
      ...metadata
    });
  const appOf = async (clientId: string) => (await request(`${world.gateway.adminUrl}/apps/${clientId}`)).json;

  before(async function () {
    backchannelUri = await receiver.start();
    world = await startOidcWorld({
      settings: {
        clientUrls: { allowPrivateNetworks: true },
        dynamicRegistration: { enabled: true, allowedScopes: ['read'], maxClientsPerOwner: 100 }
      }
    });
    token = (await registrar(world)).token;
  });
  after(async function () {
    await world?.stop();
    await receiver.stop();
  });

  it('keeps the logout URIs as app properties and shows them back, with the ID token algorithm and subject type it gets', async function () {
    const res = await register({
      client_name: 'OIDC RP',
      post_logout_redirect_uris: [BYE],
      backchannel_logout_uri: backchannelUri,
      backchannel_logout_session_required: true,
      require_auth_time: true,
      userinfo_signed_response_alg: 'RS256'
    });
    expect(res.status, res.text).to.equal(201);
    expect(res.json).to.deep.include({
      post_logout_redirect_uris: [BYE],
      backchannel_logout_uri: backchannelUri,
      backchannel_logout_session_required: true,
      id_token_signed_response_alg: 'RS256',
      subject_type: 'public',
      application_type: 'web',
      require_auth_time: true,
      userinfo_signed_response_alg: 'RS256'
    });
    const app = await appOf(res.json.client_id);
    expect(app).to.include({
      postLogoutRedirectUris: BYE,
      backchannelLogoutUri: backchannelUri,
      backchannelLogoutSessionRequired: 'true',
      userinfoSignedResponseAlg: 'RS256'
    });
    const read = await send('GET', res.json.registration_client_uri, undefined, res.json.registration_access_token);
    expect(read.json.post_logout_redirect_uris).to.deep.equal([BYE]);
  });

  it('lets the registered client sign a user in and out: back to its post-logout URI, told by back-channel logout', async function () {
    const registered = await register({
      client_name: 'Signs out',
      post_logout_redirect_uris: [BYE],
      backchannel_logout_uri: backchannelUri
    });
    const client = { id: registered.json.client_id as string, secret: registered.json.client_secret as string };
    const browser = new Browser(world.gateway.url);
    const consent = await authorize(browser, world, codeParams(world, { client_id: client.id, scope: 'openid' }));
    const callback = await decide(browser, consent, true);
    const tokens = await request(`${world.gateway.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code')!,
        redirect_uri: REDIRECT_URI,
        code_verifier: TEST_PKCE.verifier,
        client_id: client.id,
        client_secret: client.secret
      }).toString()
    });
    expect(tokens.status, tokens.text).to.equal(200);
    const told = receiver.tokens.length;
    const query = new URLSearchParams({
      id_token_hint: tokens.json.id_token,
      post_logout_redirect_uri: BYE,
      state: 'b'
    });
    const page = await browser.get(`/oauth2/logout?${query}`);
    expect(page.status, page.text.slice(0, 300)).to.equal(200);
    const form: Record<string, string> = { _csrf: hiddenField(page.text, '_csrf') };
    for (const name of ['client_id', 'post_logout_redirect_uri', 'state'])
      if (page.text.includes(`name="${name}"`)) form[name] = hiddenField(page.text, name);
    const done = await browser.post('/oauth2/logout', form);
    expect(done.headers.get('location')).to.equal(`${BYE}?state=b`);
    await receiver.received(told + 1);
    const claims = decodeJwt(receiver.tokens[told]!);
    expect(claims.aud).to.equal(client.id);
    expect(claims.sid).to.be.a('string');
  });

  it('replaces them on update (RFC 7592 §2.2), and clears those the update leaves out', async function () {
    const registered = await register({ post_logout_redirect_uris: [BYE], backchannel_logout_uri: backchannelUri });
    const { registration_client_uri: uri, registration_access_token: rat, client_id: clientId } = registered.json;
    const updated = await send(
      'PUT',
      uri,
      {
        client_id: clientId,
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'client_secret_post',
        scope: 'read',
        post_logout_redirect_uris: ['https://rp.example.com/signed-out']
      },
      rat
    );
    expect(updated.status, updated.text).to.equal(200);
    expect(updated.json.post_logout_redirect_uris).to.deep.equal(['https://rp.example.com/signed-out']);
    expect(updated.json).not.to.have.property('backchannel_logout_uri');
    const app = await appOf(clientId);
    expect(app.postLogoutRedirectUris).to.equal('https://rp.example.com/signed-out');
    expect(app.backchannelLogoutUri ?? '').to.equal('');
  });

  it('refuses, naming the field, what it does not offer and logout URIs it would not use', async function () {
    const refused: Array<[Record<string, unknown>, RegExp]> = [
      [{ id_token_signed_response_alg: 'HS256' }, /id_token_signed_response_alg: 'HS256' is not supported \(RS256\)/],
      [{ id_token_signed_response_alg: 'none' }, /id_token_signed_response_alg/],
      [{ subject_type: 'pairwise' }, /subject_type: 'pairwise' is not supported \(public\)/],
      [{ sector_identifier_uri: 'https://rp.example.com/sector.json' }, /sector_identifier_uri .*pairwise/],
      [{ default_max_age: 60 }, /default_max_age is not supported/],
      [{ userinfo_signed_response_alg: 'HS256' }, /userinfo_signed_response_alg: 'HS256' is not supported \(RS256\)/],
      [{ userinfo_encrypted_response_alg: 'RSA-OAEP' }, /userinfo_encrypted_response_alg is not supported/],
      [{ id_token_encrypted_response_alg: 'RSA-OAEP' }, /id_token_encrypted_response_alg is not supported/],
      [{ request_object_signing_alg: 'RS256' }, /request_object_signing_alg is not registrable/],
      [{ default_acr_values: ['urn:example:loa:4'] }, /default_acr_values is not supported/],
      [{ frontchannel_logout_uri: 'https://rp.example.com/fc' }, /frontchannel_logout_uri is not supported/],
      [{ application_type: 'desktop' }, /application_type: 'desktop' is not supported \(web, native\)/],
      [{ post_logout_redirect_uris: ['http://rp.example.com/bye'] }, /post_logout_redirect_uris\[0\] must use https/],
      [
        { post_logout_redirect_uris: ['https://rp.example.com/bye#x'] },
        /post_logout_redirect_uris\[0\] has a fragment/
      ],
      [{ post_logout_redirect_uris: [42] }, /post_logout_redirect_uris\[0\] must be a non-empty string/],
      [{ post_logout_redirect_uris: 'https://rp.example.com/bye' }, /post_logout_redirect_uris must be array/],
      [{ backchannel_logout_uri: 'https://rp.example.com/bc#x' }, /backchannel_logout_uri must not have a fragment/],
      [{ backchannel_logout_uri: 'javascript:alert(1)' }, /backchannel_logout_uri/],
      [{ backchannel_logout_session_required: 'yes' }, /backchannel_logout_session_required must be boolean/]
    ];
    for (const [metadata, message] of refused) {
      const res = await register(metadata);
      expect(res.status, JSON.stringify(metadata)).to.equal(400);
      expect(res.json.error, JSON.stringify(metadata)).to.equal('invalid_client_metadata');
      expect(res.json.error_description, JSON.stringify(metadata)).to.match(message);
    }
  });
});

describe('OpenID Connect client metadata: a backchannel_logout_uri the gateway would not reach', function () {
  let world: World;
  let token: string;
  before(async function () {
    world = await startOidcWorld({
      settings: { dynamicRegistration: { enabled: true, allowedScopes: ['read'], maxClientsPerOwner: 10 } }
    });
    token = (await registrar(world)).token;
  });
  after(async function () {
    await world?.stop();
  });

  it('refuses at registration one whose host name resolves to no public address (RFC 7591 §3.2.2)', async function () {
    const res = await request(`${world.gateway.url}/oauth2/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({
        redirect_uris: [REDIRECT_URI],
        scope: 'read',
        backchannel_logout_uri: 'https://localhost/backchannel-logout'
      })
    });
    expect(res.status, res.text).to.equal(400);
    expect(res.json.error).to.equal('invalid_client_metadata');
    expect(res.json.error_description).to.match(/^backchannel_logout_uri /);
  });

  it("refuses the requests of an operator's app declaring pairwise subjects, which this server does not give", async function () {
    // Without oidc.pairwiseSecret: telling it the user id would break the promise its subject type makes (Core §8).
    const app = await world.gateway.admin.registerClient(
      { name: 'wants pairwise', userId: world.developer.id, redirectUri: REDIRECT_URI, subjectType: 'pairwise' },
      ['read']
    );
    const browser = new Browser(world.gateway.url);
    const openId = await authorize(browser, world, codeParams(world, { client_id: app.id, scope: 'openid' }));
    expect(openId.status, openId.text.slice(0, 300)).to.equal(302);
    const location = new URL(openId.headers.get('location')!);
    expect(location.searchParams.get('error')).to.equal('unauthorized_client');
    expect(location.searchParams.get('error_description')).to.match(
      /pairwise subjects, which this server does not give/
    );
    // A plain OAuth request too: its access token would carry the user id. Refused before anyone signs in.
    const plain = await browser.get(authorizeUrl(codeParams(world, { client_id: app.id, scope: 'read' })));
    expect(new URL(plain.headers.get('location')!).searchParams.get('error')).to.equal('unauthorized_client');
    // Nor may it start a device authorization the user would approve for nothing.
    const device = await postForm(
      `${world.gateway.url}/oauth2/device_authorization`,
      { scope: 'read' },
      { Authorization: basic(app.id, app.secret) }
    );
    expect(device.status, device.text).to.equal(400);
    expect(device.json.error).to.equal('unauthorized_client');
  });
});

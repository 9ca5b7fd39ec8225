import { expect } from 'chai';
import { createHash } from 'crypto';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { Browser, hiddenField } from '../../support/browser';
import { LogoutReceiver } from '../helpers/logout-receiver';
import { request } from '../../support/http';
import { authorize, codeParams, decide, REDIRECT_URI, TEST_PKCE } from '../helpers/flow';
import { startWorld, World } from '../helpers/world';
import { startOidcWorld } from './oidc-world';

const GRANTS = ['authorization_code', 'implicit', 'refresh_token', 'password', 'client_credentials'];

/** Core §3.1.3.6: base64url of the left half of the SHA-256 of the value (RS256). */
const halfHash = (value: string) => createHash('sha256').update(value).digest().subarray(0, 16).toString('base64url');

/**
 * OpenID Connect's implicit and hybrid response types (Core §3.2, §3.3),
 * with the implicit grant on: ID tokens from the authorization endpoint,
 * in the fragment, bound to the access token and code beside them.
 */
describe('OpenID Connect implicit and hybrid response types', function () {
  let world: World;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  let issuer: string;
  const receiver = new LogoutReceiver();
  before(async function () {
    const backchannel = await receiver.start();
    world = await startOidcWorld({ settings: { grants: GRANTS, clientUrls: { allowPrivateNetworks: true } } });
    await world.gateway.admin.updateApp(world.app.id, { backchannelLogoutUri: backchannel });
    await world.gateway.admin.updateUser(world.user.id, { email: 'alice@example.com' });
    jwks = createRemoteJWKSet(new URL(`${world.gateway.url}/oauth2/jwks`));
    issuer = (await request(`${world.gateway.url}/.well-known/openid-configuration`)).json.issuer;
  });
  after(async function () {
    await world?.stop();
    await receiver.stop();
  });

  /** The fragment's parameters the browser lands with, after signing in and allowing. */
  async function answered(params: Record<string, string>): Promise<URLSearchParams> {
    return answeredWith(new Browser(world.gateway.url), params);
  }

  async function answeredWith(browser: Browser, params: Record<string, string>): Promise<URLSearchParams> {
    const consent = await authorize(browser, world, params);
    const callback =
      consent.status === 200 ? await decide(browser, consent, true) : new URL(consent.headers.get('location')!);
    expect(callback.search, 'nothing in the query').to.equal('');
    return new URLSearchParams(callback.hash.slice(1));
  }

  const implicit = (responseType: string, extra: Record<string, string> = {}) =>
    codeParams(world, {
      response_type: responseType,
      scope: 'openid',
      nonce: 'n-0S6_WzA2Mj',
      code_challenge: '',
      code_challenge_method: '',
      ...extra
    });

  const verified = async (idToken: string) =>
    (await jwtVerify(idToken, jwks, { issuer, audience: world.app.id })).payload as Record<string, unknown>;

  it('lists the response types in discovery', async function () {
    const res = await request(`${world.gateway.url}/.well-known/openid-configuration`);
    expect(res.json.response_types_supported).to.include.members([
      'code',
      'token',
      'id_token',
      'id_token token',
      'code id_token',
      'code token',
      'code id_token token'
    ]);
  });

  it('answers id_token with an ID token alone, carrying the nonce and the claims of the scopes (Core §5.4)', async function () {
    const fragment = await answered(implicit('id_token', { scope: 'openid profile email', state: 's-1' }));
    expect([...fragment.keys()].sort()).to.deep.equal(['id_token', 'iss', 'state']);
    expect(fragment.get('state')).to.equal('s-1');
    const claims = await verified(fragment.get('id_token')!);
    expect(claims).to.include({ sub: world.user.id, nonce: 'n-0S6_WzA2Mj', email: 'alice@example.com' });
    expect(claims).to.include({ preferred_username: world.user.username });
    expect(claims).not.to.have.property('at_hash');
  });

  it('answers id_token token with at_hash binding the access token, which UserInfo takes', async function () {
    const fragment = await answered(implicit('token id_token', { scope: 'openid email' }));
    const accessToken = fragment.get('access_token')!;
    expect(fragment.get('token_type')).to.equal('Bearer');
    expect(Number(fragment.get('expires_in'))).to.be.above(0);
    const claims = await verified(fragment.get('id_token')!);
    expect(claims.at_hash).to.equal(halfHash(accessToken));
    expect(claims).not.to.have.property('email', 'claims of scopes go to UserInfo when an access token is issued');
    const userinfo = await request(`${world.gateway.url}/oauth2/userinfo`, {
      headers: { Authorization: `Bearer ${accessToken}` }
    });
    expect(userinfo.json).to.deep.equal({ sub: world.user.id, email: 'alice@example.com' });
  });

  it('answers code id_token token with c_hash and at_hash, and its code exchanges for an ID token of the same nonce', async function () {
    const fragment = await answered(
      implicit('code id_token token', {
        code_challenge: TEST_PKCE.challenge,
        code_challenge_method: 'S256'
      })
    );
    const code = fragment.get('code')!;
    const claims = await verified(fragment.get('id_token')!);
    expect(claims.c_hash).to.equal(halfHash(code));
    expect(claims.at_hash).to.equal(halfHash(fragment.get('access_token')!));
    const exchanged = await world.token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: TEST_PKCE.verifier
    });
    expect(exchanged.status, exchanged.text).to.equal(200);
    expect((await verified(exchanged.json.id_token)).nonce).to.equal('n-0S6_WzA2Mj');
  });

  it('gives UserInfo the claims an implicit request (response_type token) asked for by the claims parameter', async function () {
    const fragment = await answered(implicit('token', { claims: JSON.stringify({ userinfo: { email: null } }) }));
    const userinfo = await request(`${world.gateway.url}/oauth2/userinfo`, {
      headers: { Authorization: `Bearer ${fragment.get('access_token')}` }
    });
    expect(userinfo.json).to.deep.equal({ sub: world.user.id, email: 'alice@example.com' });
  });

  it('ignores offline_access without a code (Core §11), and a replayed hybrid code revokes the token that came with it', async function () {
    const front = await answered(implicit('id_token token', { scope: 'openid offline_access' }));
    expect(front.get('scope')).to.equal('openid');
    const hybrid = await answered(
      implicit('code token', { code_challenge: TEST_PKCE.challenge, code_challenge_method: 'S256' })
    );
    const exchange = () =>
      world.token({
        grant_type: 'authorization_code',
        code: hybrid.get('code')!,
        redirect_uri: REDIRECT_URI,
        code_verifier: TEST_PKCE.verifier
      });
    expect((await exchange()).status).to.equal(200);
    expect((await world.api(hybrid.get('access_token')!)).status).to.equal(200);
    expect((await exchange()).status, 'the replay').to.equal(400);
    expect((await world.api(hybrid.get('access_token')!)).status, 'the front-channel token of its grant').to.equal(401);
  });

  it('echoes only a state that is text: state[a]=b is no state', async function () {
    const browser = new Browser(world.gateway.url);
    const params = new URLSearchParams(implicit('id_token'));
    params.delete('state');
    params.set('state[a]', 'b');
    const consent = await authorize(browser, world, Object.fromEntries(params));
    const callback = await decide(browser, consent, true);
    const fragment = new URLSearchParams(callback.hash.slice(1));
    expect(fragment.get('id_token')).to.be.a('string');
    expect(fragment.has('state')).to.equal(false);
  });

  it('answers access_denied, issuing nothing, for a user deactivated since signing in', async function () {
    const browser = new Browser(world.gateway.url);
    await answeredWith(browser, implicit('id_token'));
    const grantsOf = async () =>
      (await request(`${world.gateway.adminUrl}/oauth2/users/${world.user.id}/grants?limit=1000`)).json.grants.length;
    const before = await grantsOf();
    await world.gateway.admin.setUserActive(world.user.id, false);
    try {
      const params = {
        ...implicit('code id_token token'),
        code_challenge: TEST_PKCE.challenge,
        code_challenge_method: 'S256'
      };
      const consent = await browser.get(`/oauth2/authorize?${new URLSearchParams(params)}`);
      const callback = await decide(browser, consent, true);
      const fragment = new URLSearchParams(callback.hash.slice(1));
      expect(fragment.get('error'), callback.toString()).to.equal('access_denied');
      expect(fragment.has('access_token') || fragment.has('code') || fragment.has('id_token')).to.equal(false);
    } finally {
      await world.gateway.admin.setUserActive(world.user.id, true);
    }
    expect(await grantsOf(), 'no grant stored for it').to.equal(before);
  });

  it('answers code token with a code and an access token, and the ID token with the code at the token endpoint', async function () {
    const fragment = await answered(
      implicit('code token', { code_challenge: TEST_PKCE.challenge, code_challenge_method: 'S256' })
    );
    expect(fragment.get('code')).to.be.a('string');
    expect(fragment.get('access_token')).to.be.a('string');
    expect(fragment.get('id_token')).to.equal(null);
  });

  it('ends the access token of an id_token token sign-in when the user signs out, and tells the app', async function () {
    const browser = new Browser(world.gateway.url);
    const consent = await authorize(browser, world, implicit('id_token token'));
    const fragment = new URLSearchParams((await decide(browser, consent, true)).hash.slice(1));
    const sid = (await verified(fragment.get('id_token')!)).sid;
    expect(sid).to.be.a('string');
    expect((await world.api(fragment.get('access_token')!)).status).to.equal(200);
    const told = receiver.tokens.length;
    const page = await browser.get('/oauth2/logout');
    await browser.post('/oauth2/logout', { _csrf: hiddenField(page.text, '_csrf') });
    await receiver.received(told + 1);
    expect(decodeJwt(receiver.tokens[told]!).sid).to.equal(sid);
    expect((await world.api(fragment.get('access_token')!)).status).to.equal(401);
  });

  it('ends the token of a plain implicit request with openid (response_type token) when the user signs out', async function () {
    const browser = new Browser(world.gateway.url);
    const fragment = await answeredWith(browser, implicit('token'));
    const token = fragment.get('access_token')!;
    expect((await world.api(token)).status).to.equal(200);
    const page = await browser.get('/oauth2/logout');
    await browser.post('/oauth2/logout', { _csrf: hiddenField(page.text, '_csrf') });
    const started = Date.now();
    while ((await world.api(token)).status !== 401) {
      expect(Date.now() - started, 'refused within a second of the sign-out').to.be.below(1000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it('refuses in the fragment, with state: no nonce, no openid scope, a client that may not use the implicit grant', async function () {
    const refusals: Array<[Record<string, string>, string]> = [
      [implicit('id_token', { nonce: '' }), 'invalid_request'],
      [implicit('id_token token', { scope: 'read' }), 'invalid_request'],
      [implicit('id_token', { response_type: 'id_token id_token' }), 'unsupported_response_type']
    ];
    const nonceless = implicit('id_token');
    delete nonceless.nonce;
    refusals.push([nonceless, 'invalid_request']);
    for (const [params, error] of refusals) {
      const browser = new Browser(world.gateway.url);
      const res = await browser.get(`/oauth2/authorize?${new URLSearchParams({ ...params, state: 'st-x' })}`);
      expect(res.status, JSON.stringify(params)).to.equal(302);
      const location = new URL(res.headers.get('location')!);
      const answer = new URLSearchParams(
        params.response_type === 'id_token id_token' ? location.search.slice(1) : location.hash.slice(1)
      );
      expect(answer.get('error'), JSON.stringify(params)).to.equal(error);
      expect(answer.get('state')).to.equal('st-x');
    }
    const publicApp = await world.gateway.admin.registerClient(
      { name: 'public-spa', userId: world.developer.id, redirectUri: REDIRECT_URI, public: 'true' },
      ['read']
    );
    const res = await new Browser(world.gateway.url).get(
      `/oauth2/authorize?${new URLSearchParams({ ...implicit('id_token'), client_id: publicApp.id })}`
    );
    expect(new URLSearchParams(new URL(res.headers.get('location')!).hash.slice(1)).get('error')).to.equal(
      'unauthorized_client'
    );
  });

  it('is validated by openid-client: the implicit flow (id_token) and the hybrid flow (code id_token)', async function () {
    const config = await oidc.discovery(new URL(world.gateway.url), world.app.id, world.app.secret, undefined, {
      execute: [oidc.allowInsecureRequests]
    });
    oidc.useIdTokenResponseType(config);
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', nonce });
    const browser = new Browser(world.gateway.url);
    const consent = await authorize(browser, world, Object.fromEntries(url.searchParams));
    const callback = await decide(browser, consent, true);
    const claims = await oidc.implicitAuthentication(config, callback, nonce);
    expect(claims.sub).to.equal(world.user.id);

    const hybrid = await oidc.discovery(new URL(world.gateway.url), world.app.id, world.app.secret, undefined, {
      execute: [oidc.allowInsecureRequests]
    });
    oidc.useCodeIdTokenResponseType(hybrid);
    const verifier = oidc.randomPKCECodeVerifier();
    const hybridNonce = oidc.randomNonce();
    const state = oidc.randomState();
    const hybridUrl = oidc.buildAuthorizationUrl(hybrid, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      nonce: hybridNonce,
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256'
    });
    const hybridConsent = await authorize(browser, world, Object.fromEntries(hybridUrl.searchParams));
    const hybridCallback = await decide(browser, hybridConsent, true);
    const tokens = await oidc.authorizationCodeGrant(hybrid, hybridCallback, {
      pkceCodeVerifier: verifier,
      expectedNonce: hybridNonce,
      expectedState: state
    });
    expect(tokens.claims()?.sub).to.equal(world.user.id);
  });
});

describe('OpenID Connect response types with OpenID Connect off', function () {
  let world: World;
  before(async function () {
    world = await startWorld({ settings: { grants: GRANTS } });
  });
  after(async function () {
    await world?.stop();
  });

  it('answers id_token unsupported_response_type, as before', async function () {
    const res = await new Browser(world.gateway.url).get(
      `/oauth2/authorize?${new URLSearchParams(
        codeParams(world, {
          response_type: 'id_token',
          scope: 'read',
          nonce: 'n',
          code_challenge: '',
          code_challenge_method: ''
        })
      )}`
    );
    expect(res.status).to.equal(302);
    const location = new URL(res.headers.get('location')!);
    expect(new URLSearchParams(location.hash.slice(1)).get('error') ?? location.searchParams.get('error')).to.equal(
      'unsupported_response_type'
    );
  });
});

import { expect } from 'chai';
import * as oauth from 'oauth4webapi';
import { Browser } from '../../support/browser';
import { basic, postForm, request } from '../../support/http';
import { authorize, decide, REDIRECT_URI } from '../helpers/flow';
import { startWorld, World } from '../helpers/world';
import { codeRequest } from '../helpers/code-request';
import { signInWithIdToken, startOidcWorld } from '../oidc/oidc-world';

const insecure = { [oauth.allowInsecureRequests]: true };

/** The world's server and confidential client as oauth4webapi sees them. */
function parties(world: World) {
  const as: oauth.AuthorizationServer = {
    issuer: world.gateway.url,
    authorization_endpoint: `${world.gateway.url}/oauth2/authorize`,
    token_endpoint: `${world.gateway.url}/oauth2/token`,
    pushed_authorization_request_endpoint: `${world.gateway.url}/oauth2/par`
  };
  return { as, client: { client_id: world.app.id }, auth: oauth.ClientSecretBasic(world.app.secret) };
}

/** A request pushed by oauth4webapi for the world's client, with its PKCE verifier and state. */
async function push(world: World, extra: Record<string, string> = {}, options: { DPoP?: oauth.DPoPHandle } = {}) {
  const { as, client, auth } = parties(world);
  const { params, verifier, state } = await codeRequest(extra);
  const response = await oauth.pushedAuthorizationRequest(as, client, auth, params, { ...insecure, ...options });
  const pushed = await oauth.processPushedAuthorizationResponse(as, client, response);
  return { ...pushed, verifier, state };
}

/** Raw PAR requests, to send what no client library would. */
const parPost = (world: World, form: Record<string, string>, auth: { id: string; secret: string } = world.app) =>
  postForm(`${world.gateway.url}/oauth2/par`, form, { Authorization: basic(auth.id, auth.secret) });

const validForm = {
  response_type: 'code',
  redirect_uri: REDIRECT_URI,
  scope: 'read',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256'
};

/** RFC 9126 (issue 22 item 3): oauth4webapi pushes authorization requests and completes the flow with the request_uri. */
describe('pushed authorization requests (RFC 9126)', function () {
  this.timeout(60000);
  let world: World;

  before(async function () {
    // An OpenID Provider: a pushed request may be an OpenID Connect one.
    world = await startOidcWorld({
      settings: { dynamicRegistration: { enabled: true, allowedScopes: ['read'] } }
    });
  });
  after(async function () {
    await world?.stop();
  });

  it('lists the PAR endpoint in the metadata (§5)', async function () {
    const metadata = await request(`${world.gateway.url}/.well-known/oauth-authorization-server`);
    expect(metadata.json).to.include({
      pushed_authorization_request_endpoint: `${world.gateway.url}/oauth2/par`,
      require_pushed_authorization_requests: false
    });
  });

  it('takes a pushed request (201, request_uri, expires_in), then its request_uri alone at the authorization endpoint', async function () {
    const { as, client, auth } = parties(world);
    const pushed = await push(world);
    expect(pushed.request_uri).to.match(/^urn:ietf:params:oauth:request_uri:[\w-]{43}$/);
    expect(pushed.expires_in).to.equal(60);
    const browser = new Browser(world.gateway.url);
    // Parameters beside request_uri are not the request (§4): this scope is not granted, this state not echoed.
    const consent = await authorize(browser, world, {
      client_id: world.app.id,
      request_uri: pushed.request_uri,
      scope: 'write',
      state: 'not-the-pushed-one'
    });
    const callback = oauth.validateAuthResponse(as, client, await decide(browser, consent, true), pushed.state);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, auth, callback, REDIRECT_URI, pushed.verifier, insecure)
    );
    expect(tokens.scope).to.equal('read');
    expect((await world.api(tokens.access_token)).status).to.equal(200);

    // Once answered, the request_uri is spent (§4, §7.3).
    const again = await new Browser(world.gateway.url).get(
      `/oauth2/authorize?client_id=${world.app.id}&request_uri=${encodeURIComponent(pushed.request_uri)}`
    );
    expect(again.status).to.equal(400);
    expect(again.text).to.contain('invalid_request_uri');
  });

  it('answers a request_uri once even when its page was opened twice: the second answer is invalid_request_uri', async function () {
    const pushed = await push(world);
    const browser = new Browser(world.gateway.url);
    const params = { client_id: world.app.id, request_uri: pushed.request_uri };
    const first = await authorize(browser, world, params);
    const second = await authorize(browser, world, params);
    const answered = await decide(browser, second, true);
    expect(answered.searchParams.get('code')).to.be.a('string');
    const late = await decide(browser, first, true);
    expect(late.searchParams.get('error')).to.equal('invalid_request_uri');
    expect(late.searchParams.get('state')).to.equal(pushed.state);
    expect(late.searchParams.get('code')).to.equal(null);
  });

  it('shows an error page, never a redirect, for a request_uri that is unknown or another client’s; refuses one it did not give to the client', async function () {
    const pushed = await push(world);
    const other = await world.addClient('another client', ['read']);
    for (const query of [
      `client_id=${other.id}&request_uri=${encodeURIComponent(pushed.request_uri)}`,
      `client_id=${world.app.id}&request_uri=urn:ietf:params:oauth:request_uri:unknown`
    ]) {
      const page = await new Browser(world.gateway.url).get(`/oauth2/authorize?${query}`);
      expect(page.status, query).to.equal(400);
      expect(page.headers.get('location')).to.equal(null);
    }
    const byReference = await new Browser(world.gateway.url).get(
      `/oauth2/authorize?client_id=${world.app.id}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&response_type=code` +
        `&state=s&request_uri=${encodeURIComponent('https://client.example/request.jwt')}`
    );
    expect(byReference.status).to.equal(302);
    expect(new URL(byReference.headers.get('location')!).searchParams.get('error')).to.equal(
      'request_uri_not_supported'
    );
    // The other client's attempt did not spend it.
    const browser = new Browser(world.gateway.url);
    const consent = await authorize(browser, world, { client_id: world.app.id, request_uri: pushed.request_uri });
    expect(consent.status).to.equal(200);
  });

  it('asks a signed-in user to sign in again for a pushed prompt=login or max_age=0, once: that sign-in answers it', async function () {
    const { browser } = await signInWithIdToken(world);
    for (const extra of [{ prompt: 'login' }, { max_age: '0' }] as Array<Record<string, string>>) {
      // auth_time counts whole seconds: a sign-in in the second the request is opened answers it.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const pushed = await push(world, { scope: 'openid read', ...extra });
      const params = { client_id: world.app.id, request_uri: pushed.request_uri };
      const first = await browser.get(`/oauth2/authorize?${new URLSearchParams(params)}`);
      expect(first.status, JSON.stringify(extra)).to.equal(302);
      expect(first.headers.get('location'), JSON.stringify(extra)).to.contain('/oauth2/login');
      // authorize() signs in at the login page and follows the way back: to the consent page, not to the login again.
      const consent = await authorize(browser, world, params);
      const callback = await decide(browser, consent, true);
      expect(callback.searchParams.get('code'), JSON.stringify(extra)).to.be.a('string');
    }
  });

  it('checks a pushed request as the authorization endpoint would, answering 400 JSON (§2.3)', async function () {
    const cases: Array<[string, Record<string, string>, string, RegExp]> = [
      ['a request_uri inside', { ...validForm, request_uri: 'urn:x' }, 'invalid_request', /request_uri/],
      [
        'an unregistered redirect_uri',
        { ...validForm, redirect_uri: 'https://evil.example/cb' },
        'invalid_request',
        /redirect_uri/
      ],
      ['no response_type', { ...validForm, response_type: '' }, 'invalid_request', /response_type/],
      [
        'an unknown response_type',
        { ...validForm, response_type: 'code token' },
        'unsupported_response_type',
        /response type/
      ],
      ['plain PKCE', { ...validForm, code_challenge_method: 'plain' }, 'invalid_request', /code_challenge_method/],
      ['a scope the client does not hold', { ...validForm, scope: 'admin' }, 'invalid_scope', /scope/],
      ['a malformed dpop_jkt', { ...validForm, dpop_jkt: 'x' }, 'invalid_request', /dpop_jkt/]
    ];
    for (const [what, form, error, description] of cases) {
      const answer = await parPost(world, form);
      expect(answer.status, what).to.equal(400);
      expect(answer.json.error, what).to.equal(error);
      expect(answer.json.error_description, what).to.match(description);
      expect(answer.headers.get('cache-control'), what).to.contain('no-store');
    }
    const wrongSecret = await parPost(world, validForm, { ...world.app, secret: 'wrong' });
    expect(wrongSecret.status).to.equal(401);
    expect(wrongSecret.json.error).to.equal('invalid_client');
    const get = await request(`${world.gateway.url}/oauth2/par`);
    expect(get.status).to.equal(405);
  });

  it('binds the code to the key of a DPoP proof sent with the push, and refuses a dpop_jkt naming another (RFC 9449 §10.1)', async function () {
    const { as, client, auth } = parties(world);
    const DPoP = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const other = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const mismatch = await push(world, { dpop_jkt: await other.calculateThumbprint() }, { DPoP }).catch(
      (err: unknown) => err
    );
    expect(mismatch).to.be.instanceOf(oauth.ResponseBodyError);
    expect((mismatch as oauth.ResponseBodyError).error).to.equal('invalid_dpop_proof');

    const pushed = await push(world, {}, { DPoP });
    const browser = new Browser(world.gateway.url);
    const consent = await authorize(browser, world, { client_id: world.app.id, request_uri: pushed.request_uri });
    const callback = oauth.validateAuthResponse(as, client, await decide(browser, consent, true), pushed.state);
    const exchange = (key: oauth.DPoPHandle) =>
      oauth.authorizationCodeGrantRequest(as, client, auth, callback, REDIRECT_URI, pushed.verifier, {
        DPoP: key,
        ...insecure
      });
    const stolen = await exchange(other);
    expect(stolen.status).to.equal(400);
    expect(((await stolen.json()) as { error: string }).error).to.equal('invalid_dpop_proof');
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, await exchange(DPoP));
    expect(tokens.token_type).to.equal('dpop');
  });

  it('refuses an unpushed request of an app whose requirePushedAuthorizationRequests is "true" (§6)', async function () {
    const strict = await world.addClient('pushes only', ['read']);
    await world.gateway.admin.updateApp(strict.id, { requirePushedAuthorizationRequests: 'true' });
    const reply = await authorize(new Browser(world.gateway.url), world, {
      ...validForm,
      client_id: strict.id,
      state: 'xyz'
    });
    expect(reply.status).to.equal(302);
    const location = new URL(reply.headers.get('location')!);
    expect(location.searchParams.get('error')).to.equal('invalid_request');
    expect(location.searchParams.get('state')).to.equal('xyz');
    const pushed = await parPost(world, validForm, strict);
    expect(pushed.status, pushed.text).to.equal(201);

    // RFC 7591 metadata require_pushed_authorization_requests sets the property.
    const initial = await request(`${world.gateway.adminUrl}/oauth2/registration-tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ owner: world.user.username })
    });
    const registered = await request(`${world.gateway.url}/oauth2/register`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${initial.json.initial_access_token}`
      },
      body: JSON.stringify({
        redirect_uris: [REDIRECT_URI],
        scope: 'read',
        require_pushed_authorization_requests: true
      })
    });
    expect(registered.status, registered.text).to.equal(201);
    expect(registered.json.require_pushed_authorization_requests).to.equal(true);
    const dynamicReply = await authorize(new Browser(world.gateway.url), world, {
      ...validForm,
      client_id: registered.json.client_id,
      state: 'xyz'
    });
    expect(new URL(dynamicReply.headers.get('location')!).searchParams.get('error')).to.equal('invalid_request');
  });
});

describe('pushed authorization requests required (par.required, par.ttl)', function () {
  this.timeout(60000);
  let world: World;

  before(async function () {
    world = await startWorld({ settings: { par: { required: true, ttl: 5 }, consent: { remember: false } } });
  });
  after(async function () {
    await world?.stop();
  });

  it('says so in the metadata, refuses a request that was not pushed, and lets a request_uri expire unopened after par.ttl', async function () {
    const metadata = await request(`${world.gateway.url}/.well-known/oauth-authorization-server`);
    expect(metadata.json.require_pushed_authorization_requests).to.equal(true);
    const unpushed = await authorize(new Browser(world.gateway.url), world, {
      ...validForm,
      client_id: world.app.id,
      state: 's'
    });
    expect(new URL(unpushed.headers.get('location')!).searchParams.get('error')).to.equal('invalid_request');

    const pushed = await push(world);
    expect(pushed.expires_in).to.equal(5);

    // Opened in time, a request lasts while its user signs in and decides; answered, it stays answered.
    const browser = new Browser(world.gateway.url);
    const answered = await push(world);
    const answeredParams = { client_id: world.app.id, request_uri: answered.request_uri };
    const tabA = await authorize(browser, world, answeredParams);
    const tabB = await authorize(browser, world, answeredParams);
    expect((await decide(browser, tabA, true)).searchParams.get('code')).to.be.a('string');
    const slow = await push(world);
    const slowParams = { client_id: world.app.id, request_uri: slow.request_uri };
    const visitor = new Browser(world.gateway.url);
    const toLogin = await visitor.get(`/oauth2/authorize?${new URLSearchParams(slowParams)}`);
    expect(toLogin.headers.get('location')).to.contain('/oauth2/login');

    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect((await decide(browser, tabB, true)).searchParams.get('error')).to.equal('invalid_request_uri');
    const late = await authorize(visitor, world, slowParams);
    expect((await decide(visitor, late, true)).searchParams.get('code')).to.be.a('string');
    const page = await new Browser(world.gateway.url).get(
      `/oauth2/authorize?client_id=${world.app.id}&request_uri=${encodeURIComponent(pushed.request_uri)}`
    );
    expect(page.status).to.equal(400);
    expect(page.text).to.contain('invalid_request_uri');
  });
});

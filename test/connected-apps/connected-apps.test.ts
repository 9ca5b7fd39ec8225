import { expect } from 'chai';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { Browser, hiddenField } from '../../support/browser';
import { postForm } from '../../support/http';
import { authorize, authorizeUrl, codeParams, decide, REDIRECT_URI, signIn, TEST_PKCE } from '../helpers/flow';
import { approveDevice } from '../helpers/device';
import { LogoutReceiver } from '../helpers/logout-receiver';
import { startWorld, World } from '../helpers/world';
import { startOidcWorld } from '../oidc/oidc-world';

const PAGE = '/oauth2/connected-apps';

/** The part of the page about one app. */
function appSection(html: string, appId: string): string | undefined {
  const start = html.indexOf(`data-client-id="${appId}"`);
  if (start < 0) return undefined;
  const next = html.indexOf('<li class="app"', start);
  return html.slice(start, next < 0 ? undefined : next);
}

/** Signs in through the code flow for `client` (the world's app by default); returns the browser and the tokens. */
async function grantThroughCodeFlow(
  world: World,
  {
    browser = new Browser(world.gateway.url),
    client = world.app as { id: string; secret: string },
    scope = 'read'
  } = {}
) {
  const consent = await authorize(browser, world, codeParams(world, { client_id: client.id, scope }));
  const callback =
    consent.status === 200 ? await decide(browser, consent, true) : new URL(consent.headers.get('location')!);
  const res = await world.token(
    {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: REDIRECT_URI,
      code_verifier: TEST_PKCE.verifier
    },
    client
  );
  expect(res.status, res.text).to.equal(200);
  return { browser, tokens: res.json as { access_token: string; refresh_token: string; id_token?: string } };
}

async function revokeOnPage(browser: Browser, appId: string) {
  const page = await browser.get(PAGE);
  return browser.post(`${PAGE}/${encodeURIComponent(appId)}/revoke`, { _csrf: hiddenField(page.text, '_csrf') });
}

/** Issue 20, item 10: a signed-in user sees the apps they gave access to, and takes it back. */
describe('"Connected apps" page', function () {
  let world: World;
  before(async function () {
    world = await startWorld();
  });
  after(async function () {
    await world?.stop();
  });

  it('sends a visitor to sign in first, and back to the page after', async function () {
    const browser = new Browser(world.gateway.url);
    const first = await browser.get(PAGE);
    expect(first.status).to.equal(303);
    const login = new URL(first.headers.get('location')!, world.gateway.url);
    expect(login.pathname).to.equal('/oauth2/login');
    expect(login.searchParams.get('return_to')).to.equal(PAGE);
    const signedIn = await signIn(browser, world, { ...first, status: 302 });
    expect(signedIn.headers.get('location')).to.equal(PAGE);
    const page = await browser.get(PAGE);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Connected apps');
  });

  it('lists each app the user gave access to, with who registered it, its scopes, when allowed and last given a token', async function () {
    const before = Math.floor(Date.now() / 1000);
    const { browser } = await grantThroughCodeFlow(world, { scope: 'read write' });
    const page = await browser.get(PAGE);
    expect(page.status).to.equal(200);
    const section = appSection(page.text, world.app.id);
    expect(section, 'the app is listed').to.be.a('string');
    expect(section).to.contain(world.app.name).and.to.contain('the operator of this service');
    expect(section).to.contain('<code>read</code>').and.to.contain('<code>write</code>');
    const times = [...section!.matchAll(/<time datetime="([^"]+)"/g)].map((m) => Date.parse(m[1]!) / 1000);
    expect(times).to.have.length(2);
    for (const time of times) expect(time).to.be.within(before - 60, before + 60);
  });

  it('takes the access of an app back: its access and refresh tokens stop, and it must ask again', async function () {
    const { browser, tokens } = await grantThroughCodeFlow(world);
    const password = (
      await world.token({ grant_type: 'password', username: world.user.username, password: world.user.password })
    ).json;
    const other = await world.addClient('still-connected', ['read']);
    const kept = await grantThroughCodeFlow(world, { browser, client: other });
    expect((await world.api(tokens.access_token)).status).to.equal(200);

    const revoked = await revokeOnPage(browser, world.app.id);
    expect(revoked.status).to.equal(303);
    expect(revoked.headers.get('location')).to.equal(PAGE);

    expect((await world.api(tokens.access_token)).status, 'code grant access token').to.equal(401);
    expect((await world.api(password.access_token)).status, 'password grant access token').to.equal(401);
    const refreshed = await world.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refreshed.status).to.equal(400);
    expect(refreshed.json.error).to.equal('invalid_grant');
    const again = await browser.get(authorizeUrl(codeParams(world, { scope: 'read' })));
    expect(again.status, 'the consent page, not a redirect with a code').to.equal(200);
    expect(again.text).to.contain('Allow access?');

    expect((await world.api(kept.tokens.access_token)).status, "another app's token").to.equal(200);
    const page = await browser.get(PAGE);
    expect(appSection(page.text, world.app.id), 'the app is gone from the list').to.equal(undefined);
    expect(appSection(page.text, other.id), 'the other app stays').to.be.a('string');
    expect(page.text).to.contain(`<strong>${world.app.name}</strong> no longer has access`);
    expect((await browser.get(PAGE)).text, 'said once').not.to.contain('no longer has access');
  });

  it('refuses a code issued before the revocation, whose grant was not there to revoke; a code of a new consent works', async function () {
    const { browser } = await grantThroughCodeFlow(world);
    const pending = await browser.get(authorizeUrl(codeParams(world, { scope: 'read' })));
    expect(pending.status, 'consent remembered: a code at once').to.equal(302);
    const code = new URL(pending.headers.get('location')!).searchParams.get('code')!;
    expect((await revokeOnPage(browser, world.app.id)).status).to.equal(303);
    const exchange = (value: string) =>
      world.token({
        grant_type: 'authorization_code',
        code: value,
        redirect_uri: REDIRECT_URI,
        code_verifier: TEST_PKCE.verifier
      });
    const refused = await exchange(code);
    expect(refused.status, refused.text).to.equal(400);
    expect(refused.json.error).to.equal('invalid_grant');
    expect(refused.json.error_description).to.match(/revoked this application's access/);
    const again = await decide(browser, await browser.get(authorizeUrl(codeParams(world, { scope: 'read' }))), true);
    expect((await exchange(again.searchParams.get('code')!)).status, 'a code of the new consent').to.equal(200);
  });

  it('refuses the poll of a device code approved before the revocation', async function () {
    const tv = await world.gateway.admin.registerClient(
      { name: 'Connected TV', userId: world.developer.id, public: 'true' },
      ['read']
    );
    const browser = new Browser(world.gateway.url);
    const deviceFlow = async () => {
      const device = (await postForm(`${world.gateway.url}/oauth2/device_authorization`, { client_id: tv.id })).json;
      await approveDevice(world, browser, device.verification_uri_complete, true);
      return () =>
        postForm(`${world.gateway.url}/oauth2/token`, {
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          device_code: device.device_code,
          client_id: tv.id
        });
    };
    expect((await (await deviceFlow())()).status, 'a first device grant: the TV is connected').to.equal(200);
    const approvedBefore = await deviceFlow();
    expect((await revokeOnPage(browser, tv.id)).status).to.equal(303);
    const polled = await approvedBefore();
    expect(polled.status, polled.text).to.equal(400);
    expect(polled.json.error).to.equal('invalid_grant');
  });

  it("leaves another user's grants to the same app alone", async function () {
    const bob = await world.gateway.admin.createUser({ username: 'bob-connected', firstname: 'Bob', lastname: 'O' });
    await world.gateway.admin.createCredential(bob.id, 'basic-auth', {
      password: 'bob-password-1',
      autoGeneratePassword: false
    });
    const bobs = (await world.token({ grant_type: 'password', username: bob.username, password: 'bob-password-1' }))
      .json;
    const { browser } = await grantThroughCodeFlow(world);
    expect((await revokeOnPage(browser, world.app.id)).status).to.equal(303);
    expect((await world.api(bobs.access_token)).status).to.equal(200);
  });

  it('lists an app that holds only a remembered consent, and forgets the consent on revocation', async function () {
    const { browser, tokens } = await grantThroughCodeFlow(world);
    const revoke = await postForm(
      `${world.gateway.url}/oauth2/revoke`,
      { token: tokens.refresh_token },
      { Authorization: `Basic ${Buffer.from(`${world.app.id}:${world.app.secret}`).toString('base64')}` }
    );
    expect(revoke.status).to.equal(200);
    const page = await browser.get(PAGE);
    expect(appSection(page.text, world.app.id)).to.contain('your consent is remembered');
    const skipped = await browser.get(authorizeUrl(codeParams(world, { scope: 'read' })));
    expect(skipped.status, 'consent remembered: straight back with a code').to.equal(302);

    expect((await revokeOnPage(browser, world.app.id)).status).to.equal(303);
    const asked = await browser.get(authorizeUrl(codeParams(world, { scope: 'read' })));
    expect(asked.status).to.equal(200);
    expect(asked.text).to.contain('Allow access?');
  });

  it('refuses a revocation without its CSRF token, and the app keeps its access', async function () {
    const { browser, tokens } = await grantThroughCodeFlow(world);
    const forged = await browser.post(`${PAGE}/${world.app.id}/revoke`, {});
    expect(forged.status).to.equal(403);
    const wrong = await browser.post(`${PAGE}/${world.app.id}/revoke`, { _csrf: 'not-the-token' });
    expect(wrong.status).to.equal(403);
    expect((await world.api(tokens.access_token)).status).to.equal(200);
  });

  it('answers 404 for an app the user gave nothing, whether or not it exists', async function () {
    const { browser } = await grantThroughCodeFlow(world);
    const stranger = await world.addClient('never-connected', ['read']);
    for (const appId of [stranger.id, 'no-such-app', '%00..%2F']) {
      const page = await browser.get(PAGE);
      const res = await browser.post(`${PAGE}/${appId}/revoke`, { _csrf: hiddenField(page.text, '_csrf') });
      expect(res.status, appId).to.equal(404);
      expect(res.text).to.contain('no such application among those connected to you');
    }
  });

  it("shows an app's name as text, whatever it holds", async function () {
    const hostile = await world.addClient('<img src=x onerror=alert(1)>', ['read']);
    const { browser } = await grantThroughCodeFlow(world, { client: hostile });
    const page = await browser.get(PAGE);
    const section = appSection(page.text, hostile.id);
    expect(section).to.contain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.text).not.to.contain('<img src=x');
  });
});

/** With OpenID Connect on: the claims each app can see, and the app told by back-channel logout. */
describe('"Connected apps" page with OpenID Connect', function () {
  let world: World;
  const receiver = new LogoutReceiver();
  let receiverUri: Promise<string>;
  before(async function () {
    receiverUri = receiver.start();
    const uri = await receiverUri;
    world = await startOidcWorld({ settings: { clientUrls: { allowPrivateNetworks: true } } });
    await world.gateway.admin.updateApp(world.app.id, { backchannelLogoutUri: uri });
  });
  after(async function () {
    await world?.stop();
    await receiver.stop();
  });

  it('names the claims an app can see', async function () {
    const { browser } = await grantThroughCodeFlow(world, { scope: 'openid profile email' });
    const section = appSection((await browser.get(PAGE)).text, world.app.id);
    expect(section).to.contain('Can see');
    expect(section)
      .to.match(/preferred_username/)
      .and.to.match(/email/);
  });

  it('tells only an app the user signed in to (an openid grant or consent), not one given API access alone', async function () {
    const apiOnly = await world.addClient('api-only', ['read']);
    await world.gateway.admin.updateApp(apiOnly.id, { backchannelLogoutUri: await receiverUri });
    const { browser } = await grantThroughCodeFlow(world, { client: apiOnly, scope: 'read' });
    await grantThroughCodeFlow(world, { browser, scope: 'openid' });
    const told = receiver.tokens.length;
    expect((await revokeOnPage(browser, apiOnly.id)).status).to.equal(303);
    expect((await revokeOnPage(browser, world.app.id)).status).to.equal(303);
    await receiver.received(told + 1);
    const audiences = receiver.tokens.slice(told).map((token) => decodeJwt(token).aud);
    expect(audiences).to.deep.equal([world.app.id]);
  });

  it('tells the app by back-channel logout that every session of the user there ends: a token naming the user, no sign-in', async function () {
    const { browser } = await grantThroughCodeFlow(world, { scope: 'openid' });
    const told = receiver.tokens.length;
    expect((await revokeOnPage(browser, world.app.id)).status).to.equal(303);
    await receiver.received(told + 1);
    const jwks = createRemoteJWKSet(new URL(`${world.gateway.url}/oauth2/jwks`));
    const { payload, protectedHeader } = await jwtVerify(receiver.tokens[told]!, jwks, { audience: world.app.id });
    expect(protectedHeader.typ).to.equal('logout+jwt');
    expect(payload.sub).to.equal(world.user.id);
    expect(payload).not.to.have.property('sid');
    expect(payload.events).to.have.property('http://schemas.openid.net/event/backchannel-logout');
  });
});

import { expect } from 'chai';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { Browser, hiddenField, signInForm } from '../../support/browser';
import { authorize, codeParams, decide, REDIRECT_URI, TEST_PKCE } from '../helpers/flow';
import { LogoutReceiver } from '../helpers/logout-receiver';
import type { World } from '../helpers/world';
import { signInWithIdToken, startOidcWorld } from './oidc-world';

/** OpenID Connect Back-Channel Logout 1.0: a user's sign-out is POSTed to the apps the sign-in gave ID tokens to. */
describe('OpenID Connect back-channel logout', function () {
  let world: World;
  const receiver = new LogoutReceiver();
  before(async function () {
    const uri = await receiver.start();
    world = await startOidcWorld({ settings: { clientUrls: { allowPrivateNetworks: true } } });
    await world.gateway.admin.updateApp(world.app.id, { backchannelLogoutUri: uri });
  });
  after(async function () {
    await world?.stop();
    await receiver.stop();
  });

  const signedIn = () => signInWithIdToken(world);

  async function exchange(code: string) {
    const res = await world.token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: TEST_PKCE.verifier
    });
    expect(res.status, res.text).to.equal(200);
    return res.json;
  }

  async function signOut(browser: Browser) {
    const page = await browser.get('/oauth2/logout');
    return browser.post('/oauth2/logout', { _csrf: hiddenField(page.text, '_csrf') });
  }

  it('is announced in the discovery document', async function () {
    const res = await new Browser(world.gateway.url).get('/.well-known/openid-configuration');
    expect(res.json).to.include({ backchannel_logout_supported: true, backchannel_logout_session_supported: true });
  });

  it("sends the app a signed logout token naming the user and the ID token's sign-in when the user signs out", async function () {
    const { browser, idToken } = await signedIn();
    const { sid, sub } = decodeJwt(idToken);
    expect(sid).to.be.a('string');
    const before = receiver.tokens.length;
    expect((await signOut(browser)).status).to.equal(200);
    await receiver.received(before + 1);
    const token = receiver.tokens[before]!;
    expect(decodeProtectedHeader(token).typ).to.equal('logout+jwt');
    const jwks = createRemoteJWKSet(new URL(`${world.gateway.url}/oauth2/jwks`));
    const { payload } = await jwtVerify(token, jwks, { issuer: world.gateway.url, audience: world.app.id });
    expect(payload).to.include({ sid, sub });
    expect(payload.events).to.deep.equal({ 'http://schemas.openid.net/event/backchannel-logout': {} });
    expect(payload.jti).to.be.a('string');
    expect(payload, 'Back-Channel Logout §2.4: never a nonce').not.to.have.property('nonce');
    // A logout token is no ID token: it cannot serve as an id_token_hint.
    const hinted = await browser.get(`/oauth2/logout?id_token_hint=${token}`);
    expect(hinted.status).to.equal(400);
  });

  it('never makes the user wait for the app, and retries until the app answers 200', async function () {
    const { browser } = await signedIn();
    const before = receiver.tokens.length;
    receiver.answers = [503, 'hold'];
    const done = await signOut(browser);
    expect(done.status, 'the sign-out answered before the app did').to.equal(200);
    await receiver.received(before + 2); // the first attempt got 503, the second is held
    const [first, retry] = [receiver.tokens[before]!, receiver.tokens[before + 1]!].map((token) => decodeJwt(token));
    expect(retry!.sid).to.equal(first!.sid);
    expect(retry!.jti, 'signed afresh for each attempt').not.to.equal(first!.jti);
    receiver.release();
  });

  it('tells nobody of a sign-out whose sign-in gave the app no ID token', async function () {
    const browser = new Browser(world.gateway.url);
    const callback = await decide(browser, await authorize(browser, world, codeParams(world, { scope: 'read' })), true);
    expect(callback.searchParams.get('code')).to.be.a('string');
    const before = receiver.tokens.length;
    await signOut(browser);
    // Another sign-in's logout reaches the receiver after it: the plain OAuth one sent nothing before.
    const { browser: second } = await signedIn();
    await signOut(second);
    await receiver.received(before + 1);
    expect(receiver.tokens.length).to.equal(before + 1);
    expect(decodeJwt(receiver.tokens[before]!).sid).not.to.equal(undefined);
  });

  it("ends the sign-in's grants: the app's tokens stop working and a code issued before is refused", async function () {
    const browser = new Browser(world.gateway.url);
    const params = codeParams(world, { scope: 'openid' });
    const first = await decide(browser, await authorize(browser, world, params), true);
    const tokens = await exchange(first.searchParams.get('code')!);
    const pending = await decide(browser, await authorize(browser, world, params), true);
    const before = receiver.tokens.length;
    await signOut(browser);
    await receiver.received(before + 1);
    expect((await world.api(tokens.access_token)).status).to.equal(401);
    const refreshed = await world.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refreshed.json.error).to.equal('invalid_grant');
    const late = await world.token({
      grant_type: 'authorization_code',
      code: pending.searchParams.get('code')!,
      redirect_uri: REDIRECT_URI,
      code_verifier: TEST_PKCE.verifier
    });
    expect(late.status).to.equal(400);
    expect(late.json.error).to.equal('invalid_grant');
  });

  it('leaves a grant given offline_access (Core §11) working after the sign-out, and still tells its app', async function () {
    const browser = new Browser(world.gateway.url);
    const params = codeParams(world, { scope: 'openid offline_access' });
    const consent = await authorize(browser, world, params);
    expect(consent.text).to.include('Keep this access after you sign out, until you revoke it');
    const tokens = await exchange((await decide(browser, consent, true)).searchParams.get('code')!);
    expect(tokens.scope).to.equal('openid offline_access');
    const before = receiver.tokens.length;
    await signOut(browser);
    await receiver.received(before + 1);
    const refreshed = await world.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refreshed.status, refreshed.text).to.equal(200);
  });

  it('keeps the sign-in of a user who signs in again (its refreshes carry its sid), and ends it when another user signs in', async function () {
    const { browser, idToken } = await signedIn();
    const { sid } = decodeJwt(idToken);
    // prompt=login: the helper signs the same user in again on the way.
    const consent = await authorize(browser, world, codeParams(world, { scope: 'openid', prompt: 'login' }));
    const callback = await decide(browser, consent, true);
    const tokens = await exchange(callback.searchParams.get('code')!);
    expect(decodeJwt(tokens.id_token).sid, 'the same sign-in').to.equal(sid);
    const refreshed = await world.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(decodeJwt(refreshed.json.id_token).sid).to.equal(sid);

    const bob = await world.gateway.admin.createUser({ username: 'bob-bc', firstname: 'Bob', lastname: 'Other' });
    await world.gateway.admin.createCredential(bob.id, 'basic-auth', {
      password: 'bob-password-1',
      autoGeneratePassword: false
    });
    const before = receiver.tokens.length;
    const page = await browser.get(`/oauth2/login?prompt=login&return_to=${encodeURIComponent('/oauth2/logout')}`);
    await browser.post('/oauth2/login', signInForm(page, 'bob-bc', 'bob-password-1'));
    await receiver.received(before + 1);
    expect(decodeJwt(receiver.tokens[before]!)).to.include({ sid, sub: world.user.id });
  });

  it('does not retry a logout token the app refused as such (400)', async function () {
    const { browser } = await signedIn();
    const before = receiver.tokens.length;
    receiver.answers = [400];
    await signOut(browser);
    await receiver.received(before + 1);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // past the first retry's delay
    expect(receiver.tokens.length).to.equal(before + 1);
  });
});

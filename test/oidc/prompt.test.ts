import { expect } from 'chai';
import { Browser, signInForm } from '../../support/browser';
import type { Reply } from '../../support/http';
import { authorize, authorizeUrl, codeParams, decide, REDIRECT_URI, TEST_PKCE } from '../helpers/flow';
import type { World } from '../helpers/world';
import { startOidcWorld } from './oidc-world';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** OpenID Connect Core §3.1.2.1 prompt and max_age, answered as §3.1.2.6 says; consent remembered here. */
describe('OpenID Connect prompt and max_age', function () {
  let world: World;
  before(async function () {
    world = await startOidcWorld({ settings: { consent: { remember: true } } });
  });
  after(async function () {
    await world?.stop();
  });

  const openid = (extra: Record<string, string> = {}) => codeParams(world, { scope: 'openid', ...extra });

  /** The client's callback a redirect goes to, or a failure naming where it went instead. */
  function callbackOf(res: Reply): URL {
    expect(res.status, res.text.slice(0, 300)).to.equal(302);
    const location = new URL(res.headers.get('location')!, world.gateway.url);
    expect(location.origin + location.pathname, 'redirected to the client').to.equal(REDIRECT_URI);
    return location;
  }

  async function authTimeOf(callback: URL): Promise<number> {
    const res = await world.token({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: REDIRECT_URI,
      code_verifier: TEST_PKCE.verifier
    });
    expect(res.status, res.text).to.equal(200);
    return JSON.parse(Buffer.from(res.json.id_token.split('.')[1], 'base64url').toString()).auth_time;
  }

  /** A browser signed in, with consent to openid given (and remembered); the auth_time of that sign-in. */
  async function signedInWithConsent(): Promise<{ browser: Browser; authTime: number }> {
    const browser = new Browser(world.gateway.url);
    const reply = await authorize(browser, world, openid());
    const callback = reply.status === 200 ? await decide(browser, reply, true) : callbackOf(reply);
    return { browser, authTime: await authTimeOf(callback) };
  }

  /** Follows a redirect to the login page, signs in there, and follows on to wherever the gateway stops. */
  async function signInAgain(browser: Browser, toLogin: Reply): Promise<Reply> {
    expect(toLogin.status).to.equal(302);
    const login = await browser.get(toLogin.headers.get('location')!);
    expect(login.status).to.equal(200);
    expect(login.text, 'the sign-in form, though signed in').to.include('name="password"');
    const signedIn = await browser.post('/oauth2/login', signInForm(login, world.user.username, world.user.password));
    return browser.follow(signedIn);
  }

  it('answers prompt=none login_required to the client when nobody is signed in', async function () {
    const browser = new Browser(world.gateway.url);
    const callback = callbackOf(await browser.get(authorizeUrl(openid({ prompt: 'none' }))));
    expect(callback.searchParams.get('error')).to.equal('login_required');
    expect(callback.searchParams.get('state')).to.equal('st-123');
  });

  it('answers prompt=none consent_required when the user is signed in but never consented to the client', async function () {
    const { browser } = await signedInWithConsent();
    const other = await world.addClient('never-consented', ['read']);
    const callback = callbackOf(await browser.get(authorizeUrl(openid({ prompt: 'none', client_id: other.id }))));
    expect(callback.searchParams.get('error')).to.equal('consent_required');
  });

  it('answers prompt=none with a code, and the same auth_time, when signed in with consent remembered', async function () {
    const { browser, authTime } = await signedInWithConsent();
    const callback = callbackOf(await browser.get(authorizeUrl(openid({ prompt: 'none', max_age: '10000' }))));
    expect(callback.searchParams.get('error')).to.equal(null);
    expect(await authTimeOf(callback)).to.equal(authTime);
  });

  it('asks a signed-in user to sign in again for prompt=login, then answers with a later auth_time', async function () {
    const { browser, authTime } = await signedInWithConsent();
    await sleep(1100);
    const answered = await signInAgain(browser, await browser.get(authorizeUrl(openid({ prompt: 'login' }))));
    expect(await authTimeOf(callbackOf(answered))).to.be.greaterThan(authTime);
  });

  it('asks for a new sign-in once max_age has passed, then answers without asking again', async function () {
    const { browser, authTime } = await signedInWithConsent();
    await sleep(2100);
    const answered = await signInAgain(browser, await browser.get(authorizeUrl(openid({ max_age: '1' }))));
    expect(await authTimeOf(callbackOf(answered))).to.be.greaterThan(authTime);
  });

  it('answers prompt=none with max_age passed login_required', async function () {
    const { browser } = await signedInWithConsent();
    await sleep(1100);
    const callback = callbackOf(await browser.get(authorizeUrl(openid({ prompt: 'none', max_age: '0' }))));
    expect(callback.searchParams.get('error')).to.equal('login_required');
  });

  it('answers no request of a session asked to sign in again until the user has (the stripped request opened by hand)', async function () {
    const { browser } = await signedInWithConsent();
    const toLogin = await browser.get(authorizeUrl(openid({ prompt: 'login', state: 'a?b' })));
    const login = new URL(toLogin.headers.get('location')!, world.gateway.url);
    const returnTo = login.searchParams.get('return_to')!;
    expect(new URL(returnTo, world.gateway.url).searchParams.get('state'), 'the whole request comes back').to.equal(
      'a?b'
    );
    // Whoever is at the keyboard skips the sign-in form and opens the request it would come back to.
    const skipped = await browser.get(returnTo);
    expect(skipped.status).to.equal(302);
    expect(new URL(skipped.headers.get('location')!, world.gateway.url).pathname).to.equal('/oauth2/login');
    const silent = callbackOf(await browser.get(authorizeUrl(openid({ prompt: 'none' }))));
    expect(silent.searchParams.get('error')).to.equal('login_required');
    callbackOf(await signInAgain(browser, skipped));
  });

  it('follows an id_token_hint: another user signed in must sign in again, or is login_required with prompt=none', async function () {
    const { browser } = await signedInWithConsent();
    const hint = (
      await world.token({
        grant_type: 'password',
        username: world.user.username,
        password: world.user.password,
        scope: 'openid'
      })
    ).json.id_token;
    callbackOf(await browser.get(authorizeUrl(openid({ prompt: 'none', id_token_hint: hint }))));
    const forged = `${hint.split('.').slice(0, 2).join('.')}.${Buffer.from('not the signature').toString('base64url')}`;
    const refused = callbackOf(await browser.get(authorizeUrl(openid({ id_token_hint: forged }))));
    expect(refused.searchParams.get('error')).to.equal('invalid_request');
    const otherUser = await world.gateway.admin.createUser({ username: 'bob', firstname: 'Bob', lastname: 'Other' });
    await world.gateway.admin.createCredential(otherUser.id, 'basic-auth', {
      password: 'bob-password-1',
      autoGeneratePassword: false
    });
    const bobs = (
      await world.token({
        grant_type: 'password',
        username: 'bob',
        password: 'bob-password-1',
        scope: 'openid'
      })
    ).json.id_token;
    const silent = callbackOf(await browser.get(authorizeUrl(openid({ prompt: 'none', id_token_hint: bobs }))));
    expect(silent.searchParams.get('error')).to.equal('login_required');
    const toLogin = await browser.get(authorizeUrl(openid({ id_token_hint: bobs })));
    expect(new URL(toLogin.headers.get('location')!, world.gateway.url).pathname).to.equal('/oauth2/login');
  });

  it('fills the sign-in form with the login_hint', async function () {
    const browser = new Browser(world.gateway.url);
    const toLogin = await browser.get(authorizeUrl(openid({ login_hint: 'buffy@example.com' })));
    const login = await browser.get(toLogin.headers.get('location')!);
    expect(login.text).to.match(
      /name="username"[^>]*value="buffy@example.com"|value="buffy@example.com"[^>]*name="username"/
    );
  });

  it('refuses an OpenID Connect request without redirect_uri on an error page (Core §3.1.2.1)', async function () {
    const browser = new Browser(world.gateway.url);
    const { redirect_uri: _left, ...params } = openid();
    const res = await browser.get(authorizeUrl(params));
    expect(res.status).to.equal(400);
    expect(res.text).to.include('must name its redirect_uri');
  });

  it('signs a user who is not signed in in once for prompt=login, not in a loop', async function () {
    const browser = new Browser(world.gateway.url);
    const consentOrCode = await authorize(browser, world, openid({ prompt: 'login' }));
    callbackOf(consentOrCode); // consent to openid is remembered from the tests before
  });

  it('shows the consent page for prompt=consent though consent is remembered', async function () {
    const { browser } = await signedInWithConsent();
    const page = await browser.get(authorizeUrl(openid({ prompt: 'consent' })));
    expect(page.status).to.equal(200);
    expect(page.text).to.include('name="transaction_id"');
    // The consent page names the claims each identity scope would reveal.
    expect(page.text).to.include('Know who you are (your user id)');
    const profile = await browser.get(authorizeUrl(openid({ scope: 'openid profile' })));
    expect(profile.text).to.include('See your profile: name, family_name, given_name, preferred_username');
  });
});

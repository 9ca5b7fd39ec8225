import { expect } from 'chai';
import { Browser, hiddenField } from '../../support/browser';
import type { Reply } from '../../support/http';
import { authorizeUrl, codeParams } from '../helpers/flow';
import { tamperedJwt } from '../helpers/keys';
import type { World } from '../helpers/world';
import { signInWithIdToken, startOidcWorld } from './oidc-world';

const BYE = 'http://127.0.0.1:8000/bye';

/** OpenID Connect RP-Initiated Logout 1.0: the logout page as end_session_endpoint. */
describe('OpenID Connect RP-initiated logout', function () {
  let world: World;
  before(async function () {
    world = await startOidcWorld();
    await world.gateway.admin.updateApp(world.app.id, { postLogoutRedirectUris: `${BYE} http://127.0.0.1:8000/also` });
  });
  after(async function () {
    await world?.stop();
  });

  const signedIn = () => signInWithIdToken(world);

  const logoutUrl = (params: Record<string, string>) => `/oauth2/logout?${new URLSearchParams(params)}`;

  async function isSignedIn(browser: Browser): Promise<boolean> {
    const res = await browser.get(authorizeUrl(codeParams(world, { scope: 'openid' })));
    return !(res.headers.get('location') ?? '').includes('/oauth2/login');
  }

  async function confirm(browser: Browser, page: Reply): Promise<Reply> {
    expect(page.status, page.text.slice(0, 300)).to.equal(200);
    const form: Record<string, string> = { _csrf: hiddenField(page.text, '_csrf') };
    for (const name of ['client_id', 'post_logout_redirect_uri', 'state'])
      if (page.text.includes(`name="${name}"`)) form[name] = hiddenField(page.text, name);
    return browser.post('/oauth2/logout', form);
  }

  it('is announced as end_session_endpoint', async function () {
    const res = await new Browser(world.gateway.url).get('/.well-known/openid-configuration');
    expect(res.json.end_session_endpoint).to.equal(`${world.gateway.url}/oauth2/logout`);
  });

  it('asks the user, ends the session, and sends the browser back with state', async function () {
    const { browser, idToken } = await signedIn();
    const page = await browser.get(logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: BYE, state: 's-1' }));
    expect(page.text).to.include('demo-app');
    expect(await isSignedIn(browser), 'nothing happens before the user confirms').to.equal(true);
    const done = await confirm(browser, page);
    expect(done.status).to.equal(303);
    expect(done.headers.get('location')).to.equal(`${BYE}?state=s-1`);
    expect(await isSignedIn(browser)).to.equal(false);
  });

  it('takes a relying party POSTing the request as a form, as a GET that carries the session cookie', async function () {
    const { browser, idToken } = await signedIn();
    const posted = await browser.post('/oauth2/logout', { id_token_hint: idToken, post_logout_redirect_uri: BYE });
    expect(posted.status).to.equal(303);
    const page = await browser.follow(posted);
    expect(await isSignedIn(browser)).to.equal(true);
    const done = await confirm(browser, page);
    expect(done.headers.get('location')).to.equal(BYE);
    expect(await isSignedIn(browser)).to.equal(false);
  });

  it('sends a browser already signed out straight back, with client_id naming the client', async function () {
    const browser = new Browser(world.gateway.url);
    const res = await browser.get(logoutUrl({ client_id: world.app.id, post_logout_redirect_uri: BYE, state: 'x' }));
    expect(res.status).to.equal(303);
    expect(res.headers.get('location')).to.equal(`${BYE}?state=x`);
  });

  it('never redirects to a URI the app did not register, and keeps the user signed in', async function () {
    const { browser, idToken } = await signedIn();
    const refusals: Array<[Record<string, string>, RegExp]> = [
      [{ id_token_hint: idToken, post_logout_redirect_uri: 'https://evil.example/bye' }, /not registered/],
      [{ id_token_hint: idToken, post_logout_redirect_uri: `${BYE}/` }, /not registered/],
      [{ post_logout_redirect_uri: BYE }, /needs the client named/],
      [{ id_token_hint: tamperedJwt(idToken, { sub: 'someone-else', iss: world.gateway.url }) }, /not an ID token/],
      [{ id_token_hint: idToken, client_id: 'another-client' }, /not the audience/],
      [{ id_token_hint: idToken, post_logout_redirect_uri: BYE, state: 's'.repeat(2049) }, /longer than 2048/],
      [{ id_token_hint: 'x'.repeat(20) }, /not an ID token/]
    ];
    for (const [params, message] of refusals) {
      const res = await browser.get(logoutUrl(params));
      expect(res.status, JSON.stringify(params)).to.equal(400);
      expect(res.text).to.match(message);
      expect(res.headers.get('location')).to.equal(null);
    }
    expect(await isSignedIn(browser)).to.equal(true);
    // The confirmation form's fields are checked again: a URI swapped in there signs out without the redirect.
    const page = await browser.get(logoutUrl({ id_token_hint: idToken }));
    const swapped = await browser.post('/oauth2/logout', {
      _csrf: hiddenField(page.text, '_csrf'),
      client_id: world.app.id,
      post_logout_redirect_uri: 'https://evil.example/bye'
    });
    expect(swapped.status).to.equal(200);
    expect(swapped.headers.get('location')).to.equal(null);
    expect(swapped.text).to.include('You are signed out');
    expect(await isSignedIn(browser)).to.equal(false);
  });

  it('signs out without a redirect when the request names no URI', async function () {
    const { browser, idToken } = await signedIn();
    const done = await confirm(browser, await browser.get(logoutUrl({ id_token_hint: idToken, state: 'ignored' })));
    expect(done.status).to.equal(200);
    expect(done.text).to.include('You are signed out');
  });
});

import { expect } from 'chai';
import { Browser, hiddenField } from '../helpers/browser';
import { authorize, authorizeUrl, codeParams } from '../helpers/flow';
import { request } from '../helpers/http';
import { startWorld, World } from '../helpers/world';

describe('login and logout pages', function () {
  let world: World;
  before(async function () { world = await startWorld({ settings: { login: { maxFailuresPerUser: 3, maxFailuresPerIp: 50 } } }); });
  after(async function () { await world?.stop(); });

  async function loginForm(browser: Browser) {
    const page = await browser.get('/oauth2/login');
    expect(page.status).to.equal(200);
    return hiddenField(page.text, '_csrf');
  }

  it('serves an accessible login form with a CSRF token and the clickjacking headers', async function () {
    const page = await new Browser(world.gateway.url).get('/oauth2/login');
    expect(page.status).to.equal(200);
    expect(page.text).to.match(/<label for="username">/).and.match(/autocomplete="current-password"/);
    expect(hiddenField(page.text, '_csrf')).to.have.length.above(20);
    expect(page.headers.get('x-frame-options')).to.equal('DENY');
    expect(page.headers.get('content-security-policy')).to.contain("frame-ancestors 'none'");
  });

  it('names the application asking when sent from an authorization request', async function () {
    const browser = new Browser(world.gateway.url);
    const toLogin = await browser.get(authorizeUrl(codeParams(world)));
    const page = await browser.get(toLogin.headers.get('location')!);
    expect(page.text).to.contain(world.app.name);
  });

  it('refuses a login post without its CSRF token', async function () {
    const browser = new Browser(world.gateway.url);
    await loginForm(browser);
    const res = await browser.post('/oauth2/login', { username: world.user.username, password: world.user.password });
    expect(res.status).to.equal(403);
  });

  it('says the same thing for a wrong password and for an unknown user, with 400 (401 would need a WWW-Authenticate challenge, RFC 9110 §15.5.2)', async function () {
    const browser = new Browser(world.gateway.url);
    const wrong = await browser.post('/oauth2/login', { _csrf: await loginForm(browser), username: 'bob-unknown', password: 'x' });
    const unknown = await browser.post('/oauth2/login', { _csrf: await loginForm(browser), username: 'carol-unknown', password: 'x' });
    for (const res of [wrong, unknown]) {
      expect(res.status).to.equal(400);
      expect(res.headers.get('www-authenticate')).to.equal(null);
      expect(res.text).to.contain('The user name or password is incorrect.');
    }
  });

  it('regenerates the session id at sign-in (no session fixation)', async function () {
    const browser = new Browser(world.gateway.url);
    const csrf = await loginForm(browser);
    const before = browser.cookie('oauth2.sid');
    expect(before).to.be.a('string');
    const res = await browser.post('/oauth2/login', { _csrf: csrf, username: world.user.username, password: world.user.password });
    expect(res.status).to.equal(303);
    expect(browser.cookie('oauth2.sid')).to.be.a('string').and.not.equal(before);
  });

  it('scopes its session cookie to the plugin\'s paths, HttpOnly and SameSite=Lax', async function () {
    const res = await request(`${world.gateway.url}/oauth2/login`);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('oauth2.sid='))!;
    expect(cookie).to.match(/Path=\/oauth2/).and.match(/HttpOnly/).and.match(/SameSite=Lax/);
  });

  it('locks a user name out after too many failures, even with the right password', async function () {
    const admin = world.gateway.admin;
    const user = await admin.createUser({ username: 'dave', firstname: 'Dave', lastname: 'Example' });
    await admin.createCredential(user.id, 'basic-auth', { password: 'dave-password', autoGeneratePassword: false });
    const browser = new Browser(world.gateway.url);
    for (let i = 0; i < 3; i++) {
      expect((await browser.post('/oauth2/login', { _csrf: await loginForm(browser), username: 'dave', password: 'nope' })).status).to.equal(400);
    }
    const locked = await browser.post('/oauth2/login', { _csrf: await loginForm(browser), username: 'dave', password: 'dave-password' });
    expect(locked.status).to.equal(429);
    expect(locked.text).to.contain('Too many failed sign-in attempts');
  });

  it('cannot be outrun by concurrent guesses: attempts are counted before the password is checked', async function () {
    // Distinct guesses: the same guess sent many times at once is checked once, and counts once.
    const admin = world.gateway.admin;
    const user = await admin.createUser({ username: 'erin', firstname: 'Erin', lastname: 'Example' });
    await admin.createCredential(user.id, 'basic-auth', { password: 'erin-password', autoGeneratePassword: false });
    const browser = new Browser(world.gateway.url);
    const csrf = await loginForm(browser);
    const answers = await Promise.all(Array.from({ length: 15 }, (_, i) =>
      browser.post('/oauth2/login', { _csrf: csrf, username: 'erin', password: `guess-${i}` })));
    expect(answers.filter((res) => res.status === 400)).to.have.length(3);
    expect(answers.filter((res) => res.status === 429)).to.have.length(12);
  });

  it('signs out with a CSRF-protected POST, after which the user must sign in again', async function () {
    const browser = new Browser(world.gateway.url);
    const consent = await authorize(browser, world, codeParams(world));
    expect(consent.status).to.equal(200);
    const page = await browser.get('/oauth2/logout');
    expect(page.text).to.contain(`Signed in as <strong>${world.user.username}</strong>`);
    expect((await browser.post('/oauth2/logout', {})).status).to.equal(403);
    const out = await browser.post('/oauth2/logout', { _csrf: hiddenField(page.text, '_csrf') });
    expect(out.status).to.equal(200);
    expect(out.text).to.contain('You are signed out');
    const again = await browser.get(authorizeUrl(codeParams(world)));
    expect(again.status).to.equal(302);
    expect(new URL(again.headers.get('location')!, world.gateway.url).pathname).to.equal('/oauth2/login');
  });

  it('only ever sends a signed-in user back to the authorization endpoint', async function () {
    const browser = new Browser(world.gateway.url);
    const res = await browser.post('/oauth2/login', { _csrf: await loginForm(browser), username: world.user.username, password: world.user.password });
    expect(res.headers.get('location')).to.equal('/oauth2/logout');
  });
});

describe('login throttling per IP', function () {
  let world: World;
  before(async function () { world = await startWorld({ settings: { login: { maxFailuresPerIp: 2, maxFailuresPerUser: 10 } } }); });
  after(async function () { await world?.stop(); });

  it('locks an IP out after too many failures across user names', async function () {
    const browser = new Browser(world.gateway.url);
    const form = async () => hiddenField((await browser.get('/oauth2/login')).text, '_csrf');
    await browser.post('/oauth2/login', { _csrf: await form(), username: 'u1', password: 'x' });
    await browser.post('/oauth2/login', { _csrf: await form(), username: 'u2', password: 'x' });
    const res = await browser.post('/oauth2/login', { _csrf: await form(), username: world.user.username, password: world.user.password });
    expect(res.status).to.equal(429);
  });
});

describe('configurable route paths', function () {
  let world: World;
  before(async function () {
    world = await startWorld({ settings: { basePath: '/auth', routes: { login: '/signin', token: '/oauth/token' } } });
  });
  after(async function () { await world?.stop(); });

  it('serves every endpoint under the configured paths', async function () {
    const browser = new Browser(world.gateway.url);
    expect((await browser.get('/auth/signin')).status).to.equal(200);
    const toLogin = await browser.get(`/auth/authorize?${new URLSearchParams(codeParams(world))}`);
    expect(toLogin.headers.get('location')).to.equal('/auth/signin');
    const token = await world.token({ grant_type: 'client_credentials' }).catch(() => null);
    expect(token?.status).to.equal(404);
    const res = await request(`${world.gateway.url}/auth/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: world.app.id, client_secret: world.app.secret }).toString()
    });
    expect(res.status).to.equal(200);
    expect((await browser.get('/oauth2/login')).status).to.equal(404);
  });
});

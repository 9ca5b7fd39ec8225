import { expect } from 'chai';
import { Browser, hiddenField } from '../../support/browser';
import { authorize, authorizeUrl, codeParams } from '../helpers/flow';
import { request } from '../../support/http';
import { testRedis } from '../helpers/redis';
import { startWorld, World } from '../helpers/world';

describe('login and logout pages', function () {
  let world: World;
  before(async function () {
    world = await startWorld({ settings: { login: { maxFailuresPerUser: 3, maxFailuresPerIp: 50 } } });
  });
  after(async function () {
    await world?.stop();
  });

  async function loginForm(browser: Browser) {
    const page = await browser.get('/oauth2/login');
    expect(page.status).to.equal(200);
    return hiddenField(page.text, '_csrf');
  }

  it('serves an accessible login form with a CSRF token and the clickjacking headers', async function () {
    const page = await new Browser(world.gateway.url).get('/oauth2/login');
    expect(page.status).to.equal(200);
    expect(page.text)
      .to.match(/<label for="username">/)
      .and.match(/autocomplete="current-password"/);
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
    const wrong = await browser.post('/oauth2/login', {
      _csrf: await loginForm(browser),
      username: 'bob-unknown',
      password: 'x'
    });
    const unknown = await browser.post('/oauth2/login', {
      _csrf: await loginForm(browser),
      username: 'carol-unknown',
      password: 'x'
    });
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
    const res = await browser.post('/oauth2/login', {
      _csrf: csrf,
      username: world.user.username,
      password: world.user.password
    });
    expect(res.status).to.equal(303);
    expect(browser.cookie('oauth2.sid')).to.be.a('string').and.not.equal(before);
  });

  it("scopes its session cookie to the plugin's paths, HttpOnly and SameSite=Lax", async function () {
    const res = await request(`${world.gateway.url}/oauth2/login`);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('oauth2.sid='))!;
    expect(cookie)
      .to.match(/Path=\/oauth2/)
      .and.match(/HttpOnly/)
      .and.match(/SameSite=Lax/);
  });

  it('locks a user name out after too many failures, even with the right password', async function () {
    const admin = world.gateway.admin;
    const user = await admin.createUser({ username: 'dave', firstname: 'Dave', lastname: 'Example' });
    await admin.createCredential(user.id, 'basic-auth', { password: 'dave-password', autoGeneratePassword: false });
    const browser = new Browser(world.gateway.url);
    for (let i = 0; i < 3; i++) {
      expect(
        (await browser.post('/oauth2/login', { _csrf: await loginForm(browser), username: 'dave', password: 'nope' }))
          .status
      ).to.equal(400);
    }
    const locked = await browser.post('/oauth2/login', {
      _csrf: await loginForm(browser),
      username: 'dave',
      password: 'dave-password'
    });
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
    const answers = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        browser.post('/oauth2/login', { _csrf: csrf, username: 'erin', password: `guess-${i}` })
      )
    );
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
    const res = await browser.post('/oauth2/login', {
      _csrf: await loginForm(browser),
      username: world.user.username,
      password: world.user.password
    });
    expect(res.headers.get('location')).to.equal('/oauth2/logout');
  });
});

describe('login throttling per IP', function () {
  let world: World;
  before(async function () {
    world = await startWorld({ settings: { login: { maxFailuresPerIp: 2, maxFailuresPerUser: 10 } } });
  });
  after(async function () {
    await world?.stop();
  });

  it('locks an IP out after too many failures across user names', async function () {
    const browser = new Browser(world.gateway.url);
    const form = async () => hiddenField((await browser.get('/oauth2/login')).text, '_csrf');
    await browser.post('/oauth2/login', { _csrf: await form(), username: 'u1', password: 'x' });
    await browser.post('/oauth2/login', { _csrf: await form(), username: 'u2', password: 'x' });
    const res = await browser.post('/oauth2/login', {
      _csrf: await form(),
      username: world.user.username,
      password: world.user.password
    });
    expect(res.status).to.equal(429);
  });
});

describe('configurable route paths', function () {
  let world: World;
  before(async function () {
    world = await startWorld({ settings: { basePath: '/auth', routes: { login: '/signin', token: '/oauth/token' } } });
  });
  after(async function () {
    await world?.stop();
  });

  it('serves every endpoint under the configured paths', async function () {
    const browser = new Browser(world.gateway.url);
    expect((await browser.get('/auth/signin')).status).to.equal(200);
    const toLogin = await browser.get(`/auth/authorize?${new URLSearchParams(codeParams(world))}`);
    expect(new URL(toLogin.headers.get('location')!, world.gateway.url).pathname).to.equal('/auth/signin');
    const token = await world.token({ grant_type: 'client_credentials' }).catch(() => null);
    expect(token?.status).to.equal(404);
    const res = await request(`${world.gateway.url}/auth/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: world.app.id,
        client_secret: world.app.secret
      }).toString()
    });
    expect(res.status).to.equal(200);
    expect((await browser.get('/oauth2/login')).status).to.equal(404);
  });
});

/** Issue 15, item 13: a visitor costs the store nothing until a form is shown, and then only briefly. */
describe('sessions of visitors who are not signed in', function () {
  let world: World;
  const namespace = `V${Math.random().toString(36).slice(2, 8)}`;
  const sessionKeys = `${namespace}-oauth2-plugin:sess:*`;
  before(async function () {
    world = await startWorld({
      namespace,
      settings: { session: { secret: 'a test session secret of at least 32 characters', visitorTtl: 120 } }
    });
  });
  after(async function () {
    await world?.stop();
  });

  const expiresIn = (setCookie: string) => (Date.parse(/Expires=([^;]+)/i.exec(setCookie)![1]) - Date.now()) / 1000;

  it('stores nothing for a visitor of the authorization endpoint, and carries the request to the login page in the URL instead', async function () {
    for (let i = 0; i < 3; i++) {
      const res = await request(`${world.gateway.url}${authorizeUrl(codeParams(world, { state: `s${i}` }))}`, {
        redirect: 'manual'
      });
      expect(res.status).to.equal(302);
      expect(res.headers.getSetCookie(), 'no session cookie: no session stored').to.deep.equal([]);
      const location = new URL(res.headers.get('location')!, world.gateway.url);
      expect(location.pathname).to.equal('/oauth2/login');
      expect(location.searchParams.get('return_to')).to.equal(authorizeUrl(codeParams(world, { state: `s${i}` })));
    }
    const redis = testRedis();
    if (redis) {
      try {
        expect(await redis.keys(sessionKeys), 'not one session in Redis').to.deep.equal([]);
      } finally {
        redis.disconnect();
      }
    }
  });

  it('keeps the session of a login form (its CSRF token) for session.visitorTtl, and a signed-in one for session.ttl', async function () {
    const browser = new Browser(world.gateway.url);
    const toLogin = await browser.get(authorizeUrl(codeParams(world)));
    const form = await browser.get(toLogin.headers.get('location')!);
    const visitor = form.headers.getSetCookie().find((c) => c.startsWith('oauth2.sid='))!;
    expect(expiresIn(visitor)).to.be.within(100, 121);
    const redis = testRedis();
    if (redis) {
      try {
        const [key] = await redis.keys(sessionKeys);
        expect(await redis.ttl(key)).to.be.within(100, 120);
      } finally {
        redis.disconnect();
      }
    }
    const signedIn = await browser.post('/oauth2/login', {
      _csrf: hiddenField(form.text, '_csrf'),
      return_to: hiddenField(form.text, 'return_to'),
      username: world.user.username,
      password: world.user.password
    });
    expect(signedIn.status).to.equal(303);
    expect(signedIn.headers.get('location'), 'back to the authorization request').to.equal(
      authorizeUrl(codeParams(world))
    );
    const member = signedIn.headers.getSetCookie().find((c) => c.startsWith('oauth2.sid='))!;
    expect(expiresIn(member)).to.be.within(3500, 3601);
  });

  it("never follows a return_to that leads elsewhere than the plugin's own pages", async function () {
    const browser = new Browser(world.gateway.url);
    for (const elsewhere of [
      'https://evil.example/',
      '//evil.example/oauth2/authorize',
      '/oauth2/authorizeX',
      '/oauth2/logout'
    ]) {
      const form = await browser.get(`/oauth2/login?${new URLSearchParams({ return_to: elsewhere })}`);
      expect(() => hiddenField(form.text, 'return_to'), elsewhere).to.throw();
      const res = await browser.post('/oauth2/login', {
        _csrf: hiddenField(form.text, '_csrf'),
        return_to: elsewhere,
        username: world.user.username,
        password: world.user.password
      });
      expect(res.headers.get('location'), elsewhere).to.equal('/oauth2/logout');
      await browser.post('/oauth2/logout', { _csrf: hiddenField((await browser.get('/oauth2/logout')).text, '_csrf') });
    }
  });
});

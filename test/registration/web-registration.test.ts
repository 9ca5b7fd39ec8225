import { expect } from 'chai';
import { Browser as Chromium, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium';
import { startClientCallback } from '../helpers/client-callback';
import { Browser, hiddenField, pkcePair } from '../../support/browser';
import { authorizeUrl, decide } from '../helpers/flow';
import { startGateway } from '../../support/gateway';
import { basic, postForm, request } from '../../support/http';
import { startWorld, World } from '../helpers/world';
import { APPS, createUser, postAppAction, postRegistration, register, signedIn, TestUser } from './app-pages';

const LOOPBACK_URI = 'http://127.0.0.1:8000/callback';

describe('web client registration (clientRegistration)', function () {
  this.timeout(60000);
  let world: World;
  let callback: { url: string; close(): void };
  const user = (name: string) => createUser(world.gateway.admin, name);
  const clientCredentials = (id: string, secret: string) =>
    postForm(
      `${world.gateway.url}/oauth2/token`,
      { grant_type: 'client_credentials' },
      { Authorization: basic(id, secret) }
    );
  const callApi = (token: string) => world.api(token);

  before(async function () {
    [world, callback] = await Promise.all([
      startWorld({
        settings: {
          clientRegistration: { enabled: true, selfServiceScopes: ['read', 'write', 'not-in-eg'], maxAppsPerUser: 3 },
          scopeDescriptions: { read: 'Read your orders' }
        }
      }),
      startClientCallback()
    ]);
    await world.gateway.admin.createScopes(['admin']);
  });
  after(async function () {
    callback?.close();
    await world?.stop();
  });

  describe('in headless Chromium', function () {
    let browser: Chromium;
    let alice: BrowserContext;
    let page: Page;
    let registered: { id: string; secret: string };
    const shots = process.env.SCREENSHOTS_DIR;

    async function signInAt(context: BrowserContext, who: TestUser): Promise<Page> {
      const tab = await context.newPage();
      await tab.goto(`${world.gateway.url}${APPS}`);
      expect(new URL(tab.url()).pathname).to.equal('/oauth2/login');
      await tab.fill('#username', who.username);
      await tab.fill('#password', who.password);
      await Promise.all([tab.waitForURL(`**${APPS}`), tab.click('button[type=submit]')]);
      return tab;
    }

    before(async function () {
      browser = await launchChromium();
      alice = await browser.newContext({ viewport: { width: 800, height: 1100 } });
      page = await signInAt(alice, world.user);
    });
    after(async function () {
      await browser?.close();
    });

    it('registers a confidential app and shows its client id and secret once, with a warning and no-store', async function () {
      expect(await page.textContent('h1')).to.equal('Your applications');
      expect(await page.locator('.apps').count()).to.equal(0);
      expect(
        await page
          .locator('input[name=scope]')
          .evaluateAll((inputs) => inputs.map((input) => input.getAttribute('value')))
      ).to.deep.equal(['read', 'write'], 'only self-service scopes that exist in EG are offered');
      if (shots) await page.screenshot({ path: `${shots}/apps-empty.png`, fullPage: true });
      await page.fill('#name', 'Orders Web');
      await page.fill('#redirect_uris', 'http://orders.example.com/callback');
      const [refused] = await Promise.all([
        page.waitForResponse(`**${APPS}`),
        page.click('form.register button[type=submit]')
      ]);
      expect(refused.status()).to.equal(400);
      expect(await page.textContent('[role=alert]')).to.contain('must use https');
      if (shots) await page.screenshot({ path: `${shots}/apps-refused.png`, fullPage: true });
      expect(await page.inputValue('#name'), 'the form keeps what was typed').to.equal('Orders Web');
      await page.fill('#redirect_uris', callback.url);
      await page.check('input[name=type][value=confidential]');
      await page.check('input[name=scope][value=read]');
      await page.check('input[name=scope][value=write]');
      const [response] = await Promise.all([
        page.waitForResponse(`**${APPS}/credentials`),
        page.click('form.register button[type=submit]')
      ]);
      expect(response.headers()['cache-control']).to.equal('no-store');
      expect(response.headers()['x-frame-options']).to.equal('DENY');
      expect(await page.textContent('h1')).to.equal('Application registered');
      registered = { id: (await page.textContent('#client-id'))!, secret: (await page.textContent('#client-secret'))! };
      expect(registered.secret).to.have.length.above(40);
      expect(await page.textContent('[role=alert]')).to.contain('shown only this once');
      if (shots) await page.screenshot({ path: `${shots}/apps-credentials.png`, fullPage: true });
    });

    it('does not show the secret again on reload or back, and lists the app without it', async function () {
      await page.click('text=Back to your applications');
      await page.goBack();
      expect(new URL(page.url()).pathname, 'going back lands on the list').to.equal(APPS);
      expect(await page.content()).not.to.contain(registered.secret);
      await page.goto(`${world.gateway.url}${APPS}/credentials`);
      await page.reload();
      expect(new URL(page.url()).pathname).to.equal(APPS);
      const html = await page.content();
      expect(html).not.to.contain(registered.secret);
      expect(await page.locator('.app h3').allTextContents()).to.deep.equal(['Orders Web']);
      expect(await page.textContent('.app .client-id')).to.equal(registered.id);
      expect(await page.textContent('.app'))
        .to.contain(callback.url)
        .and.to.contain('read write');
      await page.click('.app summary');
      if (shots) await page.screenshot({ path: `${shots}/apps-list.png`, fullPage: true });
    });

    it('completes the authorization code flow with the app just registered, and its token opens the API', async function () {
      const pkce = pkcePair();
      await page.goto(
        world.gateway.url +
          authorizeUrl({
            response_type: 'code',
            client_id: registered.id,
            redirect_uri: callback.url,
            scope: 'read',
            state: 's1',
            code_challenge: pkce.challenge,
            code_challenge_method: 'S256'
          })
      );
      expect(await page.textContent('.lead')).to.contain('Orders Web');
      await Promise.all([page.waitForURL(`${callback.url}?*`), page.click('button[name=allow]')]);
      const code = new URL(page.url()).searchParams.get('code')!;
      const tokens = await postForm(
        `${world.gateway.url}/oauth2/token`,
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: callback.url,
          code_verifier: pkce.verifier
        },
        { Authorization: basic(registered.id, registered.secret) }
      );
      expect(tokens.status, tokens.text).to.equal(200);
      expect(tokens.json.scope).to.equal('read');
      const api = await callApi(tokens.json.access_token);
      expect(api.status).to.equal(200);
      expect(api.json.headers['eg-token-authenticated-user-id']).to.equal(world.user.id);
    });

    it('hides the app from another user, who gets 404 deleting or rotating it, and the app keeps working', async function () {
      const bob = await user('bob');
      const context = await browser.newContext();
      const tab = await signInAt(context, bob);
      const html = await tab.content();
      expect(html).not.to.contain(registered.id);
      expect(html).not.to.contain('Orders Web');
      const csrf = await tab.getAttribute('input[name=_csrf]', 'value');
      for (const action of ['delete', 'rotate']) {
        const res = await context.request.post(`${world.gateway.url}${APPS}/${registered.id}/${action}`, {
          form: { _csrf: csrf! },
          maxRedirects: 0
        });
        expect(res.status(), action).to.equal(404);
      }
      await context.close();
      expect((await clientCredentials(registered.id, registered.secret)).status).to.equal(200);
    });
  });

  it('sends a signed-out visitor to the login page and back to the apps page', async function () {
    const stranger = await new Browser(world.gateway.url).post(APPS, {
      name: 'x',
      redirect_uris: LOOPBACK_URI,
      type: 'public'
    });
    expect(stranger.status).to.equal(303);
    expect(stranger.headers.get('location')).to.equal(`/oauth2/login?return_to=${encodeURIComponent(APPS)}`);
    const browser = await signedIn(world.gateway.url, await user('carol'));
    const page = await browser.get(APPS);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Registered (0 of 3)');
    expect(page.headers.get('x-frame-options')).to.equal('DENY');
    expect(page.headers.get('content-security-policy')).to.contain("frame-ancestors 'none'");
  });

  it('rotates a secret: the old one is refused (invalid_client), the new one works, shown once', async function () {
    const browser = await signedIn(world.gateway.url, await user('dave'));
    const app = await register(browser, { name: 'Rotating', redirectUris: LOOPBACK_URI, scopes: ['read'] });
    expect((await clientCredentials(app.id, app.secret!)).status).to.equal(200);
    const rotated = await postAppAction(browser, app.id, 'rotate');
    expect(rotated.status).to.equal(303);
    const shown = await browser.get(rotated.headers.get('location')!);
    expect(shown.text).to.contain('New client secret');
    const secret = /<code id="client-secret">([^<]*)<\/code>/.exec(shown.text)![1];
    expect(secret).not.to.equal(app.secret);
    const old = await clientCredentials(app.id, app.secret!);
    expect(old.status).to.equal(401);
    expect(old.json.error).to.equal('invalid_client');
    expect((await clientCredentials(app.id, secret)).status).to.equal(200);
    expect((await browser.get(`${APPS}/credentials`)).status, 'shown once').to.equal(303);
  });

  it('deletes an app: gone from the list, its tokens refused, its id unknown', async function () {
    const browser = await signedIn(world.gateway.url, await user('erin'));
    const app = await register(browser, { name: 'Short-lived', redirectUris: LOOPBACK_URI });
    const token = (await clientCredentials(app.id, app.secret!)).json.access_token;
    expect((await callApi(token)).status).to.equal(200);
    const deleted = await postAppAction(browser, app.id, 'delete');
    expect(deleted.status).to.equal(303);
    expect(deleted.headers.get('location')).to.equal(APPS);
    expect((await browser.get(APPS)).text).not.to.contain(app.id);
    expect((await callApi(token)).status).to.equal(401);
    expect((await clientCredentials(app.id, app.secret!)).status).to.equal(401);
    expect((await postAppAction(browser, app.id, 'delete')).status).to.equal(404);
  });

  it('refuses invalid registrations with a 400 page that says why, and creates nothing', async function () {
    const browser = await signedIn(world.gateway.url, await user('frank'));
    const cases: [Parameters<typeof postRegistration>[1], RegExp][] = [
      [{ name: 'x', redirectUris: 'http://example.com/cb' }, /must use https/],
      [{ name: 'x', redirectUris: 'https://example.com/cb#frag' }, /fragment/],
      [{ name: 'x', redirectUris: '/callback' }, /not an absolute URL/],
      [{ name: 'x', redirectUris: 'https://*.example.com/cb' }, /wildcard/],
      [{ name: 'x', redirectUris: '' }, /at least one redirect URI/],
      [
        { name: 'x', redirectUris: Array.from({ length: 11 }, (_, i) => `https://example.com/${i}`).join('\n') },
        /at most 10 redirect URIs/
      ],
      [{ name: '', redirectUris: LOOPBACK_URI }, /Give the application a name/],
      [{ name: 'n'.repeat(101), redirectUris: LOOPBACK_URI }, /longer than 100 characters/],
      [{ name: 'x', redirectUris: LOOPBACK_URI, scopes: ['admin'] }, /cannot be requested here: admin/],
      [{ name: 'x', redirectUris: LOOPBACK_URI, type: 'trusted' }, /confidential or public/]
    ];
    for (const [fields, message] of cases) {
      const res = await postRegistration(browser, fields);
      expect(res.status, JSON.stringify(fields)).to.equal(400);
      expect(res.text).to.match(message);
      expect(res.text, 'the form keeps what was typed').to.contain(`value="${fields.name}"`);
    }
    const page = await browser.get(APPS);
    const flooded = await browser.post(APPS, [
      ['_csrf', hiddenField(page.text, '_csrf')],
      ...Array.from({ length: 40 }, (): [string, string] => ['scope', 'read'])
    ]);
    expect(flooded.status, "too many fields: the sender's error, not a 500").to.equal(413);
    const garbled = await request(`${world.gateway.url}${APPS}`, {
      method: 'POST',
      headers: {
        Cookie: `oauth2.sid=${browser.cookie('oauth2.sid')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Encoding': 'deflate'
      },
      body: 'not deflated at all'
    });
    expect(garbled.status, "a body that does not inflate: the sender's error, not a 500").to.equal(400);
    expect((await browser.get(APPS)).text).to.contain('Registered (0 of 3)');
  });

  it('accepts https and loopback http URIs ([::1], localhost) and escapes what it shows', async function () {
    const browser = await signedIn(world.gateway.url, await user('grace'));
    await register(browser, {
      name: '<b>bold</b>',
      redirectUris: 'https://app.example.com/cb\nhttp://[::1]:7000/cb\r\nhttp://localhost/cb'
    });
    const list = await browser.get(APPS);
    expect(list.text).to.contain('&lt;b&gt;bold&lt;/b&gt;').and.not.to.contain('<b>bold</b>');
    expect(list.text).to.contain('http://[::1]:7000/cb');
  });

  it('refuses a name the user already uses and more apps than maxAppsPerUser', async function () {
    const browser = await signedIn(world.gateway.url, await user('heidi'));
    await register(browser, { name: 'One', redirectUris: LOOPBACK_URI });
    const twice = await postRegistration(browser, { name: 'One', redirectUris: LOOPBACK_URI });
    expect(twice.status).to.equal(400);
    expect(twice.text).to.contain('already have an application with that name');
    await register(browser, { name: 'Two', redirectUris: LOOPBACK_URI });
    await register(browser, { name: 'Three', redirectUris: LOOPBACK_URI });
    const fourth = await postRegistration(browser, { name: 'Four', redirectUris: LOOPBACK_URI });
    expect(fourth.status).to.equal(400);
    expect(fourth.text).to.contain('the most allowed');
    expect((await browser.get(APPS)).text).to.contain('Registered (3 of 3)');
  });

  it('says a name is taken, not a 500, where EG 1.16 cannot index one more app of that name', async function () {
    for (const name of ['kim', 'leo'])
      await register(await signedIn(world.gateway.url, await user(name)), {
        name: 'Shared',
        redirectUris: LOOPBACK_URI
      });
    const third = await postRegistration(await signedIn(world.gateway.url, await user('max')), {
      name: 'Shared',
      redirectUris: LOOPBACK_URI
    });
    expect(third.status).to.equal(400);
    expect(third.text).to.contain('That name is already taken');
  });

  it('refuses form posts without the CSRF token or with a wrong one (403), creating nothing', async function () {
    const browser = await signedIn(world.gateway.url, await user('ivan'));
    const app = await register(browser, { name: 'Guarded', redirectUris: LOOPBACK_URI });
    const fields = { name: 'Forged', redirect_uris: LOOPBACK_URI, type: 'confidential' };
    expect((await browser.post(APPS, fields)).status).to.equal(403);
    expect((await browser.post(APPS, { ...fields, _csrf: 'wrong' })).status).to.equal(403);
    expect((await browser.post(`${APPS}/${app.id}/delete`, {})).status).to.equal(403);
    expect((await browser.post(`${APPS}/${app.id}/rotate`, { _csrf: 'wrong' })).status).to.equal(403);
    const list = (await browser.get(APPS)).text;
    expect(list).not.to.contain('Forged');
    expect(list).to.contain(app.id);
    expect((await clientCredentials(app.id, app.secret!)).status, 'the secret was not rotated').to.equal(200);
  });

  it('registers a public app: no secret shown or rotatable, and the code flow works with PKCE and without a secret', async function () {
    const judy = await user('judy');
    const browser = await signedIn(world.gateway.url, judy);
    const app = await register(browser, {
      name: 'Single page',
      redirectUris: LOOPBACK_URI,
      type: 'public',
      scopes: ['read']
    });
    expect(app.secret).to.equal(undefined);
    expect(app.page.text).to.contain('it must use PKCE');
    expect((await postAppAction(browser, app.id, 'rotate')).status).to.equal(400);

    const withoutPkce = await browser.get(
      authorizeUrl({ response_type: 'code', client_id: app.id, redirect_uri: LOOPBACK_URI })
    );
    expect(new URL(withoutPkce.headers.get('location')!).searchParams.get('error')).to.equal('invalid_request');
    const pkce = pkcePair();
    const consent = await browser.get(
      authorizeUrl({
        response_type: 'code',
        client_id: app.id,
        redirect_uri: LOOPBACK_URI,
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256'
      })
    );
    const code = (await decide(browser, consent, true)).searchParams.get('code')!;
    const tokens = await postForm(`${world.gateway.url}/oauth2/token`, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: LOOPBACK_URI,
      code_verifier: pkce.verifier,
      client_id: app.id
    });
    expect(tokens.status, tokens.text).to.equal(200);
    expect((await callApi(tokens.json.access_token)).json.headers['eg-token-authenticated-user-id']).to.equal(judy.id);
    const noClientCredentials = await postForm(`${world.gateway.url}/oauth2/token`, {
      grant_type: 'client_credentials',
      client_id: app.id
    });
    expect(noClientCredentials.status).to.be.oneOf([400, 401]);
  });

  it('answers 404 for an app the operator made, even to a signed-in user', async function () {
    const browser = await signedIn(world.gateway.url, await user('mallory'));
    const page = await browser.get(APPS);
    const res = await browser.post(`${APPS}/${world.app.id}/rotate`, { _csrf: hiddenField(page.text, '_csrf') });
    expect(res.status).to.equal(404);
    expect((await world.token({ grant_type: 'client_credentials' })).status).to.equal(200);
  });
});

describe('web client registration, when not enabled', function () {
  it('serves no apps page at all (404)', async function () {
    const gateway = await startGateway();
    try {
      expect((await new Browser(gateway.url).get(APPS)).status).to.equal(404);
      expect((await new Browser(gateway.url).post(APPS, { name: 'x' })).status).to.equal(404);
    } finally {
      await gateway.stop();
    }
  });
});

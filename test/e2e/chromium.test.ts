import { expect } from 'chai';
import { Browser as Chromium } from 'playwright-core';
import { pkcePair } from '../../support/browser';
import { postForm, request } from '../../support/http';
import { launchChromium } from '../helpers/chromium';
import { startClientCallback } from '../helpers/client-callback';
import { startWorld, World } from '../helpers/world';

describe('end to end in headless Chromium', function () {
  this.timeout(60000);
  let world: World;
  let browser: Chromium;
  let client: { url: string; close(): void };

  before(async function () {
    [world, client] = await Promise.all([
      startWorld({ settings: { scopeDescriptions: { read: 'Read your orders', write: 'Change your orders' } } }),
      startClientCallback()
    ]);
    browser = await launchChromium();
  });
  after(async function () {
    await browser?.close();
    client?.close();
    await world?.stop();
  });

  it('signs in, approves the consent, receives a code, exchanges it with PKCE and calls the API', async function () {
    const admin = world.gateway.admin;
    const app = await admin.registerClient({ name: 'Orders Web', userId: world.user.id, redirectUri: client.url }, [
      'read',
      'write'
    ]);
    const pkce = pkcePair();
    const authorizeUrl = `${world.gateway.url}/oauth2/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: app.id,
      redirect_uri: client.url,
      scope: 'read write',
      state: 'xyz',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256'
    })}`;

    const page = await browser.newPage({ viewport: { width: 480, height: 720 } });
    await page.goto(authorizeUrl);
    expect(new URL(page.url()).pathname).to.equal('/oauth2/login');
    expect(await page.textContent('h1')).to.equal('Sign in');
    const shots = process.env.SCREENSHOTS_DIR;
    if (shots) await page.screenshot({ path: `${shots}/login.png` });
    await page.fill('#username', world.user.username);
    await page.fill('#password', world.user.password);
    await Promise.all([page.waitForURL(/\/oauth2\/authorize\?/), page.click('button[type=submit]')]);

    expect(await page.textContent('h1')).to.equal('Allow access?');
    expect(await page.textContent('.lead')).to.contain('Orders Web');
    expect(await page.locator('.scopes li').allTextContents()).to.deep.equal([
      'readRead your orders',
      'writeChange your orders'
    ]);
    if (shots) await page.screenshot({ path: `${shots}/consent.png` });
    await Promise.all([page.waitForURL(`${client.url}?*`), page.click('button[name=allow]')]);

    const received = new URL(page.url());
    expect(received.searchParams.get('state')).to.equal('xyz');
    const code = received.searchParams.get('code')!;
    const tokens = await postForm(`${world.gateway.url}/oauth2/token`, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.url,
      code_verifier: pkce.verifier,
      client_id: app.id,
      client_secret: app.secret
    });
    expect(tokens.status, tokens.text).to.equal(200);
    const api = await request(`${world.gateway.url}/api/write`, {
      headers: { Authorization: `Bearer ${tokens.json.access_token}` }
    });
    expect(api.status).to.equal(200);
    expect(api.json.headers['eg-token-scopes']).to.equal('read write');
    await page.close();
  });

  it('completes the code flow started with a form POSTed to the authorization endpoint (issue 17, item 7)', async function () {
    const app = await world.gateway.admin.registerClient(
      { name: 'Orders Form', userId: world.user.id, redirectUri: client.url },
      ['read']
    );
    const pkce = pkcePair();
    const fields = {
      response_type: 'code',
      client_id: app.id,
      redirect_uri: client.url,
      scope: 'read',
      state: 'posted',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256'
    };
    const inputs = Object.entries(fields)
      .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
      .join('');
    const page = await browser.newPage();
    // The client's page: a form that posts the authorization request, as EG's documentation describes.
    await page.setContent(
      `<form method="post" action="${world.gateway.url}/oauth2/authorize">${inputs}<button id="go">Sign in with the gateway</button></form>`
    );
    await Promise.all([page.waitForURL(/\/oauth2\/login/), page.click('#go')]);
    await page.fill('#username', world.user.username);
    await page.fill('#password', world.user.password);
    await Promise.all([page.waitForURL(/\/oauth2\/authorize\?/), page.click('button[type=submit]')]);
    expect(await page.textContent('.lead')).to.contain('Orders Form');
    await Promise.all([page.waitForURL(`${client.url}?*`), page.click('button[name=allow]')]);
    const received = new URL(page.url());
    expect(received.searchParams.get('state')).to.equal('posted');
    const tokens = await postForm(`${world.gateway.url}/oauth2/token`, {
      grant_type: 'authorization_code',
      code: received.searchParams.get('code')!,
      redirect_uri: client.url,
      code_verifier: pkce.verifier,
      client_id: app.id,
      client_secret: app.secret
    });
    expect(tokens.status, tokens.text).to.equal(200);
    await page.close();
  });

  it('cannot be framed by another site', async function () {
    const page = await browser.newPage();
    const response = await page.goto(`${world.gateway.url}/oauth2/login`);
    expect(response!.headers()['x-frame-options']).to.equal('DENY');
    await page.setContent(`<iframe id="f" src="${world.gateway.url}/oauth2/login"></iframe>`);
    const frame = await (await page.$('#f'))!.contentFrame();
    const framedText = await frame!.evaluate<string>('document.body ? document.body.innerText : ""').catch(() => '');
    expect(framedText).not.to.contain('Sign in');
    await page.close();
  });
});

import { expect } from 'chai';
import { pkcePair } from '../../support/browser';
import http from 'http';
import type { AddressInfo } from 'net';
import type { Browser as Chromium, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium';

import { request } from '../../support/http';
import { startWorld, World } from '../helpers/world';
import { oncePerRun } from '../helpers/once-per-run';

/**
 * What a hostile upstream's authorization page does (issue 15, item 4): read
 * the gateway's own consent page for the attacker's app with the signed-in
 * user's cookies, for its CSRF token and transaction id, which are all it
 * needs to post the decision and receive the code. It says in #result how far
 * it got.
 */
function attackPage(gatewayAuthorize: string): string {
  return `<!doctype html><title>upstream</title><p id="result"></p><script>
    const say = (text) => { document.getElementById('result').textContent = text; };
    fetch(${JSON.stringify(gatewayAuthorize)}, { credentials: 'include' })
      .then((res) => res.text())
      .then((html) => {
        const transaction = /name="transaction_id" value="([^"]+)"/.exec(html);
        say(transaction ? 'stolen transaction ' + transaction[1] : 'read the page, no transaction: ' + html.slice(0, 100));
      })
      .catch((err) => say('blocked: ' + err.name));
  </script>`;
}

/** The hostile upstream: the attack page at every path, on its own origin. */
function startHostileUpstream(page: () => string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(page());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          })
      })
    )
  );
}

/** True once the attack page has said how far it got. */
const RESULT = 'document.getElementById("result") && document.getElementById("result").textContent';

const STRATEGY = {
  name: 'jwt',
  jwt: {
    issuer: 'https://up.example',
    audience: 'api',
    keys: { secret: 'an HS256 secret of more than thirty-two bytes' }
  }
};

describe("front proxy in Chromium: an upstream's page never runs with the gateway origin's privileges", function () {
  this.timeout(60000);
  let world: World;
  let browser: Chromium;
  let upstream: { url: string; close(): Promise<void> };
  let gatewayAuthorize = '';

  before(async function () {
    oncePerRun(this);
    [world, upstream] = await Promise.all([startWorld(), startHostileUpstream(() => attackPage(gatewayAuthorize))]);
    browser = await launchChromium();
    const attacker = await world.gateway.admin.registerClient(
      { name: 'Attacker', userId: world.user.id, redirectUri: `${upstream.url}/callback` },
      ['read']
    );
    gatewayAuthorize = `${world.gateway.url}/oauth2/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: attacker.id,
      redirect_uri: `${upstream.url}/callback`,
      scope: 'read',
      state: 's',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256'
    })}`;
    await register({ name: 'partner' });
  });
  after(async function () {
    await browser?.close();
    await upstream?.close();
    await world?.stop();
  });

  /** A server whose authorization endpoint is the hostile upstream. */
  async function register(fields: Record<string, unknown>): Promise<void> {
    const entry = {
      ...fields,
      endpoints: { authorize: { url: `${upstream.url}/authorize` } },
      tokenStrategy: STRATEGY
    };
    const res = await request(`${world.gateway.adminUrl}/oauth2/servers`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(entry)
    });
    expect(res.status, res.text).to.equal(201);
  }

  /** A new page signed in on the gateway: its session cookie (path /oauth2) is in the browser. */
  async function signedInPage(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${world.gateway.url}/oauth2/login`);
    await page.fill('#username', world.user.username);
    await page.fill('#password', world.user.password);
    await Promise.all([page.waitForURL(/\/oauth2\/logout$/), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).to.equal('Sign out?');
    return page;
  }

  /**
   * A browser signed in on the gateway (its session cookie, path /oauth2), then sent to a server's proxied
   * authorization endpoint.
   */
  async function visitProxiedAuthorize(server: string): Promise<Page> {
    const page = await signedInPage();
    await page.goto(
      `${world.gateway.url}/oauth2/servers/${server}/authorize?response_type=code&client_id=partner-client`
    );
    await page.waitForFunction(RESULT);
    return page;
  }

  it("the attack works from a page of the gateway's origin (the control: a blocked script below means a safe proxy, not a broken attack)", async function () {
    const page = await signedInPage();
    await page.goto(`${world.gateway.url}/open`); // a page of the gateway's origin without a Content-Security-Policy (an API behind it)
    await page.setContent(attackPage(gatewayAuthorize));
    await page.waitForFunction(RESULT);
    expect(await page.textContent('#result')).to.match(/^stolen transaction /);
    await page.close();
  });

  it("by default sends the browser to the upstream's own origin, whose script cannot read the gateway's consent page", async function () {
    const page = await visitProxiedAuthorize('partner');
    expect(await page.textContent('#result')).to.match(/^blocked: /);
    expect(new URL(page.url()).origin, "the page runs on the upstream's origin").to.equal(upstream.url);
    await page.close();
  });

  it("in sandbox mode serves the upstream's page under an opaque origin, whose script cannot read the gateway's consent page", async function () {
    await register({ name: 'private-partner', browserEndpoints: 'sandbox' });
    const page = await visitProxiedAuthorize('private-partner');
    expect(await page.textContent('#result')).to.match(/^blocked: /);
    expect(new URL(page.url()).origin, 'the page is proxied by the gateway').to.equal(world.gateway.url);
    expect(await page.evaluate<string>('window.origin'), 'an opaque origin').to.equal('null');
    await page.close();
  });
});

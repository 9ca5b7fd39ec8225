import { expect } from 'chai';
import { pkcePair } from '../../support/browser';
import type { Browser as Chromium, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium';

import { basic, postForm, Reply, request } from '../../support/http';
import { Cluster, NEEDS_REDIS, startCluster } from './cluster';

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * Issue 8, "scale past one machine": nothing one process alone knows. A
 * browser goes through a round-robin load balancer, so each of its requests
 * reaches another instance than the one before; the API calls and token
 * requests name their instance directly.
 */
describe(`three gateway instances behind a load balancer, on one real Redis (${NEEDS_REDIS})`, function () {
  this.timeout(60000);
  let cluster: Cluster;
  let chromium: Chromium;
  let page: Page;
  let decisionInstance: number;

  before(async function () {
    if (!process.env.REDIS_URL) return this.skip();
    [cluster, chromium] = await Promise.all([startCluster({ device: { interval: 1 } }), launchChromium()]);
    page = await chromium.newPage();
    page.setDefaultTimeout(10000);
  });
  after(async function () {
    await chromium?.close();
    await cluster?.stop();
  });

  const callback = () => `${cluster.backendUrl}/callback`;
  const clientAuth = () => ({ Authorization: basic(cluster.app.id, cluster.app.secret) });
  const at = (
    instance: number,
    path: string,
    form: Record<string, string>,
    headers: Record<string, string> = clientAuth()
  ) => postForm(`${cluster.instances[instance].url}${path}`, form, headers);
  const callApi = (instance: number, token: string) =>
    request(`${cluster.instances[instance].url}/api`, { headers: { Authorization: `Bearer ${token}` } });
  /** What the balancer routed since `mark`: "METHOD path -> instance number". */
  const routedSince = (mark: number) =>
    cluster.balancer.routed
      .slice(mark)
      .map(({ method, path, instance }) => `${method} ${path.split('?')[0]} -> ${instance + 1}`);

  function authorizeUrl(challenge: string): string {
    return `${cluster.balancer.url}/oauth2/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: cluster.app.id,
      redirect_uri: callback(),
      scope: 'read write',
      state: 'xyz',
      code_challenge: challenge,
      code_challenge_method: 'S256'
    })}`;
  }

  async function refusedWithin(instance: number, token: string, ms: number): Promise<void> {
    const started = Date.now();
    while (Date.now() - started < ms) {
      if ((await callApi(instance, token)).status === 401) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`instance ${instance + 1} still accepts the token ${ms} ms after its revocation`);
  }

  it('signs in and consents with each browser request on another instance, then exchanges, refreshes, calls and revokes across instances', async function () {
    const pkce = pkcePair();
    await page.goto(authorizeUrl(pkce.challenge));
    expect(await page.textContent('h1')).to.equal('Sign in');
    await page.fill('#username', cluster.user.username);
    await page.fill('#password', cluster.user.password);
    await Promise.all([page.waitForURL(/\/oauth2\/authorize\?/), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).to.equal('Allow access?');
    await Promise.all([page.waitForURL(`${callback()}?*`), page.click('button[name=allow]')]);
    expect(routedSince(0)).to.deep.equal([
      'GET /oauth2/authorize -> 1',
      'GET /oauth2/login -> 2', // the session and its CSRF token are created here ...
      'POST /oauth2/login -> 3', // ... and checked here
      'GET /oauth2/authorize -> 1', // the pending authorization goes into the session here ...
      'POST /oauth2/authorize/decision -> 2' // ... and is decided here
    ]);
    decisionInstance = 1;
    const received = new URL(page.url()).searchParams;
    expect(received.get('state')).to.equal('xyz');

    const code = received.get('code')!;
    const tokens = await at(0, '/oauth2/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: callback(),
      code_verifier: pkce.verifier
    });
    expect(tokens.status, tokens.text).to.equal(200);
    const refreshed = await at(1, '/oauth2/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.json.refresh_token
    });
    expect(refreshed.status, refreshed.text).to.equal(200);
    for (const instance of [0, 1, 2])
      expect((await callApi(instance, refreshed.json.access_token)).status, `instance ${instance + 1}`).to.equal(200);

    const revoked = await at(2, '/oauth2/revoke', { token: refreshed.json.refresh_token });
    expect(revoked.status).to.equal(200);
    await refusedWithin(0, refreshed.json.access_token, 1000);
    await refusedWithin(1, refreshed.json.access_token, 1000);
    await refusedWithin(1, tokens.json.access_token, 1000);
  });

  it('honours on one instance the consent remembered on another; a code replayed on another instance revokes its tokens everywhere', async function () {
    const mark = cluster.balancer.routed.length;
    const pkce = pkcePair();
    await page.goto(authorizeUrl(pkce.challenge));
    expect(page.url(), 'no consent page this time').to.match(new RegExp(`^${callback()}\\?`));
    const [step] = cluster.balancer.routed.slice(mark);
    expect(step.instance).not.to.equal(decisionInstance);
    const code = new URL(page.url()).searchParams.get('code')!;
    const tokens = await at(step.instance, '/oauth2/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: callback(),
      code_verifier: pkce.verifier
    });
    expect(tokens.status, tokens.text).to.equal(200);
    expect(tokens.json.scope).to.equal('read write');
    const elsewhere = (step.instance + 1) % 3;
    const replayed = await at(elsewhere, '/oauth2/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: callback(),
      code_verifier: pkce.verifier
    });
    expect(replayed.json.error, replayed.text).to.equal('invalid_grant');
    await refusedWithin((elsewhere + 1) % 3, tokens.json.access_token, 1000);
  });

  it('starts its instances without a warning about settings that differ, as they have the same', function () {
    for (const instance of cluster.instances) expect(instance.output()).not.to.contain('started with other settings');
  });

  it("runs the device flow with its start, the user's approval and the polls on different instances", async function () {
    const tv = await cluster.instances[0].admin.registerClient(
      { name: 'Living room TV', userId: cluster.developer.id, public: 'true' },
      ['read']
    );
    const started = await at(0, '/oauth2/device_authorization', { client_id: tv.id, scope: 'read' }, {});
    expect(started.status, started.text).to.equal(200);
    expect(started.json.verification_uri).to.equal(`${cluster.balancer.url}/oauth2/device`);
    const poll = (instance: number): Promise<Reply> =>
      at(
        instance,
        '/oauth2/token',
        { grant_type: DEVICE_CODE, device_code: started.json.device_code, client_id: tv.id },
        {}
      );
    expect((await poll(1)).json.error).to.equal('authorization_pending');

    const mark = cluster.balancer.routed.length;
    await page.goto(started.json.verification_uri_complete); // signed in by the session of the first test
    expect(await page.textContent('h1')).to.equal('Connect a device');
    expect(await page.inputValue('#user_code')).to.equal(started.json.user_code);
    await Promise.all([
      page.waitForResponse((res) => res.url().endsWith('/oauth2/device')),
      page.click('button[type=submit]')
    ]);
    expect(await page.textContent('h1')).to.equal('Allow access?');
    await Promise.all([
      page.waitForResponse((res) => res.url().endsWith('/oauth2/device/decision')),
      page.click('button[name=allow]')
    ]);
    expect(await page.textContent('h1')).to.equal('Device connected');
    const steps = cluster.balancer.routed.slice(mark);
    expect(steps.map(({ method, path }) => `${method} ${path.split('?')[0]}`)).to.deep.equal([
      'GET /oauth2/device',
      'POST /oauth2/device',
      'POST /oauth2/device/decision'
    ]);
    expect(new Set(steps.map(({ instance }) => instance)).size, 'three steps, three instances').to.equal(3);

    await new Promise((r) => setTimeout(r, 1100)); // the interval since the first poll
    const tokens = await poll(2);
    expect(tokens.status, tokens.text).to.equal(200);
    expect(tokens.json.scope).to.equal('read');
    expect((await callApi(0, tokens.json.access_token)).status).to.equal(200);
  });
});

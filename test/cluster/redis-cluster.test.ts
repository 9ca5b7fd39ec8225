import { expect } from 'chai';
import Redis from 'ioredis';
import { Browser, hiddenField, signInForm } from '../../support/browser';
import { RunningGateway, startGateway } from '../../support/gateway';
import { basic, postForm, Reply, request } from '../../support/http';
import { LocalRedisCluster } from '../../support/redis-cluster';
import { TokenKeys } from '../../lib/store/token-keys';
import { authorize, codeParams, decide, REDIRECT_URI, TEST_PKCE } from '../helpers/flow';
import { OwnRedis } from '../helpers/redis-server';
import { startWorld, World } from '../helpers/world';

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
const STORE_TIMEOUT = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Issue 19, part 2: two gateway instances keep the plugin's data on a Redis
 * Cluster of three primaries and their replicas (store.redis.cluster), EG's
 * consumers on a Redis of their own, and a primary crashes under load.
 * Runs once per CI run (in the pass without REDIS_URL): it starts its own
 * redis-server processes either way.
 */
describe('two gateway instances on a Redis Cluster (store.redis.cluster)', function () {
  this.timeout(60000);
  let cluster: LocalRedisCluster;
  let egRedis: OwnRedis;
  let first: World;
  let second: RunningGateway;
  let tv: { id: string; secret: string };
  const namespace = `C${Math.random().toString(36).slice(2, 8)}`;
  const keys = new TokenKeys(`${namespace}-oauth2-plugin:`, true);

  const onSecond = (path: string, token: string) =>
    request(`${second.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  const tokenOn = (gateway: RunningGateway, params: Record<string, string>) =>
    postForm(`${gateway.url}/oauth2/token`, params, { Authorization: basic(first.app.id, first.app.secret) });
  const passwordGrant = (gateway: RunningGateway) =>
    tokenOn(gateway, { grant_type: 'password', username: first.user.username, password: first.user.password });

  before(async function () {
    if (process.env.REDIS_URL) return this.skip(); // runs once, in the pass on the emulated store
    if (!LocalRedisCluster.available() || !OwnRedis.available()) {
      console.log('      (skipped: these tests start their own redis-server processes, which are not installed)');
      return this.skip();
    }
    [cluster, egRedis] = await Promise.all([LocalRedisCluster.start(), OwnRedis.start()]);
    const options = {
      namespace,
      redis: egRedis.gatewayConfig(namespace),
      settings: {
        issuer: 'https://auth.example.com',
        // One node is enough for ioredis to find the rest.
        store: { redis: { cluster: cluster.nodes.slice(0, 1) }, timeout: STORE_TIMEOUT },
        device: { interval: 1 }
      }
    };
    first = await startWorld(options);
    second = await startGateway({ ...options, gateway: { ...secondPipelines(first.backendUrl) } });
    tv = await first.gateway.admin.registerClient({ name: 'TV', userId: first.user.id, public: 'true' }, ['read']);
  });
  after(async function () {
    await second?.stop();
    await first?.stop();
    await cluster?.stop();
    await egRedis?.destroy();
  });

  it('keeps every token and grant on the cluster, spread over its primaries, and none in EG’s Redis', async function () {
    for (let i = 0; i < 12; i++) expect((await passwordGrant(first.gateway)).status).to.equal(200);
    const eg = new Redis({ port: egRedis.port, host: '127.0.0.1' });
    try {
      expect(await eg.keys(`${namespace}-oauth2-plugin:*`)).to.deep.equal([]);
    } finally {
      eg.disconnect();
    }
    const perPrimary = await cluster.keysPerPrimary(`${namespace}-oauth2-plugin:*`);
    expect(
      perPrimary.filter((count) => count > 0),
      'keys on every primary'
    ).to.have.length(3);
  });

  it('answers on one instance for tokens the other issued: API calls, introspection, refresh with rotation', async function () {
    const issued = (await passwordGrant(first.gateway)).json;
    expect((await onSecond('/api', issued.access_token)).status).to.equal(200);
    const resourceServer = await first.addClient('resource-server', ['introspection']);
    const introspected = await postForm(
      `${second.url}/oauth2/introspect`,
      { token: issued.access_token },
      { Authorization: basic(resourceServer.id, resourceServer.secret) }
    );
    expect(introspected.json.active, introspected.text).to.equal(true);
    const refreshed = await tokenOn(second, { grant_type: 'refresh_token', refresh_token: issued.refresh_token });
    expect(refreshed.status, refreshed.text).to.equal(200);
    const replay = await tokenOn(first.gateway, { grant_type: 'refresh_token', refresh_token: issued.refresh_token });
    expect(replay.json.error, 'a rotated refresh token replayed on the other instance').to.equal('invalid_grant');
  });

  it('signs a user in on one instance and finishes the code flow on the other (sessions and codes on the cluster)', async function () {
    const browser = new Browser(first.gateway.url);
    const consent = await authorize(browser, first, codeParams(first));
    const onSecondBrowser = browser.at(second.url);
    const again = await onSecondBrowser.get(`/oauth2/authorize?${new URLSearchParams(codeParams(first))}`);
    expect(again.status, again.text.slice(0, 300)).to.equal(200);
    expect(again.text, 'the session made on the first instance').to.contain('Allow access?');
    const redirect = await decide(browser, consent, true);
    const code = redirect.searchParams.get('code')!;
    const exchanged = await tokenOn(second, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: TEST_PKCE.verifier
    });
    expect(exchanged.status, exchanged.text).to.equal(200);
    const replayed = await tokenOn(first.gateway, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: TEST_PKCE.verifier
    });
    expect(replayed.json.error).to.equal('invalid_grant');
  });

  it('runs the device flow across both: started on one, approved and polled on the other', async function () {
    const device = (await postForm(`${first.gateway.url}/oauth2/device_authorization`, { client_id: tv.id })).json;
    const browser = new Browser(second.url);
    let page = await browser.get(`/oauth2/device?user_code=${device.user_code}`);
    const login = await browser.get(page.headers.get('location')!);
    page = await browser.follow(
      await browser.post('/oauth2/login', signInForm(login, first.user.username, first.user.password))
    );
    const consent = await browser.post('/oauth2/device', {
      _csrf: hiddenField(page.text, '_csrf'),
      user_code: device.user_code
    });
    expect(consent.text).to.contain('Allow access?');
    const done = await browser.post('/oauth2/device/decision', {
      _csrf: hiddenField(consent.text, '_csrf'),
      user_code: hiddenField(consent.text, 'user_code'),
      allow: 'Allow'
    });
    expect(done.status).to.equal(200);
    const tokens = await postForm(`${second.url}/oauth2/token`, {
      grant_type: DEVICE_CODE,
      device_code: device.device_code,
      client_id: tv.id
    });
    expect(tokens.status, tokens.text).to.equal(200);
  });

  it('refuses on one instance, within a second, a token whose grant was revoked on the other (pub/sub across nodes)', async function () {
    const issued = (await passwordGrant(first.gateway)).json;
    expect((await onSecond('/api', issued.access_token)).status).to.equal(200); // now in the second's memory
    const revoked = await postForm(
      `${first.gateway.url}/oauth2/revoke`,
      { token: issued.refresh_token },
      { Authorization: basic(first.app.id, first.app.secret) }
    );
    expect(revoked.status).to.equal(200);
    expect(await refusedWithin(() => onSecond('/api', issued.access_token), 1000)).to.be.below(1000);
  });

  it('revokes every grant of an app from its index, without a keyspace SCAN, on every instance', async function () {
    const app = await first.addClient('revoke-all', ['read']);
    const grants = await Promise.all(
      Array.from({ length: 20 }, () =>
        postForm(
          `${first.gateway.url}/oauth2/token`,
          { grant_type: 'client_credentials' },
          {
            Authorization: basic(app.id, app.secret)
          }
        )
      )
    );
    const tokens = grants.map((reply) => reply.json.access_token as string);
    for (const token of tokens.slice(0, 3)) expect((await onSecond('/api', token)).status).to.equal(200);
    const scansBefore = await cluster.commandCount('scan');
    const res = await request(`${first.gateway.adminUrl}/oauth2/apps/${app.id}/tokens`, { method: 'DELETE' });
    expect(res.status, res.text).to.equal(200);
    expect(await cluster.commandCount('scan'), 'SCAN calls on the cluster').to.equal(scansBefore);
    for (const token of tokens) expect((await onSecond('/api', token)).status).to.equal(401);
  });

  it('lists on one instance the grants a user gave, and takes an app\'s access back on the "Connected apps" page of the other', async function () {
    const app = await first.addClient('connected-on-cluster', ['read']);
    const issued = await Promise.all(
      Array.from({ length: 5 }, () =>
        postForm(
          `${first.gateway.url}/oauth2/token`,
          { grant_type: 'password', username: first.user.username, password: first.user.password, scope: 'read' },
          { Authorization: basic(app.id, app.secret) }
        )
      )
    );
    const listed = await request(`${second.adminUrl}/oauth2/users/${first.user.id}/grants`);
    expect(listed.status, listed.text).to.equal(200);
    const ofApp = (listed.json.grants as Array<{ appId: string; scope: string }>).filter((g) => g.appId === app.id);
    expect(ofApp).to.have.length(5);
    expect(ofApp[0]!.scope).to.equal('read');

    const browser = new Browser(second.url);
    const toLogin = await browser.get('/oauth2/connected-apps');
    const loginPage = await browser.get(toLogin.headers.get('location')!);
    await browser.post('/oauth2/login', signInForm(loginPage, first.user.username, first.user.password));
    const page = await browser.get('/oauth2/connected-apps');
    expect(page.text).to.contain('connected-on-cluster');
    const revoked = await browser.post(`/oauth2/connected-apps/${app.id}/revoke`, {
      _csrf: hiddenField(page.text, '_csrf')
    });
    expect(revoked.status).to.equal(303);
    for (const reply of issued) {
      const token = reply.json.access_token as string;
      expect(await refusedWithin(() => first.api(token), 1000)).to.be.below(1000);
    }
  });

  describe('when a primary crashes under load', function () {
    let before: { access: string[]; refresh: string[] };
    const replies: Array<{ at: number; took: number; status: number; error?: string }> = [];
    let killedAt = 0;
    let failedOverAt = 0;

    it('answers every request 200 or 503 temporarily_unavailable within store.timeout, and recovers by itself within 5 s', async function () {
      // Tokens issued before the crash, over many grants (so many slots), never checked by the second instance.
      const issued = await Promise.all(Array.from({ length: 30 }, () => passwordGrant(first.gateway)));
      before = {
        access: issued.map((reply) => reply.json.access_token),
        refresh: issued.map((reply) => reply.json.refresh_token)
      };
      await cluster.replicated();
      // The primary of the app's grant index: every token issued to the app writes there.
      const victim = await cluster.primaryOf(keys.ownedGrants('app', first.app.id));
      let stop = false;
      const load = (async () => {
        while (!stop) {
          const sent = Date.now();
          const reply = await tokenOn(second, { grant_type: 'client_credentials' });
          replies.push({ at: sent, took: Date.now() - sent, status: reply.status, error: reply.json?.error });
          await sleep(50);
        }
      })();
      await sleep(500);
      killedAt = Date.now();
      await cluster.killPrimary(victim);
      failedOverAt = Date.now();
      // Until it has answered 200 for a second without a break, or for 8 s.
      const until = Date.now() + 8000;
      while (Date.now() < until && !recoveredFor(replies, 1000)) await sleep(100);
      stop = true;
      await load;

      for (const reply of replies) {
        expect([200, 503], JSON.stringify(reply)).to.include(reply.status);
        if (reply.status === 503) expect(reply.error).to.equal('temporarily_unavailable');
        expect(reply.took, 'answered within store.timeout').to.be.below(STORE_TIMEOUT * 2 + 500);
      }
      const firstBack = replies.find((reply) => reply.at >= failedOverAt && reply.status === 200);
      expect(firstBack, JSON.stringify(replies.slice(-10))).to.not.equal(undefined);
      expect(firstBack!.at - failedOverAt, 'back within 5 s of the failover').to.be.below(5000);
      expect(recoveredFor(replies, 1000), 'then stays up').to.equal(true);
      console.log(
        `      (failover: ${failedOverAt - killedAt} ms; ${replies.filter((r) => r.status === 503).length} of ` +
          `${replies.length} requests answered 503; first 200 ${firstBack!.at - failedOverAt} ms after it)`
      );
    });

    it('loses no token or grant issued before the crash', async function () {
      for (const token of before.access) expect((await onSecond('/api', token)).status).to.equal(200);
      for (const token of before.refresh.slice(0, 5)) {
        const refreshed = await tokenOn(second, { grant_type: 'refresh_token', refresh_token: token });
        expect(refreshed.status, refreshed.text).to.equal(200);
      }
    });
  });

  async function refusedWithin(call: () => Promise<Reply>, ms: number): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < ms) {
      if ((await call()).status === 401) return Date.now() - started;
      await sleep(20);
    }
    throw new Error(`still accepted ${ms} ms after its revocation`);
  }
});

/** Whether the last replies, over `ms`, were all 200. */
function recoveredFor(replies: Array<{ at: number; status: number }>, ms: number): boolean {
  const last = replies.at(-1);
  if (!last) return false;
  const recent = replies.filter((reply) => reply.at >= last.at - ms);
  return last.at - (recent[0]?.at ?? last.at) >= ms * 0.8 && recent.every((reply) => reply.status === 200);
}

/** The second instance's pipelines: the protected API the first one has too. */
function secondPipelines(backendUrl: string): Record<string, unknown> {
  return {
    apiEndpoints: { api: { host: '*', paths: ['/api'] } },
    serviceEndpoints: { backend: { url: backendUrl } },
    pipelines: {
      protected: {
        apiEndpoints: ['api'],
        policies: [{ oauth2: [{ action: {} }] }, { proxy: [{ action: { serviceEndpoint: 'backend' } }] }]
      }
    }
  };
}

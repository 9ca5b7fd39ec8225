import { expect } from 'chai';
import { Browser, hiddenField, pkcePair } from '../../support/browser';
import { answered } from '../helpers/deadline';
import { authorize, codeParams } from '../helpers/flow';
import { basic, postForm, Reply, request } from '../../support/http';
import { OwnRedis, REDIS_SERVER } from '../helpers/redis-server';
import { startWorld, World } from '../helpers/world';

/** 503 temporarily_unavailable, as RFC 6749 §5.2 JSON, with nothing of the failure's internals. */
function expectUnavailable(res: Reply): void {
  expect(res.status, res.text).to.equal(503);
  expect(res.json?.error, res.text).to.equal('temporarily_unavailable');
  expect(res.text).not.to.match(/Error:|\bat \S+:\d+:\d+|ECONNREFUSED|Stream isn't|timed out/);
}

/** The gateway process still runs and never saw a rejection nobody handled. */
function expectAlive(world: World): void {
  expect(world.gateway.process.exitCode, world.gateway.output()).to.equal(null);
  expect(world.gateway.output()).not.to.match(/unhandled|uncaught/i);
}

describe('a gateway whose Redis stops, goes silent and comes back', function () {
  let redis: OwnRedis;
  let world: World;
  /** Issued while Redis was up. */
  let tokens: { clientCredentials: string; password: { access_token: string; refresh_token: string }; unused: string };
  /** Signed in while Redis was up, with the consent page it was shown. */
  let browser: Browser;
  let consent: Reply;
  /** Not signed in, with the login form it was shown while Redis was up. */
  let visitor: Browser;
  let loginForm: Reply;

  const api = (token: string) => world.api(token);
  const clientCredentials = () =>
    answered('client_credentials grant', world.token({ grant_type: 'client_credentials' }));
  const passwordGrant = () =>
    answered(
      'password grant',
      world.token({ grant_type: 'password', username: world.user.username, password: world.user.password })
    );
  const asClient = () => ({ Authorization: basic(world.app.id, world.app.secret) });

  before(async function () {
    if (!OwnRedis.available()) {
      console.log(`      (skipped: these tests start their own ${REDIS_SERVER}, which is not installed)`);
      return this.skip();
    }
    redis = await OwnRedis.start();
    world = await startWorld({ redis: redis.gatewayConfig(`F${Math.random().toString(36).slice(2, 8)}`) });
    const password = await world.token({
      grant_type: 'password',
      username: world.user.username,
      password: world.user.password,
      scope: 'read'
    });
    expect(password.status, password.text).to.equal(200);
    tokens = {
      clientCredentials: (await world.token({ grant_type: 'client_credentials' })).json.access_token,
      password: password.json,
      unused: (await world.token({ grant_type: 'client_credentials' })).json.access_token
    };
    expect((await api(tokens.clientCredentials)).status).to.equal(200);
    browser = new Browser(world.gateway.url);
    consent = await authorize(
      browser,
      world,
      codeParams(world, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' })
    );
    expect(consent.status, consent.text.slice(0, 300)).to.equal(200);
    visitor = new Browser(world.gateway.url);
    loginForm = await visitor.get('/oauth2/login');
  });
  after(async function () {
    await world?.stop();
    await redis?.destroy();
  });

  describe('while Redis is frozen (connections open, nothing answers)', function () {
    before(function () {
      redis.freeze();
    });
    after(function () {
      redis.thaw();
    });

    it('answers the token endpoint, the policy and the pages 503 within store.timeout, instead of hanging', async function () {
      const [tokenReply, apiReply, page] = await Promise.all([
        clientCredentials(),
        // A token the gateway never checked: nothing about it can be cached, so only Redis can tell.
        answered('API call', api(tokens.unused)),
        answered('authorize, signed in', browser.get(`/oauth2/authorize?${new URLSearchParams(codeParams(world))}`))
      ]);
      expectUnavailable(tokenReply);
      expect(tokenReply.headers.get('cache-control')).to.equal('no-store');
      expectUnavailable(apiReply);
      expect(page.status, page.text.slice(0, 300)).to.equal(503);
      expectAlive(world);
    });
  });

  describe('while Redis is stopped', function () {
    before(async function () {
      await redis.stop();
    });

    it('answers the client_credentials and password grants 503 temporarily_unavailable, not to be cached', async function () {
      for (const reply of [await clientCredentials(), await passwordGrant()]) {
        expectUnavailable(reply);
        expect(reply.headers.get('cache-control')).to.equal('no-store');
      }
    });

    it('answers an API call with a token issued before the outage 503, neither 401 nor 500', async function () {
      expectUnavailable(await answered('API call', api(tokens.clientCredentials)));
    });

    it('answers refresh, introspection, revocation and device authorization 503', async function () {
      expectUnavailable(
        await answered(
          'refresh',
          world.token({ grant_type: 'refresh_token', refresh_token: tokens.password.refresh_token })
        )
      );
      expectUnavailable(
        await answered(
          'introspect',
          postForm(`${world.gateway.url}/oauth2/introspect`, { token: tokens.clientCredentials }, asClient())
        )
      );
      expectUnavailable(
        await answered(
          'revoke',
          postForm(`${world.gateway.url}/oauth2/revoke`, { token: tokens.clientCredentials }, asClient())
        )
      );
      expectUnavailable(
        await answered(
          'device authorization',
          postForm(`${world.gateway.url}/oauth2/device_authorization`, { scope: 'read' }, asClient())
        )
      );
    });

    it('answers the pages and forms of a signed-in browser and of new visitors 503 with a readable page', async function () {
      const pages: Array<[string, () => Promise<Reply>]> = [
        ['authorize, signed in', () => browser.get(`/oauth2/authorize?${new URLSearchParams(codeParams(world))}`)],
        [
          'consent decision',
          () =>
            browser.post('/oauth2/authorize/decision', {
              _csrf: hiddenField(consent.text, '_csrf'),
              transaction_id: hiddenField(consent.text, 'transaction_id'),
              allow: 'Allow'
            })
        ],
        ['device page, signed in', () => browser.get('/oauth2/device')],
        // A form whose CSRF token could not be stored could never be sent: no 200 form either.
        ['login page, new visitor', () => new Browser(world.gateway.url).get('/oauth2/login')],
        [
          'login form',
          () =>
            visitor.post('/oauth2/login', {
              _csrf: hiddenField(loginForm.text, '_csrf'),
              username: world.user.username,
              password: world.user.password
            })
        ]
      ];
      for (const [what, send] of pages) {
        const page = await answered(what, send());
        expect(page.status, `${what}: ${page.text.slice(0, 300)}`).to.equal(503);
        expect(page.headers.get('content-type'), what).to.match(/^text\/html|^application\/json/);
        expect(page.text, what).not.to.match(/Error:|\bat \S+:\d+:\d+/);
      }
    });

    it('keeps running, with no unhandled rejection', async function () {
      expectAlive(world);
    });
  });

  describe('once Redis is back', function () {
    before(async function () {
      await redis.start();
    });

    it('recovers by itself within seconds: tokens issued before the outage open the API again and new ones are issued', async function () {
      const started = Date.now();
      let last = await answered('API call', api(tokens.clientCredentials));
      while (last.status !== 200 && Date.now() - started < 10000) {
        await new Promise((r) => setTimeout(r, 200));
        last = await answered('API call', api(tokens.clientCredentials));
      }
      expect(last.status, `still ${last.status} ${last.text} 10 s after Redis came back`).to.equal(200);
      expect((await api(tokens.password.access_token)).status).to.equal(200);
      const fresh = await clientCredentials();
      expect(fresh.status, fresh.text).to.equal(200);
      expect((await api(fresh.json.access_token)).status).to.equal(200);
      const refreshed = await answered(
        'refresh',
        world.token({ grant_type: 'refresh_token', refresh_token: tokens.password.refresh_token })
      );
      expect(refreshed.status, refreshed.text).to.equal(200);
      const again = await answered(
        'authorize',
        browser.get(
          `/oauth2/authorize?${new URLSearchParams(codeParams(world, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }))}`
        )
      );
      expect(again.status, 'the browser is still signed in').to.equal(200);
      expectAlive(world);
    });
  });

  describe("EG's own admin API, and the log, across an outage (issue 16, item 6)", function () {
    it("leaves EG's admin API waiting for Redis as EG does without the plugin, answering once it is back, never a raw 500", async function () {
      this.timeout(30000);
      await redis.stop();
      const pending = request(`${world.gateway.adminUrl}/users`);
      const early = await Promise.race([
        pending,
        new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1000))
      ]);
      expect(early, 'EG queues its commands while it reconnects; the plugin must not turn that off').to.equal(
        'still waiting'
      );
      await redis.start();
      const res = await pending;
      expect(res.status, res.text).to.equal(200);
      expect(res.text).not.to.match(/Stream isn't writeable/);
    });

    it('logs one line when Redis goes away and one when it is back, per outage, not one per reconnection attempt or failed request', async function () {
      const count = (pattern: RegExp) => (world.gateway.output().match(pattern) ?? []).length;
      const lost = /oauth2: lost the connection to Redis at /g;
      const back = /oauth2: Redis at \S+ is back after \d+\.\d s/g;
      // The plugin's connection retries on its own schedule: wait until it has said it is back.
      const deadline = Date.now() + 10000;
      while (count(back) < count(lost) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      const output = world.gateway.output();
      expect(count(back), output).to.equal(count(lost));
      // Two outages in this file (ioredis may find a stopping server once more before it is gone), over several seconds
      // of reconnection attempts and dozens of failed requests.
      expect(count(lost), output).to.be.within(2, 4);
      expect((output.match(/temporarily_unavailable/g) ?? []).length, output).to.be.at.most(6);
    });
  });
});

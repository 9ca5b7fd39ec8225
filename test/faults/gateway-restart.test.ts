import { expect } from 'chai';
import { Browser, pkcePair } from '../../support/browser';
import { answered } from '../helpers/deadline';
import { authorize, authorizeUrl, codeParams, decide, REDIRECT_URI } from '../helpers/flow';
import { RunningGateway, startGateway } from '../../support/gateway';
import { OwnRedis, REDIS_SERVER } from '../helpers/redis-server';
import { startWorld, World } from '../helpers/world';

/**
 * Everything the gateway hands out lives in Redis, so a gateway that dies
 * (SIGKILL, no shutdown) in the middle of serving loses nothing: started
 * again with the same settings, it honours every token it answered, the
 * refresh token, the unexchanged code and the browser's sign-in.
 */
describe('a gateway killed mid-load and started again on the same Redis', function () {
  const settings = { consent: { remember: false } };
  const namespace = `R${Math.random().toString(36).slice(2, 8)}`;
  let redis: OwnRedis;
  let world: World;
  let restarted: RunningGateway | undefined;

  const api = (token: string) => world.api(token);

  before(async function () {
    if (!OwnRedis.available()) {
      console.log(`      (skipped: these tests start their own ${REDIS_SERVER}, which is not installed)`);
      return this.skip();
    }
    redis = await OwnRedis.start();
    world = await startWorld({ redis: redis.gatewayConfig(namespace), settings });
  });
  after(async function () {
    await restarted?.stop();
    await world?.stop();
    await redis?.destroy();
  });

  /** Token requests and API calls from a few clients at once until stopped; the access tokens answered 200. */
  function startLoad(token: string): { issued: string[]; stop(): Promise<void> } {
    const issued: string[] = [];
    let running = true;
    async function client(): Promise<void> {
      while (running) {
        try {
          const reply = await world.token({ grant_type: 'client_credentials' });
          if (reply.status === 200) issued.push(reply.json.access_token);
          await api(token);
        } catch {
          // The gateway died under this request: no answer, nothing promised.
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    }
    const clients = Promise.all([1, 2, 3, 4].map(() => client()));
    return {
      issued,
      async stop() {
        running = false;
        await clients;
      }
    };
  }

  it('loses no token, refresh token, code or session, and honours every token it answered before dying', async function () {
    const password = await world.token({
      grant_type: 'password',
      username: world.user.username,
      password: world.user.password,
      scope: 'read'
    });
    expect(password.status, password.text).to.equal(200);
    const browser = new Browser(world.gateway.url);
    const pkce = pkcePair();
    const consent = await authorize(
      browser,
      world,
      codeParams(world, { code_challenge: pkce.challenge, code_challenge_method: 'S256' })
    );
    const code = (await decide(browser, consent, true)).searchParams.get('code')!;

    const load = startLoad(password.json.access_token);
    while (load.issued.length < 10) await new Promise((r) => setTimeout(r, 20));
    world.gateway.process.kill('SIGKILL');
    await world.gateway.exited;
    await load.stop();

    restarted = await startGateway({
      port: Number(new URL(world.gateway.url).port),
      redis: redis.gatewayConfig(namespace),
      settings,
      gateway: {
        apiEndpoints: { api: { host: '*', paths: ['/api'] } },
        serviceEndpoints: { backend: { url: world.backendUrl } },
        pipelines: {
          api: {
            apiEndpoints: ['api'],
            policies: [{ oauth2: [{ action: {} }] }, { proxy: [{ action: { serviceEndpoint: 'backend' } }] }]
          }
        }
      }
    });

    for (const token of [password.json.access_token, ...load.issued]) {
      expect((await answered('API call', api(token))).status, 'a token answered before the crash').to.equal(200);
    }
    const refreshed = await answered(
      'refresh',
      world.token({ grant_type: 'refresh_token', refresh_token: password.json.refresh_token })
    );
    expect(refreshed.status, refreshed.text).to.equal(200);
    const exchanged = await answered(
      'code exchange',
      world.token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: pkce.verifier })
    );
    expect(exchanged.status, exchanged.text).to.equal(200);
    const again = await answered(
      'authorize',
      browser.get(
        authorizeUrl(codeParams(world, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }))
      )
    );
    expect(again.status, 'still signed in: the consent page, not a redirect to the login').to.equal(200);
    expect(again.text).to.contain(world.app.name);
    expect(restarted.output()).not.to.match(/unhandled|uncaught/i);
  });
});

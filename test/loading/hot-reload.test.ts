import { expect } from 'chai';
import { FakeServer, startFakeServer } from '../helpers/fake-server';
import { RunningGateway, startGateway } from '../../support/gateway';
import { request } from '../../support/http';
import { signJwt } from '../helpers/keys';

const SECRET = new TextEncoder().encode('a jwt secret of at least thirty-two bytes!!');
const ISSUER = 'https://issuer.reload.example';

/**
 * Issue 18, item 2: EG's hot reload runs the plugin's init again and builds
 * every pipeline anew, in the same process. What the plugin keeps for the
 * process (caches, change feeds, their listeners and Redis subscriptions)
 * is reused while its configuration holds and disposed when nothing asks
 * for it any more: many reloads, each with other policy parameters, leave
 * as much behind as a few.
 */
describe('the plugin across many hot reloads of gateway.config', function () {
  this.timeout(120000);
  let gateway: RunningGateway;
  let backend: FakeServer;

  const pipelineFor = (audience: string) => ({
    apiEndpoints: { api: { host: '*', paths: ['/api'] } },
    serviceEndpoints: { backend: { url: backend.url } },
    pipelines: {
      api: {
        apiEndpoints: ['api'],
        policies: [
          {
            oauth2: [
              {
                action: {
                  tokenStrategy: 'jwt',
                  jwt: { issuer: ISSUER, audience, keys: { secret: new TextDecoder().decode(SECRET) }, typ: '' }
                }
              }
            ]
          },
          { proxy: [{ action: { serviceEndpoint: 'backend' } }] }
        ]
      }
    }
  });
  const tokenFor = (audience: string) =>
    signJwt(
      SECRET,
      { alg: 'HS256' },
      { iss: ISSUER, aud: audience, sub: 'u', exp: Math.floor(Date.now() / 1000) + 300 }
    );
  const call = async (audience: string) =>
    (await request(`${gateway.url}/api`, { headers: { Authorization: `Bearer ${await tokenFor(audience)}` } })).status;

  /** The counts of the latest "kept for the process" line, once there are `lines` of them. */
  async function keptAfter(lines: number): Promise<string> {
    const deadline = Date.now() + 15000;
    for (;;) {
      const seen = gateway.output().match(/kept for the process: [^\n]*/g) ?? [];
      if (seen.length >= lines) return seen[lines - 1];
      if (Date.now() > deadline)
        throw new Error(`no "kept for the process" line number ${lines}:\n${gateway.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  before(async function () {
    backend = await startFakeServer(() => ({ body: { ok: true } }));
    gateway = await startGateway({ watchConfig: true, logLevel: 'debug', gateway: { policies: ['oauth2', 'proxy'] } });
  });
  after(async function () {
    await gateway?.stop();
    await backend?.close();
  });

  it('keeps as many values, change listeners and Redis subscriptions after ten reloads as after three, and serves each configuration', async function () {
    let lines = 1;
    await keptAfter(lines); // at start
    const reloadTo = async (reload: number) => {
      const audience = `api-${reload}`;
      expect(await gateway.reload(pipelineFor(audience)), `reload ${reload}`).to.equal(true);
      expect(await call(audience), `reload ${reload}: a token for its audience`).to.equal(200);
      expect(await call(`api-${reload - 1}`), `reload ${reload}: a token for the audience before`).to.equal(401);
    };
    // What a configuration no longer uses is disposed once EG has kept the next one (5 s without a refusal): one line
    // then.
    for (let reload = 1; reload <= 3; reload++) await reloadTo(reload);
    const afterThree = await keptAfter(++lines);
    for (let reload = 4; reload <= 10; reload++) await reloadTo(reload);
    const afterTen = await keptAfter(++lines);
    expect(afterTen).to.equal(afterThree);
  });
});

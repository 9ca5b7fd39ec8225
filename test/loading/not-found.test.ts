import { expect } from 'chai';
import { request } from '../../support/http';
import { startWorld, World } from '../helpers/world';
import { oncePerRun } from '../helpers/once-per-run';

describe('paths under basePath the plugin does not serve (issue 16, item 8)', function () {
  let world: World;
  before(async function () {
    oncePerRun(this);
    world = await startWorld();
  });
  after(async function () {
    await world?.stop();
  });

  it('answers an API client with a JSON 404, not Express\'s "Cannot GET" page', async function () {
    const res = await request(`${world.gateway.url}/oauth2/no-such-endpoint`, {
      headers: { Accept: 'application/json' }
    });
    expect(res.status).to.equal(404);
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    expect(res.json).to.deep.equal({
      error: 'not_found',
      error_description: 'Nothing is served at "/oauth2/no-such-endpoint"'
    });
    const posted = await request(`${world.gateway.url}/oauth2/tokens`, { method: 'POST' });
    expect(posted.status).to.equal(404);
    expect(posted.json.error).to.equal('not_found');
  });

  it('answers a browser with the styled error page', async function () {
    const res = await request(`${world.gateway.url}/oauth2/no-such-page`, {
      headers: { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }
    });
    expect(res.status).to.equal(404);
    expect(res.headers.get('content-type')).to.match(/^text\/html/);
    expect(res.text).to.contain('Page not found').and.not.to.contain('Cannot GET');
    expect(res.text).to.contain('/oauth2/assets/');
  });

  it('says why /oauth2/jwks is missing on a gateway without asymmetric signing keys', async function () {
    const res = await request(`${world.gateway.url}/oauth2/jwks`);
    expect(res.status).to.equal(404);
    expect(res.json.error_description).to.match(
      /publishes no JWK Set: it has no asymmetric signing key \(plugins\.oauth2\.keys\)/
    );
  });

  it("leaves every other path to EG's pipelines", async function () {
    expect((await request(`${world.gateway.url}/api`)).status).to.equal(401);
    expect((await request(`${world.gateway.url}/oauth2x`)).status).to.equal(404);
    expect((await request(`${world.gateway.url}/oauth2x`)).text).not.to.contain('not_found');
  });

  it('leaves unknown paths under basePath to the pipelines when an API endpoint lies there (a gateway that served one before)', async function () {
    const shadowing = await startWorld({
      gateway: {
        apiEndpoints: { userinfo: { host: '*', paths: ['/oauth2/userinfo'] } },
        serviceEndpoints: { backend: { url: 'http://127.0.0.1:9' } },
        pipelines: {
          userinfo: {
            apiEndpoints: ['userinfo'],
            policies: [{ oauth2: null }, { proxy: [{ action: { serviceEndpoint: 'backend' } }] }]
          }
        }
      }
    });
    try {
      const res = await request(`${shadowing.gateway.url}/oauth2/userinfo`);
      expect(res.status, "the pipeline's oauth2 policy answers").to.equal(401);
      expect(res.headers.get('www-authenticate')).to.match(/^Bearer/);
      expect(shadowing.gateway.output()).to.match(
        /apiEndpoints under \/oauth2 \(\/oauth2\/userinfo\): unknown paths there are left to the pipelines/
      );
    } finally {
      await shadowing.stop();
    }
  });
});

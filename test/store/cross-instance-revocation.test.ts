import { expect } from 'chai';
import { RunningGateway, startGateway } from '../../support/gateway';
import { basic, postForm, request } from '../../support/http';
import { Browser, hiddenField } from '../../support/browser';
import { signIn } from '../helpers/flow';
import { startWorld, World } from '../helpers/world';

const KEY = { kid: 'k1', alg: 'HS256', key: 'a key both gateway instances share, 32+ bytes' };

/**
 * Two gateway processes on one real Redis: a revocation on one is refused by
 * the other within a second, including where the other caches validations
 * (its introspection cache listens to revocations over Redis pub/sub).
 */
describe('revocation across gateway instances on a real Redis', function () {
  let first: World;
  let second: RunningGateway;
  before(async function () {
    if (!process.env.REDIS_URL) return this.skip();
    const namespace = `X${Math.random().toString(36).slice(2, 8)}`;
    // One issuer for both instances, as behind a load balancer.
    const settings = { issuer: 'https://auth.example.com', accessToken: { format: 'jwt' }, keys: [KEY] };
    first = await startWorld({ namespace, settings });
    const resourceServer = await first.addClient('resource-server', ['introspection']);
    const proxy = { proxy: [{ action: { serviceEndpoint: 'backend' } }] };
    second = await startGateway({
      namespace,
      settings,
      gateway: {
        apiEndpoints: {
          local: { host: '*', paths: ['/local'] },
          introspected: { host: '*', paths: ['/introspected'] }
        },
        serviceEndpoints: { backend: { url: first.backendUrl } },
        pipelines: {
          local: { apiEndpoints: ['local'], policies: [{ oauth2: [{ action: {} }] }, proxy] },
          introspected: {
            apiEndpoints: ['introspected'],
            policies: [
              {
                oauth2: [
                  {
                    action: {
                      tokenStrategy: 'introspection',
                      introspection: {
                        endpoint: `${first.gateway.url}/oauth2/introspect`,
                        clientId: resourceServer.id,
                        clientSecret: resourceServer.secret,
                        cacheTtl: 300
                      }
                    }
                  }
                ]
              },
              proxy
            ]
          }
        }
      }
    });
  });
  after(async function () {
    await second?.stop();
    await first?.stop();
  });

  const call = (path: string, token: string) =>
    request(`${second.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });

  async function refusedWithin(path: string, token: string, ms: number): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < ms) {
      if ((await call(path, token)).status === 401) return Date.now() - started;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`${path} still accepts the token ${ms} ms after its revocation`);
  }

  /** A user's tokens from the first instance, which the second has validated, and cached where it introspects. */
  async function tokensCachedOnTheSecond(): Promise<{ access_token: string; refresh_token: string }> {
    const tokens = (
      await first.token({ grant_type: 'password', username: first.user.username, password: first.user.password })
    ).json;
    expect((await call('/local', tokens.access_token)).status).to.equal(200);
    expect((await call('/introspected', tokens.access_token)).status).to.equal(200);
    expect((await call('/introspected', tokens.access_token)).status, 'served from the cache').to.equal(200);
    return tokens;
  }

  it('refuses on the second instance, within a second, a token revoked on the first', async function () {
    const tokens = await tokensCachedOnTheSecond();

    const revoked = await postForm(
      `${first.gateway.url}/oauth2/revoke`,
      { token: tokens.refresh_token },
      { Authorization: basic(first.app.id, first.app.secret) }
    );
    expect(revoked.status).to.equal(200);
    expect(await refusedWithin('/local', tokens.access_token, 1000)).to.be.below(1000);
    expect(await refusedWithin('/introspected', tokens.access_token, 1000)).to.be.below(1000);
  });

  it('refuses on the second instance, within a second, the tokens of an app a user revoked on the first\'s "Connected apps" page', async function () {
    const tokens = await tokensCachedOnTheSecond();

    const browser = new Browser(first.gateway.url);
    const toLogin = await browser.get('/oauth2/connected-apps');
    await signIn(browser, first, { ...toLogin, status: 302 });
    const page = await browser.get('/oauth2/connected-apps');
    expect(page.text).to.contain(first.app.name);
    const revoked = await browser.post(`/oauth2/connected-apps/${first.app.id}/revoke`, {
      _csrf: hiddenField(page.text, '_csrf')
    });
    expect(revoked.status).to.equal(303);
    expect(await refusedWithin('/local', tokens.access_token, 1000)).to.be.below(1000);
    expect(await refusedWithin('/introspected', tokens.access_token, 1000)).to.be.below(1000);
    const refreshed = await postForm(
      `${second.url}/oauth2/token`,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      { Authorization: basic(first.app.id, first.app.secret) }
    );
    expect(refreshed.status, 'its refresh token, on the second instance').to.equal(400);
  });

  it('drops cached validations of every token of an app the operator revokes on the first instance', async function () {
    const token = (await first.token({ grant_type: 'client_credentials' })).json.access_token;
    expect((await call('/introspected', token)).status).to.equal(200);
    await request(`${first.gateway.adminUrl}/oauth2/apps/${first.app.id}/tokens`, { method: 'DELETE' });
    expect(await refusedWithin('/introspected', token, 1000)).to.be.below(1000);
  });
});

import { expect } from 'chai';
import { Browser } from '../../support/browser';
import { startGateway } from '../../support/gateway';
import { basic, expectOAuthError, postForm, Reply, request } from '../../support/http';
import { approveDevice } from '../helpers/device';
import { now, signJwt } from '../helpers/keys';
import type { World } from '../helpers/world';
import { BILLING, PARTNER, resourceWorld } from './resource-world';
import { oncePerRun } from '../helpers/once-per-run';

/** What an adversarial review found at the edges of resource indicators (RFC 8707) and resource metadata (RFC 9728). */
describe('resource indicators and metadata at their edges', function () {
  let world: World;
  let orders: string;
  before(async function () {
    world = await resourceWorld();
    orders = `${world.gateway.url}/orders`;
  });
  after(async function () {
    await world?.stop();
  });

  const tokenRequest = (params: Record<string, string>, resources: string[] = []): Promise<Reply> => {
    const form = new URLSearchParams(params);
    for (const resource of resources) form.append('resource', resource);
    return postForm(`${world.gateway.url}/oauth2/token`, form.toString(), {
      Authorization: basic(world.app.id, world.app.secret)
    });
  };
  const password = () => ({ grant_type: 'password', username: world.user.username, password: world.user.password });

  it('derives no identifier from paths that share no literal start, nor takes the issuer itself as one', async function () {
    const refused = await request(`${world.gateway.url}/mcp`);
    expect(refused.status).to.equal(401);
    expect(refused.headers.get('www-authenticate')).not.to.contain('resource_metadata');
    // The origin would name every API of the host: a token "for" it would be a token for all.
    for (const resource of [world.gateway.url, `${world.gateway.url}/`]) {
      const res = await tokenRequest({ grant_type: 'client_credentials' }, [resource]);
      expectOAuthError(res, 400, 'invalid_target', /not one this server issues tokens for/);
    }
  });

  it('takes another spelling of an identifier as the same resource', async function () {
    const url = new URL(orders);
    for (const spelling of [`${orders}/`, `HTTP://${url.host}${url.pathname}`, `${orders}//`]) {
      const res = await tokenRequest({ grant_type: 'client_credentials', scope: 'read' }, [spelling]);
      expect(res.status, `${spelling}: ${res.text}`).to.equal(200);
      expect((await world.api(res.json.access_token, '/orders/1')).status).to.equal(200);
      expect((await world.api(res.json.access_token, '/api/read')).status).to.equal(401);
    }
  });

  it('serves the metadata with a trailing slash or a query, and to a page of any origin', async function () {
    for (const suffix of ['/', '?x=1']) {
      const res = await request(`${world.gateway.url}/.well-known/oauth-protected-resource/orders${suffix}`);
      expect(res.status, suffix).to.equal(200);
      expect(res.json.resource).to.equal(orders);
      expect(res.headers.get('access-control-allow-origin')).to.equal('*');
    }
    const preflight = await request(`${world.gateway.url}/.well-known/oauth-protected-resource/orders`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://agent.example', 'Access-Control-Request-Headers': 'mcp-protocol-version' }
    });
    expect(preflight.status).to.equal(204);
    expect(preflight.headers.get('access-control-allow-methods')).to.equal('GET');
  });

  it('narrows a grant asked for no resource to a derived one, and sends a client asking for a named one to authorize again', async function () {
    const issued = await tokenRequest({ ...password(), scope: 'read' });
    expect(issued.status).to.equal(200);
    const named = await tokenRequest({ grant_type: 'refresh_token', refresh_token: issued.json.refresh_token }, [
      BILLING
    ]);
    // invalid_grant: what makes clients (the MCP SDK among them) start a new authorization, which can name it.
    expectOAuthError(named, 400, 'invalid_grant', /not authorized for the resource.*authorize again/);
    const narrowed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: issued.json.refresh_token }, [
      orders
    ]);
    expect(narrowed.status, narrowed.text).to.equal(200);
    expect((await world.api(narrowed.json.access_token, '/orders/1')).status).to.equal(200);
    expect((await world.api(narrowed.json.access_token, '/api/read')).status).to.equal(401);
    // The grant stays one for no resource: its next token, naming none, works where unbound tokens do.
    const next = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: narrowed.json.refresh_token ?? issued.json.refresh_token
    });
    expect((await world.api(next.json.access_token, '/api/read')).status).to.equal(200);
  });

  it("refuses another issuer's token whose audience names another pipeline's identifier", async function () {
    const key = new TextEncoder().encode(PARTNER.key);
    const claims = { iss: PARTNER.issuer, sub: 'bob', scope: 'read', iat: now(), exp: now() + 300 };
    const own = await signJwt(key, { alg: 'HS256' }, { ...claims, aud: PARTNER.audience });
    expect((await world.api(own, '/partner/x')).status).to.equal(200);
    const forOrders = await signJwt(key, { alg: 'HS256' }, { ...claims, aud: [PARTNER.audience, orders] });
    const refused = await world.api(forOrders, '/partner/x');
    expect(refused.status).to.equal(401);
    expect(refused.headers.get('www-authenticate')).to.contain('not meant for this resource');
  });

  it('binds a device grant to the resources the device asked for, shown to the user who approves them', async function () {
    const browser = new Browser(world.gateway.url);
    const authorization = await postForm(
      `${world.gateway.url}/oauth2/device_authorization`,
      new URLSearchParams([
        ['scope', 'read'],
        ['resource', orders],
        ['resource', BILLING]
      ]).toString(),
      { Authorization: basic(world.app.id, world.app.secret) }
    );
    expect(authorization.status, authorization.text).to.equal(200);
    let consent = '';
    await approveDevice(world, browser, authorization.json.verification_uri_complete, true, undefined, (html) => {
      consent = html;
    });
    expect(consent).to.contain(`<code>${orders}</code>`).and.to.contain(`<code>${BILLING}</code>`);
    const poll = {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: authorization.json.device_code
    };
    expectOAuthError(await tokenRequest(poll, [`${world.gateway.url}/api`]), 400, 'invalid_target', /does not cover/);
    // Refused before the device code was spent: narrowed to billing.
    const tokens = await tokenRequest(poll, [BILLING]);
    expect(tokens.status, tokens.text).to.equal(200);
    expect((await world.api(tokens.json.access_token, '/billing/x')).status).to.equal(200);
    expect((await world.api(tokens.json.access_token, '/orders/1')).status).to.equal(401);

    const unknown = await postForm(
      `${world.gateway.url}/oauth2/device_authorization`,
      { resource: 'https://elsewhere.example' },
      { Authorization: basic(world.app.id, world.app.secret) }
    );
    expectOAuthError(unknown, 400, 'invalid_target', /not one this server issues tokens for/);
  });

  it('answers a resource given as an object with invalid_target, not a crash', async function () {
    const browser = new Browser(world.gateway.url);
    const res = await browser.get(
      `/oauth2/authorize?response_type=code&client_id=${world.app.id}&redirect_uri=${encodeURIComponent('http://127.0.0.1:8000/callback')}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&resource[toString]=x`
    );
    expect(res.status).to.equal(302);
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).to.equal('invalid_target');
  });
});

describe('resource identifiers that stop the gateway at start', function () {
  before(function () {
    oncePerRun(this);
  });
  const pipelines = (extra: Record<string, unknown>) => ({
    apiEndpoints: {
      mcp: { host: '*', paths: ['/mcp'] },
      tenant: { host: '*', paths: ['/mcp/:tenant/*'] }
    },
    serviceEndpoints: { backend: { url: 'http://127.0.0.1:9' } },
    pipelines: {
      mcp: {
        apiEndpoints: ['mcp'],
        policies: [{ oauth2: [{ action: extra }] }, { proxy: [{ action: { serviceEndpoint: 'backend' } }] }]
      },
      tenant: {
        apiEndpoints: ['tenant'],
        policies: [{ oauth2: null }, { proxy: [{ action: { serviceEndpoint: 'backend' } }] }]
      }
    }
  });

  async function stopsWith(gateway: Record<string, unknown>, settings: Record<string, unknown>, message: RegExp) {
    const running = await startGateway({ gateway, settings, expectExit: true });
    try {
      const exited = await Promise.race([
        running.exited,
        new Promise((resolve) => setTimeout(() => resolve('still running'), 10000))
      ]);
      expect(exited, running.output()).to.equal(1);
      expect(running.output()).to.match(message);
    } finally {
      await running.stop();
    }
  }

  it('a resource that another pipeline derives (it would take the tokens meant for the named one)', async function () {
    await stopsWith(
      pipelines({ resource: 'https://gw.example.com/mcp' }),
      { issuer: 'https://gw.example.com' },
      /pipeline mcp names https:\/\/gw\.example\.com\/mcp as its resource and pipeline tenant's API endpoint derives it/
    );
  });

  it('a resource that is accessToken.audience (a token for it could not be told from one for none)', async function () {
    await stopsWith(
      pipelines({ resource: 'https://api.example.com/' }),
      { accessToken: { audience: 'https://api.example.com' } },
      /pipelines\.mcp\.policies\.0\.oauth2\.0\.action\.resource is accessToken\.audience/
    );
  });

  it('a resource that is not an http(s) URL with a host and no fragment', async function () {
    await stopsWith(
      pipelines({ resource: 'https://gw.example.com/mcp#x' }),
      {},
      /pipelines\.mcp\.policies\.0\.oauth2\.0\.action\.resource must match pattern|resource must be an http\(s\) URL/
    );
  });
});

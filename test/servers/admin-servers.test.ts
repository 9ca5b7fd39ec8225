import { expect } from 'chai';
import { request } from '../../support/http';
import { rsaKeyPair } from '../helpers/keys';
import { RunningGateway, startGateway } from '../../support/gateway';
import { testRedis } from '../helpers/redis';

const entry = (extra: Record<string, unknown> = {}) => ({
  name: 'partner-as',
  endpoints: {
    token: { url: 'https://as.partner.example/oauth/token' },
    introspection: { url: 'https://as.partner.example/oauth/introspect', timeout: 2000 }
  },
  allowedGrants: ['client_credentials', 'authorization_code'],
  allowedResponseTypes: ['code'],
  loginRedirect: 'https://as.partner.example/login',
  secrets: { 'partner-client': 'a-long-partner-client-secret-1234' },
  tokenStrategy: {
    name: 'jwt',
    jwt: {
      issuer: 'https://as.partner.example',
      audience: 'api://orders',
      keys: { secret: 'an HS256 secret of more than thirty-two bytes' }
    }
  },
  ...extra
});

/** Janus's /oauth/servers, as EG admin routes: a registry of external authorization servers in Redis. */
describe('admin API: external authorization server registry', function () {
  let gateway: RunningGateway;
  const call = (method: string, path: string, body?: unknown) =>
    request(`${gateway.adminUrl}/oauth2/servers${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
    });

  before(async function () {
    gateway = await startGateway();
  });
  after(async function () {
    await gateway?.stop();
  });

  it('registers a server, lists it and shows it, with every secret masked', async function () {
    const created = await call('POST', '', entry());
    expect(created.status, created.text).to.equal(201);
    expect(created.headers.get('location')).to.equal('/oauth2/servers/partner-as');
    expect(created.json.secrets).to.deep.equal({ 'partner-client': '****1234' });
    expect(created.json.tokenStrategy.jwt.keys.secret).to.equal('****ytes');
    expect(created.json.endpoints.token.timeout, 'defaults are filled in').to.equal(5000);
    expect(created.json.browserEndpoints, "browsers are sent to the upstream's own origin by default").to.equal(
      'redirect'
    );
    const one = await call('GET', '/partner-as');
    expect(one.status).to.equal(200);
    expect(one.text).not.to.contain('a-long-partner-client-secret');
    expect(one.text).not.to.contain('thirty-two bytes');
    const list = await call('GET', '');
    expect(list.json.servers.map((s: { name: string }) => s.name)).to.deep.equal(['partner-as']);
  });

  it('refuses a second server of the same name with 409', async function () {
    const again = await call('POST', '', entry());
    expect(again.status).to.equal(409);
  });

  it('changes a server with PUT, keeping a secret sent back masked', async function () {
    const shown = (await call('GET', '/partner-as')).json;
    const changed = await call('PUT', '/partner-as', {
      ...shown,
      allowedGrants: ['client_credentials'],
      secrets: { ...shown.secrets, other: 'another-secret-value-9876' }
    });
    expect(changed.status, changed.text).to.equal(200);
    expect(changed.json.allowedGrants).to.deep.equal(['client_credentials']);
    expect(changed.json.secrets).to.deep.equal({ 'partner-client': '****1234', other: '****9876' });
    const renamed = await call('PUT', '/partner-as', { ...shown, name: 'other-name' });
    expect(renamed.status).to.equal(400);
    expect((await call('PUT', '/nobody', entry({ name: 'nobody' }))).status).to.equal(404);
  });

  it('answers 400 naming the bad field, for every kind of schema error', async function () {
    const cases: Array<[unknown, RegExp]> = [
      [entry({ name: 'has spaces' }), /^name must match pattern/],
      [entry({ endpoints: { token: { url: 'ftp://x' } } }), /^endpoints\.token\.url must match pattern/],
      [
        entry({ endpoints: { token: { url: 'https://x', timeout: 5 } } }),
        /^endpoints\.token\.timeout must be at least 100/
      ],
      [entry({ endpoints: { tokn: { url: 'https://x' } } }), /^endpoints\.tokn must NOT have additional properties/],
      [entry({ allowedGrants: ['magic'] }), /^allowedGrants\.0 must be equal to one of the allowed values/],
      [entry({ allowedResponseTypes: 'code' }), /^allowedResponseTypes must be array/],
      [
        entry({ browserEndpoints: 'iframe' }),
        /^browserEndpoints must be equal to one of the allowed values \(one of: redirect, sandbox\)/
      ],
      [entry({ secrets: { client: 42 } }), /^secrets\.client must be string/],
      [entry({ tokenStrategy: { name: 'magic' } }), /^tokenStrategy\.name must be equal to one of the allowed values/],
      [entry({ tokenStrategy: { name: 'jwt' } }), /^tokenStrategy\.jwt is required/],
      [
        entry({ tokenStrategy: { name: 'jwt', jwt: { issuer: 'i', audience: 'a' } } }),
        /tokenStrategy\.jwt needs keys or a jwksUri/
      ],
      [
        entry({
          tokenStrategy: {
            name: 'jwt',
            jwt: { issuer: 'i', audience: 'a', keys: [{ alg: 'RS256', key: 'not a key' }] }
          }
        }),
        /tokenStrategy\.jwt\.keys\[0\]/
      ],
      [
        entry({
          tokenStrategy: { name: 'introspection', introspection: { endpoint: 'http://as.example.com/introspect' } }
        }),
        /weaker than \/oauth2\/servers accepts .*plain http off loopback/
      ],
      [
        entry({ name: 'copy-as', secrets: { 'partner-client': '****1234' } }),
        /secrets\.partner-client still masked: send the secret itself/
      ],
      [{ ...entry(), name: undefined }, /must have required property 'name'/],
      [[1, 2], /must be object|JSON object/]
    ];
    for (const [body, message] of cases) {
      const res = await call('POST', '', body);
      expect(res.status, `${JSON.stringify(body)} -> ${res.text}`).to.equal(400);
      expect(res.json.error).to.equal('invalid_request');
      expect(res.json.error_description).to.match(message);
    }
  });

  it('answers 400 invalid_request for a body that is not JSON, not a 500', async function () {
    const res = await call('POST', '', '{not json');
    expect(res.status).to.equal(400);
    expect(res.json).to.deep.equal({
      error: 'invalid_request',
      error_description: 'The request body is not valid JSON'
    });
  });

  it('answers 400 invalid_request, not a 500, for a name that does not percent-decode or a body that does not inflate or is nested thousands deep', async function () {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await call(method, '/partner%', method === 'PUT' ? entry() : undefined);
      expect(res.status, `${method}: ${res.text}`).to.equal(400);
      expect(res.json).to.deep.equal({ error: 'invalid_request', error_description: 'The request path is malformed' });
    }
    const garbled = await request(`${gateway.adminUrl}/oauth2/servers`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'deflate' },
      body: 'not deflated at all'
    });
    expect(garbled.status, garbled.text).to.equal(400);
    expect(garbled.json).to.deep.equal({
      error: 'invalid_request',
      error_description: 'The request could not be read'
    });
    for (const deep of ['['.repeat(20000) + ']'.repeat(20000), '{"a":'.repeat(5000) + '1' + '}'.repeat(5000)]) {
      const nested = await call('POST', '', deep);
      expect(nested.status, `a body nested thousands deep: ${nested.text}`).to.equal(400);
      expect(nested.json.error_description).to.match(/nested more than 32 levels/);
    }
    const revocation = await request(`${gateway.adminUrl}/oauth2/apps/%/tokens`, { method: 'DELETE' });
    expect(revocation.status, 'the revocation routes too').to.equal(400);
  });

  it('accepts an RS256 key list and an introspection strategy', async function () {
    const rsa = rsaKeyPair();
    const jwt = await call(
      'POST',
      '',
      entry({
        name: 'rsa-as',
        tokenStrategy: {
          name: 'jwt',
          jwt: { issuer: 'i', audience: 'a', keys: [{ alg: 'RS256', key: rsa.publicPem }] }
        }
      })
    );
    expect(jwt.status, jwt.text).to.equal(201);
    expect(jwt.json.tokenStrategy.jwt.keys[0].key, 'public keys are not secrets').to.equal(rsa.publicPem);
    const introspection = await call(
      'POST',
      '',
      entry({
        name: 'opaque-as',
        tokenStrategy: {
          name: 'introspection',
          introspection: {
            endpoint: 'https://as.example.com/introspect',
            clientId: 'gw',
            clientSecret: 'introspection-secret-abcd'
          }
        }
      })
    );
    expect(introspection.status, introspection.text).to.equal(201);
    expect(introspection.json.tokenStrategy.introspection.clientSecret).to.equal('****abcd');
  });

  it('answers 404 for a name every JavaScript object inherits (constructor, __proto__), on the emulated store too', async function () {
    for (const name of ['constructor', 'hasOwnProperty', '__proto__', 'toString']) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await call(method, `/${name}`, method === 'PUT' ? entry({ name }) : undefined);
        expect(res.status, `${method} ${name}: ${res.text}`).to.equal(404);
      }
      const proxied = await request(`${gateway.url}/oauth2/servers/${name}/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials'
      });
      expect(proxied.status, `proxy to ${name}: ${proxied.text}`).to.equal(404);
    }
  });

  it('deletes a server, then answers 404 for it', async function () {
    expect((await call('DELETE', '/partner-as')).status).to.equal(204);
    expect((await call('GET', '/partner-as')).status).to.equal(404);
    expect((await call('DELETE', '/partner-as')).status).to.equal(404);
  });
});

describe('admin API: server entries stored before a field existed, on a real Redis', function () {
  let gateway: RunningGateway;
  const namespace = `A${Math.random().toString(36).slice(2, 8)}`;
  before(async function () {
    if (!process.env.REDIS_URL) return this.skip();
    gateway = await startGateway({ namespace });
  });
  after(async function () {
    await gateway?.stop();
  });

  it("reads an entry written without browserEndpoints as redirect, the schema's default", async function () {
    // As the previous version wrote it: defaults filled in, no browserEndpoints.
    const stored = {
      ...entry({ name: 'older-as' }),
      endpoints: { authorize: { url: 'https://as.partner.example/authorize', timeout: 5000 } }
    };
    const redis = testRedis()!;
    await redis.hset(`${namespace}-oauth2-plugin:servers`, 'older-as', JSON.stringify(stored));
    redis.disconnect();
    expect((await request(`${gateway.adminUrl}/oauth2/servers/older-as`)).json.browserEndpoints).to.equal('redirect');
    const authorize = await request(`${gateway.url}/oauth2/servers/older-as/authorize?response_type=code`);
    expect(authorize.status, authorize.text).to.equal(302);
    expect(authorize.headers.get('location')).to.equal('https://as.partner.example/authorize?response_type=code');
  });
});

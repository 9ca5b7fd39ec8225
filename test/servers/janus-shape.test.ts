import { expect } from 'chai';
import { createHmac } from 'crypto';
import { startFakeServer, FakeServer } from '../helpers/fake-server';
import { RunningGateway, startGateway } from '../../support/gateway';
import { request } from '../../support/http';

/**
 * An entry in Janus's shape with every field seed 000 documents, written
 * for this test (Janus's own example is not copied): http upstreams on a
 * private host and a short HS256 key, as migrated entries often have.
 */
const janusEntry = (extra: Record<string, unknown> = {}) => ({
  name: 'legacy-auth',
  oauth_endpoints: {
    authorize: {
      listen_path: '/auth/authorize',
      upstreams: { balancing: 'roundrobin', targets: [{ target: 'http://auth.internal:8080/authorize' }] },
      strip_path: true,
      methods: ['GET', 'POST']
    },
    token: {
      preserve_host: false,
      listen_path: '/auth/token',
      upstreams: {
        balancing: 'roundrobin',
        targets: [{ target: 'http://auth.internal:8080/token' }, { target: 'http://auth-2.internal:8080/token' }]
      },
      strip_path: true,
      append_path: false,
      methods: ['GET', 'POST']
    },
    introspect: {
      listen_path: '/auth/introspect',
      upstream_url: 'http://auth.internal:8080/introspect',
      methods: ['POST']
    },
    revoke: {
      listen_path: '/auth/revoke',
      upstreams: { targets: [{ target: 'http://auth.internal:8080/revoke' }] },
      methods: ['POST']
    }
  },
  oauth_client_endpoints: {
    create: {
      listen_path: '/auth/clients',
      upstreams: { targets: [{ target: 'http://auth.internal:8080/clients' }] },
      methods: ['POST']
    },
    remove: {
      listen_path: '/auth/clients/*',
      upstreams: { targets: [{ target: 'http://auth.internal:8080/clients' }] },
      methods: ['DELETE']
    }
  },
  allowed_access_types: ['client_credentials', 'password', 'refresh_token'],
  allowed_authorize_types: ['code'],
  auth_login_redirect: 'https://login.partner.example/signin',
  secrets: { 'legacy-client': 'legacy-client-secret-of-some-length' },
  token_strategy: { name: 'jwt', settings: [{ alg: 'HS256', key: 'secret' }], leeway: 5 },
  ...extra
});

/** A JWT as a Janus-era issuer makes it: HS256, no typ, no iss or aud. */
function janusToken(key: string, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: 'legacy-user', scope: 'orders:read', exp: now + 300, iat: now, ...claims })}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

describe("the server registry in Janus's shape at /oauth/servers (issue 17, items 1, 3, 4)", function () {
  let gateway: RunningGateway;
  let backend: FakeServer;
  let introspection: FakeServer;
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    request(`${gateway.adminUrl}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  const api = (path: string, token: string) =>
    request(`${gateway.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });

  before(async function () {
    [backend, introspection] = await Promise.all([
      startFakeServer(() => ({ body: { ok: true } })),
      startFakeServer((req) => ({ body: { active: req.headers['x-access-token'] === 'good-opaque-token' } }))
    ]);
    const pipeline = (name: string, server: string) => ({
      apiEndpoints: [name],
      policies: [{ oauth2: [{ action: { server } }] }, { proxy: [{ action: { serviceEndpoint: 'backend' } }] }]
    });
    gateway = await startGateway({
      gateway: {
        apiEndpoints: {
          legacy: { host: '*', paths: ['/legacy'] },
          introspected: { host: '*', paths: ['/introspected'] }
        },
        serviceEndpoints: { backend: { url: backend.url } },
        pipelines: {
          legacy: pipeline('legacy', 'legacy-auth'),
          introspected: pipeline('introspected', 'legacy-introspected')
        }
      }
    });
  });
  after(async function () {
    await gateway?.stop();
    await Promise.all([backend?.close(), introspection?.close()]);
  });

  it("takes Janus's seed steps as written: POST with a bearer header (accepted, ignored), then GET the list, in Janus's shape, secrets masked", async function () {
    const bearer = { Authorization: 'Bearer yourToken' };
    const created = await call('POST', '/oauth/servers', janusEntry(), bearer);
    expect(created.status, created.text).to.equal(201);
    expect(created.headers.get('location')).to.equal('/oauth/servers/legacy-auth');
    expect(created.json.oauth_endpoints.token).to.deep.include({
      listen_path: '/auth/token',
      strip_path: true,
      append_path: false,
      preserve_host: false,
      methods: ['GET', 'POST'],
      upstreams: {
        balancing: 'roundrobin',
        targets: [{ target: 'http://auth.internal:8080/token' }, { target: 'http://auth-2.internal:8080/token' }]
      }
    });
    expect(created.json.oauth_endpoints.introspect.upstreams.targets).to.deep.equal([
      { target: 'http://auth.internal:8080/introspect' }
    ]);
    expect(created.json.oauth_client_endpoints.remove.listen_path).to.equal('/auth/clients/*');
    expect(created.json).to.deep.include({
      allowed_access_types: ['client_credentials', 'password', 'refresh_token'],
      allowed_authorize_types: ['code'],
      auth_login_redirect: 'https://login.partner.example/signin',
      secrets: { 'legacy-client': '****ngth' }
    });
    expect(created.json.token_strategy).to.deep.equal({
      name: 'jwt',
      settings: [{ alg: 'HS256', key: '****' }],
      leeway: 5
    });
    const list = await call('GET', '/oauth/servers', undefined, { ...bearer, 'Content-Type': 'application/json' });
    expect(list.status).to.equal(200);
    expect(list.json.servers.map((server: { name: string }) => server.name)).to.include('legacy-auth');
    expect(list.text).not.to.contain('legacy-client-secret');
  });

  it('answers and logs a warning for each weakness Janus accepts: http off loopback, a short HMAC key, no issuer or audience check', async function () {
    const res = await call('PUT', '/oauth/servers/legacy-auth', janusEntry());
    expect(res.status, res.text).to.equal(200);
    const warnings: string[] = res.json.warnings;
    expect(warnings.some((warning) => /^endpoints\.token\.url is plain http off loopback/.test(warning))).to.equal(
      true
    );
    expect(
      warnings.some((warning) => /^endpoints\.token\.targets\.1\.url is plain http off loopback/.test(warning))
    ).to.equal(true);
    expect(warnings).to.include(
      'tokenStrategy.jwt.keys.0: an HS256 key of 6 bytes, shorter than its hash (32): it can be guessed offline from any token'
    );
    expect(
      warnings.some((warning) => /issuer is not set/.test(warning)) &&
        warnings.some((warning) => /audience is not set/.test(warning))
    ).to.equal(true);
    expect(gateway.output()).to.match(
      /oauth2: external server "legacy-auth": tokenStrategy\.jwt\.keys\.0: an HS256 key of 6 bytes/
    );
  });

  it("is one registry: the Janus entry is served by /oauth2/servers in this plugin's shape, and a native entry by /oauth/servers in Janus's", async function () {
    const native = await call('GET', '/oauth2/servers/legacy-auth');
    expect(native.status).to.equal(200);
    expect(native.json.endpoints.token).to.deep.include({
      url: 'http://auth.internal:8080/token',
      listenPath: '/auth/token',
      stripPath: true,
      methods: ['GET', 'POST']
    });
    expect(native.json.allowedGrants).to.deep.equal(['client_credentials', 'password', 'refresh_token']);
    expect(native.json.tokenStrategy.jwt).to.deep.include({ leeway: 5, typ: '' });

    const made = await call('POST', '/oauth2/servers', {
      name: 'native-as',
      endpoints: { token: { url: 'https://as.example.com/token' } },
      allowedGrants: ['implicit', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
      tokenStrategy: {
        name: 'jwt',
        jwt: {
          issuer: 'https://as.example.com',
          audience: 'api',
          keys: { secret: 'a legacy secret that is long enough for HS256' }
        }
      }
    });
    expect(made.status, made.text).to.equal(201);
    expect(made.json.warnings, 'nothing weak').to.equal(undefined);
    const asJanus = await call('GET', '/oauth/servers/native-as');
    expect(asJanus.json.oauth_endpoints.token.upstreams.targets).to.deep.equal([
      { target: 'https://as.example.com/token' }
    ]);
    expect(asJanus.json.allowed_access_types, "Janus's names for implicit and the assertion grant").to.deep.equal([
      '__implicit',
      'assertion'
    ]);
    expect(asJanus.json.token_strategy.settings).to.deep.equal({ secret: '****S256' });
    expect((await call('DELETE', '/oauth/servers/native-as')).status).to.equal(204);
    expect((await call('GET', '/oauth2/servers/native-as')).status).to.equal(404);
  });

  it("keeps a secret sent back masked, so an entry can be read, edited and written back in Janus's shape", async function () {
    const shown = (await call('GET', '/oauth/servers/legacy-auth')).json;
    const edited = await call('PUT', '/oauth/servers/legacy-auth', {
      ...shown,
      allowed_access_types: ['client_credentials']
    });
    expect(edited.status, edited.text).to.equal(200);
    const token = janusToken('secret');
    expect((await api('/legacy', token)).status, 'the masked key was kept').to.equal(200);
  });

  it("refuses to write back in Janus's shape an entry holding what that shape cannot carry, which would be lost", async function () {
    const native = {
      name: 'checked-as',
      endpoints: { token: { url: 'https://as.example.com/token' } },
      tokenStrategy: {
        name: 'jwt',
        jwt: {
          issuer: 'https://as.example.com',
          audience: 'api',
          keys: { secret: 'a legacy secret that is long enough for HS256' }
        }
      }
    };
    expect((await call('POST', '/oauth2/servers', native)).status).to.equal(201);
    const shown = (await call('GET', '/oauth/servers/checked-as')).json;
    const res = await call('PUT', '/oauth/servers/checked-as', shown);
    expect(res.status).to.equal(400);
    expect(res.json.error_description).to.match(
      /tokenStrategy\.jwt\.issuer, tokenStrategy\.jwt\.audience, tokenStrategy\.jwt\.typ of this entry have no place in Janus's shape and would be lost: change it through \/oauth2\/servers\/checked-as/
    );
    expect((await call('GET', '/oauth2/servers/checked-as')).json.tokenStrategy.jwt.issuer, 'kept').to.equal(
      'https://as.example.com'
    );
    expect((await call('DELETE', '/oauth/servers/checked-as')).status).to.equal(204);
    // Settings Janus has no field for count too: a cache turned off must not come back on.
    const uncached = await call('POST', '/oauth/servers', {
      name: 'uncached',
      oauth_endpoints: { introspect: { upstreams: { targets: [{ target: `${introspection.url}/introspect` }] } } },
      token_strategy: { name: 'introspection', settings: { use_auth_header: true, auth_header_type: 'Bearer' } }
    });
    expect(uncached.status, uncached.text).to.equal(201);
    const stored = (await call('GET', '/oauth2/servers/uncached')).json;
    const introspected = { ...stored.tokenStrategy.introspection, cacheTtl: 0 };
    const edited = await call('PUT', '/oauth2/servers/uncached', {
      ...stored,
      tokenStrategy: { ...stored.tokenStrategy, introspection: introspected }
    });
    expect(edited.status, edited.text).to.equal(200);
    const back = await call('PUT', '/oauth/servers/uncached', (await call('GET', '/oauth/servers/uncached')).json);
    expect(back.json.error_description).to.match(
      /tokenStrategy\.introspection\.cacheTtl of this entry have no place in Janus's shape/
    );
    expect((await call('DELETE', '/oauth/servers/uncached')).status).to.equal(204);
  });

  it('refuses a secret still in its masked form where the stored entry has none (an entry copied under another name)', async function () {
    const copy = { ...(await call('GET', '/oauth/servers/legacy-auth')).json, name: 'legacy-copy' };
    const res = await call('POST', '/oauth/servers', copy);
    expect(res.status).to.equal(400);
    expect(res.json.error_description).to.match(
      /secrets\.legacy-client, tokenStrategy\.jwt\.keys\.0\.key still masked/
    );
  });

  it('validates tokens as Janus did for a jwt entry: the signature and the dates, whatever the issuer, audience or typ', async function () {
    expect((await api('/legacy', janusToken('secret', { iss: 'anyone', aud: 'anything' }))).status).to.equal(200);
    expect((await api('/legacy', janusToken('not the secret'))).status).to.equal(401);
    expect(
      (await api('/legacy', janusToken('secret', { exp: Math.floor(Date.now() / 1000) - 60 }))).status,
      'leeway 5 s, expired a minute ago'
    ).to.equal(401);
  });

  it("asks the introspect endpoint Janus's way for an introspection entry: a GET with the token in the header the settings name", async function () {
    const created = await call('POST', '/oauth/servers', {
      name: 'legacy-introspected',
      oauth_endpoints: { introspect: { upstreams: { targets: [{ target: `${introspection.url}/introspect` }] } } },
      token_strategy: { name: 'introspection', settings: { use_custom_header: true, header_name: 'X-Access-Token' } }
    });
    expect(created.status, created.text).to.equal(201);
    expect(created.json.token_strategy).to.deep.equal({
      name: 'introspection',
      settings: { use_custom_header: true, header_name: 'X-Access-Token' },
      leeway: 0
    });
    expect((await api('/introspected', 'good-opaque-token')).status).to.equal(200);
    expect((await api('/introspected', 'bad-opaque-token')).status).to.equal(401);
    const asked = introspection.received.at(-1)!;
    expect(asked.method).to.equal('GET');
    expect(asked.headers['x-access-token']).to.equal('bad-opaque-token');
  });

  it("answers 400 invalid_request for a body that is not JSON, not EG's 500", async function () {
    const res = await request(`${gateway.adminUrl}/oauth/servers`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer yourToken' },
      body: '{"name": '
    });
    expect(res.status).to.equal(400);
    expect(res.json).to.deep.equal({
      error: 'invalid_request',
      error_description: 'The request body is not valid JSON'
    });
  });

  it('answers 400 naming the Janus field for an entry it cannot take', async function () {
    const cases: Array<[unknown, RegExp]> = [
      [
        janusEntry({ token_strategy: { name: 'jwt', settings: { use_body: true } } }),
        /token_strategy\.settings must hold the jwt keys/
      ],
      [
        janusEntry({ oauth_endpoints: { token: { listen_path: '/t', strip_path: 'yes' } } }),
        /oauth_endpoints\.token\.strip_path must be boolean/
      ],
      [
        janusEntry({ oauth_endpoints: { token: { listen_path: '/t' } } }),
        /oauth_endpoints\.token needs upstreams\.targets or upstream_url/
      ],
      [janusEntry({ rate_limit: { limit: '10-S' } }), /unknown field rate_limit/],
      [
        janusEntry({ token_strategy: { name: 'introspection', settings: {} }, oauth_endpoints: {} }),
        /needs oauth_endpoints\.introspect/
      ],
      [
        janusEntry({ oauth_endpoints: { token: { upstream_url: 'http://x', insecure_skip_verify: true } } }),
        /insecure_skip_verify/
      ]
    ];
    for (const [body, message] of cases) {
      const res = await call('POST', '/oauth/servers', { ...(body as object), name: 'refused' });
      expect(res.status, `${JSON.stringify(body)} -> ${res.text}`).to.equal(400);
      expect(res.json.error_description).to.match(message);
    }
  });
});

describe('the server registry with servers.strict (issue 17, item 3)', function () {
  let gateway: RunningGateway;
  before(async function () {
    gateway = await startGateway({ settings: { servers: { strict: true } } });
  });
  after(async function () {
    await gateway?.stop();
  });

  it('refuses an entry with a weakness, naming each, in either shape', async function () {
    for (const [path, body] of [
      ['/oauth/servers', janusEntry()],
      ['/oauth2/servers', { name: 'weak', tokenStrategy: { name: 'jwt', jwt: { keys: { secret: 'short' } } } }]
    ] as const) {
      const res = await request(`${gateway.adminUrl}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body)
      });
      expect(res.status, res.text).to.equal(400);
      expect(res.json.error_description).to.match(
        /^servers\.strict refuses this entry: .*(plain http off loopback|shorter than its hash)/
      );
    }
  });
});

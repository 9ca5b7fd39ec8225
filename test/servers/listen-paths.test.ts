import { expect } from 'chai';
import net from 'net';
import { FakeServer, startFakeServer } from '../helpers/fake-server';
import { freePort, RunningGateway, startGateway } from '../../support/gateway';
import { basic, expectOAuthError, postForm, rawRequest, request } from '../../support/http';
import { spawnNode } from '../../support/child-process';
import { TargetBalancer } from '../../lib/servers/target-balancer';

const KEY = 'a-janus-era-hs256-key-of-32-bytes!!';

/**
 * An entry in Janus's shape with every documented proxy field, written for
 * this test: each OAuth endpoint on a listen path of its own.
 */
function janusEntry(one: FakeServer, two: FakeServer, extra: Record<string, unknown> = {}) {
  return {
    name: 'legacy',
    oauth_endpoints: {
      authorize: {
        listen_path: '/auth/authorize',
        upstreams: { targets: [{ target: `${one.url}/authorize` }] },
        strip_path: true,
        methods: ['GET']
      },
      token: {
        listen_path: '/auth/token',
        upstreams: {
          balancing: 'roundrobin',
          targets: [{ target: `${one.url}/token` }, { target: `${two.url}/token` }]
        },
        strip_path: true,
        append_path: false,
        preserve_host: false,
        methods: ['GET', 'POST'],
        forwarding_timeouts: { dial_timeout: '1s', response_header_timeout: '2s' }
      },
      introspect: {
        listen_path: '/auth/introspect',
        upstream_url: `${one.url}/introspect`,
        strip_path: true,
        methods: ['POST']
      },
      revoke: {
        listen_path: '/auth/revoke',
        upstreams: { targets: [{ target: `${one.url}/revoke` }] },
        strip_path: true
      }
    },
    oauth_client_endpoints: {
      create: {
        listen_path: '/auth/clients',
        upstreams: { targets: [{ target: `${one.url}/clients` }] },
        strip_path: true,
        methods: ['POST']
      },
      remove: {
        listen_path: '/auth/clients/*',
        upstreams: { targets: [{ target: `${one.url}/clients` }] },
        strip_path: true,
        methods: ['DELETE']
      }
    },
    allowed_access_types: ['client_credentials', 'authorization_code', 'refresh_token'],
    allowed_authorize_types: ['code'],
    secrets: { 'legacy-client': 'a-secret-of-some-length-1234' },
    token_strategy: { name: 'jwt', settings: [{ alg: 'HS256', key: KEY }], leeway: 5 },
    ...extra
  };
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/**
 * A port where connections never complete: a stopped process listens there
 * with a backlog of 1 (0 would mean Node's default), and a few connections fill its queue, so the kernel
 * drops every further SYN (a host that went silent).
 */
async function silentListener(): Promise<{ port: number; stop(): void }> {
  const child = spawnNode(
    [
      '-e',
      "require('net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, function () { console.log('port ' + this.address().port) })"
    ],
    {}
  );
  while (!/port \d+/.test(child.output())) await new Promise((r) => setTimeout(r, 20));
  const port = Number(/port (\d+)/.exec(child.output())![1]);
  child.process.kill('SIGSTOP');
  const fillers = Array.from({ length: 4 }, () => net.connect(port, '127.0.0.1').on('error', () => undefined));
  await new Promise((r) => setTimeout(r, 100));
  return {
    port,
    stop() {
      for (const socket of fillers) socket.destroy();
      child.process.kill('SIGKILL');
    }
  };
}

describe('Janus listen paths on the gateway port (issue 17, item 2)', function () {
  let gateway: RunningGateway;
  let one: FakeServer;
  let two: FakeServer;
  const admin = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    request(`${gateway.adminUrl}${path}`, {
      method,
      headers: { ...JSON_HEADERS, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  const received = () => [...one.received, ...two.received];
  const clear = () => {
    one.received.length = 0;
    two.received.length = 0;
  };

  before(async function () {
    [one, two] = await Promise.all([
      startFakeServer((req) => ({ body: { from: 'one', url: req.url } })),
      startFakeServer((req) => ({ body: { from: 'two', url: req.url } }))
    ]);
    gateway = await startGateway({
      gateway: {
        apiEndpoints: {
          api: { host: '*', paths: ['/api', '/api/*'] },
          admin: { host: '*', pathRegex: '^/secure/admin(/.*)?$' }
        },
        serviceEndpoints: { backend: { url: one.url } },
        pipelines: {
          api: { apiEndpoints: ['api', 'admin'], policies: [{ proxy: [{ action: { serviceEndpoint: 'backend' } }] }] }
        }
      }
    });
  });
  after(async function () {
    await gateway?.stop();
    await Promise.all([one?.close(), two?.close()]);
  });
  beforeEach(clear);

  it("runs Janus's three seed steps as written: create, list, then GET /auth/token?grant_type=client_credentials on the gateway port", async function () {
    const bearer = { Authorization: 'Bearer yourToken' };
    const created = await admin('POST', '/oauth/servers', janusEntry(one, two), bearer);
    expect(created.status, created.text).to.equal(201);
    const listed = await admin('GET', '/oauth/servers', undefined, bearer);
    expect(listed.json.servers[0].oauth_endpoints.token.listen_path).to.equal('/auth/token');

    const token = await request(`${gateway.url}/auth/token?grant_type=client_credentials`, {
      headers: { Authorization: basic('legacy-client', 'its-secret'), 'Content-Type': 'application/json' }
    });
    expect(token.status, token.text).to.equal(200);
    expect(token.json.url).to.equal('/token?grant_type=client_credentials');
    const [sent] = received();
    expect(sent.method).to.equal('GET');
    expect(sent.headers.authorization).to.equal(basic('legacy-client', 'its-secret'));
    expect(sent.headers.host).to.equal(new URL(one.url).host);
  });

  it('takes turns over the targets, round robin', async function () {
    const answers = [];
    for (let i = 0; i < 4; i++)
      answers.push((await postForm(`${gateway.url}/auth/token`, { grant_type: 'client_credentials' })).json.from);
    expect(answers[0]).to.not.equal(answers[1]);
    expect(answers.slice(2)).to.deep.equal(answers.slice(0, 2));
  });

  it('passes over a target that never completes its connection within the timeout', async function () {
    const silent = await silentListener();
    try {
      const entry = janusEntry(one, two);
      Object.assign(entry.oauth_endpoints.token, {
        upstreams: { targets: [{ target: `http://127.0.0.1:${silent.port}/token` }, { target: `${one.url}/token` }] },
        forwarding_timeouts: { response_header_timeout: '300ms' }
      });
      await admin('PUT', '/oauth/servers/legacy', entry);
      const res = await postForm(`${gateway.url}/auth/token`, { grant_type: 'client_credentials' });
      expect(res.status, res.text).to.equal(200);
      expect(res.json.from).to.equal('one');
    } finally {
      silent.stop();
      await admin('PUT', '/oauth/servers/legacy', janusEntry(one, two));
    }
  });

  it('passes over a target that cannot be connected to, sending the request once, and answers 503 when none can be', async function () {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const entry = janusEntry(one, two);
    entry.oauth_endpoints.token.upstreams.targets = [{ target: `${closed}/token` }, { target: `${one.url}/token` }];
    expect((await admin('PUT', '/oauth/servers/legacy', entry)).status).to.equal(200);
    for (let i = 0; i < 2; i++) {
      const res = await postForm(`${gateway.url}/auth/token`, { grant_type: 'client_credentials', scope: 'a b' });
      expect(res.status, res.text).to.equal(200);
      expect(res.json.from).to.equal('one');
    }
    expect(one.received.map((req) => req.body)).to.deep.equal([
      'grant_type=client_credentials&scope=a+b',
      'grant_type=client_credentials&scope=a+b'
    ]);

    entry.oauth_endpoints.token.upstreams.targets = [{ target: `${closed}/token` }];
    await admin('PUT', '/oauth/servers/legacy', entry);
    expectOAuthError(
      await postForm(`${gateway.url}/auth/token`, { grant_type: 'client_credentials' }),
      503,
      'temporarily_unavailable',
      /cannot be reached/
    );
    await admin('PUT', '/oauth/servers/legacy', janusEntry(one, two));
  });

  it("applies the entry's grant and response type lists and adds its secrets only where the grant proves the request", async function () {
    expectOAuthError(
      await postForm(`${gateway.url}/auth/token`, { grant_type: 'password', username: 'u', password: 'p' }),
      400,
      'unsupported_grant_type',
      /not allowed/
    );
    expect(received()).to.have.length(0);

    await postForm(`${gateway.url}/auth/token`, {
      grant_type: 'authorization_code',
      code: 'c',
      client_id: 'legacy-client'
    });
    const [sent] = received();
    expect(sent.headers.authorization).to.equal(basic('legacy-client', 'a-secret-of-some-length-1234'));
    expect(sent.body).to.equal('grant_type=authorization_code&code=c');

    const authorize = await request(`${gateway.url}/auth/authorize?response_type=code&client_id=legacy-client&state=s`);
    expect(authorize.status).to.equal(302);
    expect(authorize.headers.get('location')).to.equal(
      `${one.url}/authorize?response_type=code&client_id=legacy-client&state=s`
    );
    expectOAuthError(
      await request(`${gateway.url}/auth/authorize?response_type=token&client_id=legacy-client`),
      400,
      'unsupported_response_type',
      /not allowed/
    );
  });

  it('reaches the client create and remove endpoints, which share a path and differ by method', async function () {
    const createdClient = await request(`${gateway.url}/auth/clients`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{"client_name":"x"}'
    });
    expect(createdClient.json).to.deep.equal({ from: 'one', url: '/clients' });
    const removed = await request(`${gateway.url}/auth/clients/abc`, { method: 'DELETE' });
    expect(removed.json).to.deep.equal({ from: 'one', url: '/clients/abc' });
    expect(received().map((req) => `${req.method} ${req.body}`)).to.deep.equal(['POST {"client_name":"x"}', 'DELETE ']);
  });

  it("scopes an upstream's cookies to the listen path itself, so the browser sends them back to it", async function () {
    const entry = {
      name: 'portal',
      browserEndpoints: 'sandbox',
      endpoints: {
        authorize: { url: `${one.url}/authorize`, listenPath: '/portal/authorize', methods: ['GET', 'POST'] }
      },
      tokenStrategy: {
        name: 'jwt',
        jwt: { keys: [{ alg: 'HS256', key: KEY }], issuer: 'https://p.example', audience: 'api' }
      }
    };
    expect((await admin('POST', '/oauth2/servers', entry)).status).to.equal(201);
    const handler = one.handler;
    one.handler = () => ({
      body: '<form method=post></form>',
      headers: { 'Content-Type': 'text/html', 'Set-Cookie': 'sid=1; Path=/; HttpOnly' }
    });
    try {
      const page = await request(`${gateway.url}/portal/authorize?response_type=code&client_id=c`);
      expect(page.headers.get('set-cookie')).to.equal('proxied~portal~sid=1; HttpOnly; Path=/portal/authorize');
    } finally {
      one.handler = handler;
      await admin('DELETE', '/oauth2/servers/portal');
    }
  });

  it('takes HEAD where it takes GET, as HTTP does', async function () {
    const head = await request(`${gateway.url}/auth/token?grant_type=client_credentials`, { method: 'HEAD' });
    expect(head.status).to.equal(200);
    expect(received().map((req) => req.method)).to.deep.equal(['HEAD']);
  });

  it('answers a method the listen path does not take with 405 and the methods it does', async function () {
    const res = await request(`${gateway.url}/auth/introspect`);
    expectOAuthError(res, 405, 'invalid_request', /GET is not one of the methods of this path: POST/);
    expect(res.headers.get('allow')).to.equal('POST');
    // No methods listed: the endpoint's own (revoke: POST).
    expect((await postForm(`${gateway.url}/auth/revoke`, { token: 't' })).json.from).to.equal('one');
    expect((await request(`${gateway.url}/auth/revoke`)).status).to.equal(405);
  });

  it('builds the upstream path as Janus does: the target path, with append_path the request path, with strip_path what lies below the listen path', async function () {
    const upstream = (flags: Record<string, boolean>) => ({
      url: `${one.url}/base`,
      listenPath: '/legacy/x/*',
      ...flags
    });
    const entry = (flags: Record<string, boolean>) => ({
      name: 'paths',
      endpoints: { introspection: upstream(flags) },
      tokenStrategy: {
        name: 'jwt',
        jwt: { keys: [{ alg: 'HS256', key: KEY }], issuer: 'https://paths.example', audience: 'api' }
      }
    });
    expect((await admin('POST', '/oauth2/servers', entry({}))).status).to.equal(201);
    const path = async (requestPath: string) =>
      (await postForm(`${gateway.url}${requestPath}`, { token: 't' })).json?.url;
    expect(await path('/legacy/x/a/b?q=1')).to.equal('/base?q=1');
    await admin('PUT', '/oauth2/servers/paths', entry({ appendPath: true }));
    expect(await path('/legacy/x/a/b?q=1')).to.equal('/base/legacy/x/a/b?q=1');
    await admin('PUT', '/oauth2/servers/paths', entry({ stripPath: true }));
    expect(await path('/legacy/x/a/b?q=1')).to.equal('/base/a/b?q=1');
    expect(await path('/legacy/x')).to.equal('/base');
    expect(await path('/legacy/xy')).to.equal(undefined); // not below the listen path: EG's 404
    await admin('DELETE', '/oauth2/servers/paths');
  });

  it("refuses a request path that would climb out of the target's path upstream", async function () {
    const entry = {
      name: 'climb',
      endpoints: { introspection: { url: `${one.url}/base`, listenPath: '/climb/*', stripPath: true } },
      tokenStrategy: {
        name: 'jwt',
        jwt: { keys: [{ alg: 'HS256', key: KEY }], issuer: 'https://c.example', audience: 'api' }
      }
    };
    expect((await admin('POST', '/oauth2/servers', entry)).status).to.equal(201);
    for (const path of [
      '/climb/a/../../secret',
      '/climb/%2e%2e/secret',
      '/climb/a%2fb',
      '/climb/.%2E/x',
      '/climb/a\\..\\b',
      '/climb/..;/secret',
      '/climb/.;x/a',
      '/climb/a%00b'
    ]) {
      const res = await rawRequest('POST', `${gateway.url}${path}`, 'token=t', {});
      expect(res.status, path).to.equal(400);
      expect(JSON.parse(res.body).error).to.equal('invalid_request');
    }
    expect(received()).to.have.length(0);
    await admin('DELETE', '/oauth2/servers/climb');
  });

  it("sends the client's Host with preserve_host, and takes only the hosts listed in hosts", async function () {
    const entry = janusEntry(one, two);
    Object.assign(entry.oauth_endpoints.revoke, {
      preserve_host: true,
      hosts: ['auth.partner.example', '*.legacy.example']
    });
    await admin('PUT', '/oauth/servers/legacy', entry);
    const revoke = (host: string) => rawRequest('POST', `${gateway.url}/auth/revoke`, 'token=t', { Host: host });
    expect((await revoke('auth.partner.example')).status).to.equal(200);
    expect((await revoke('eu.legacy.example')).status).to.equal(200);
    expect(one.received.map((req) => req.headers.host)).to.deep.equal(['auth.partner.example', 'eu.legacy.example']);
    expect((await revoke('other.example')).status).to.equal(404); // not this path's: on to EG, which has no API there
    // `*` stands for host characters only: a Host with a path in it is no partner's.
    expect((await revoke('evil.example/.legacy.example')).status).to.equal(404);
    // A pattern with several `*` against a long hostile Host: matched in linear time, not by a backtracking regular
    // expression.
    Object.assign(entry.oauth_endpoints.revoke, { hosts: ['*.*.*.*.*.partner.example'] });
    await admin('PUT', '/oauth/servers/legacy', entry);
    expect((await revoke('.'.repeat(290))).status).to.equal(404);
    expect((await revoke('a.b.c.d.e.partner.example')).status).to.equal(200);
    await admin('PUT', '/oauth/servers/legacy', janusEntry(one, two));
  });

  it('refuses at create a listen path an API endpoint, the plugin or another server already answers, naming it', async function () {
    const withToken = (listen_path: string, name = 'other', methods = ['POST']) => ({
      name,
      oauth_endpoints: { token: { listen_path, upstream_url: `${one.url}/token`, methods } },
      token_strategy: { name: 'jwt', settings: [{ alg: 'HS256', key: KEY }] }
    });
    expectOAuthError(
      await admin('POST', '/oauth/servers', withToken('/api/token')),
      400,
      'invalid_request',
      /listenPath \/api\/token meets apiEndpoints\.api/
    );
    // EG's routers ignore case; a pathRegex reserves everything below its literal start.
    expectOAuthError(
      await admin('POST', '/oauth/servers', withToken('/API/*')),
      400,
      'invalid_request',
      /meets apiEndpoints\.api \(\/api\/\*\)/
    );
    expectOAuthError(
      await admin('POST', '/oauth/servers', withToken('/secure/*')),
      400,
      'invalid_request',
      /meets apiEndpoints\.admin \(pathRegex\)/
    );
    expectOAuthError(
      await admin('POST', '/oauth/servers', withToken('/Secure/Admin/x')),
      400,
      'invalid_request',
      /meets apiEndpoints\.admin/
    );
    expectOAuthError(
      await admin('POST', '/oauth/servers', withToken('/oauth2/*')),
      400,
      'invalid_request',
      /meets this plugin's \/oauth2/
    );
    expectOAuthError(
      await admin('POST', '/oauth/servers', withToken('/.well-known/jwks.json')),
      400,
      'invalid_request',
      /meets this plugin's \/\.well-known/
    );
    expectOAuthError(
      await admin('POST', '/oauth/servers', withToken('/auth/*')),
      400,
      'invalid_request',
      /meets \/auth\/token of the server legacy/
    );
    expectOAuthError(
      await admin('POST', '/oauth/servers', withToken('/auth/token')),
      400,
      'invalid_request',
      /meets \/auth\/token of the server legacy/
    );
    expect((await admin('GET', '/oauth/servers/other')).status).to.equal(404);
    // Another method on the same path is no collision (as Janus's create and remove client endpoints).
    expect((await admin('POST', '/oauth/servers', withToken('/auth/token', 'other', ['PUT']))).status).to.equal(201);
    await admin('DELETE', '/oauth/servers/other');
  });

  it('never keeps two entries written at once on the same listen path', async function () {
    const entry = (name: string, target: FakeServer) => ({
      name,
      oauth_endpoints: {
        token: { listen_path: '/race/token', upstream_url: `${target.url}/token`, methods: ['POST'] }
      },
      token_strategy: { name: 'jwt', settings: [{ alg: 'HS256', key: KEY }] }
    });
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all([
        admin('POST', '/oauth/servers', entry('zeta', two)),
        admin('POST', '/oauth/servers', entry('alpha', one))
      ]);
      const kept = (await admin('GET', '/oauth/servers')).json.servers
        .map((server: { name: string }) => server.name)
        .filter((name: string) => name === 'zeta' || name === 'alpha');
      expect(kept, `round ${round}: ${answers.map((answer) => answer.status)}`).to.have.length.at.most(1);
      expect(answers.filter((answer) => answer.status === 201).map((answer) => answer.json.name)).to.deep.equal(kept);
      if (kept.length === 1) {
        expect((await postForm(`${gateway.url}/race/token`, { grant_type: 'client_credentials' })).json.from).to.equal(
          kept[0] === 'alpha' ? 'one' : 'two'
        );
      }
      await Promise.all(['zeta', 'alpha'].map((name) => admin('DELETE', `/oauth/servers/${name}`)));
    }
  });

  it('stops answering a listen path once its entry is deleted, and starts again when it is created', async function () {
    expect((await admin('DELETE', '/oauth/servers/legacy')).status).to.equal(204);
    expect((await postForm(`${gateway.url}/auth/token`, { grant_type: 'client_credentials' })).status).to.equal(404);
    expect((await admin('POST', '/oauth/servers', janusEntry(one, two))).status).to.equal(201);
    expect((await postForm(`${gateway.url}/auth/token`, { grant_type: 'client_credentials' })).status).to.equal(200);
  });

  it("leaves API calls and the plugin's own endpoints to their routes", async function () {
    expect((await request(`${gateway.url}/api/hello`)).json).to.deep.equal({ from: 'one', url: '/api/hello' });
    expect((await request(`${gateway.url}/.well-known/oauth-authorization-server`)).status).to.equal(200);
  });
});

describe('Janus listen paths across two gateway instances on one real Redis (issue 17, items 2 and 5; needs REDIS_URL)', function () {
  this.timeout(30000);
  let first: RunningGateway;
  let second: RunningGateway;
  let one: FakeServer;
  let two: FakeServer;
  let pipeline: FakeServer;
  const bearer = { Authorization: 'Bearer yourToken', 'Content-Type': 'application/json' };
  const admin = (gateway: RunningGateway, method: string, path: string, body?: unknown) =>
    request(`${gateway.adminUrl}${path}`, {
      method,
      headers: bearer,
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  const seedToken = (gateway: RunningGateway) =>
    request(`${gateway.url}/auth/token?grant_type=client_credentials`, {
      headers: { Authorization: basic('legacy-client', 'its-secret'), 'Content-Type': 'application/json' }
    });

  /** Milliseconds until `probe` holds, polling; fails after `ms`. */
  async function within(ms: number, what: string, probe: () => Promise<boolean>): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < ms) {
      if (await probe()) return Date.now() - started;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`${what} did not happen within ${ms} ms`);
  }

  before(async function () {
    if (!process.env.REDIS_URL) return this.skip();
    [one, two, pipeline] = await Promise.all([
      startFakeServer((req) => ({ body: { from: 'one', url: req.url } })),
      startFakeServer((req) => ({ body: { from: 'two', url: req.url } })),
      startFakeServer((req) => ({ body: { from: 'pipeline', url: req.url } }))
    ]);
    const namespace = `L${Math.random().toString(36).slice(2, 8)}`;
    const settings = { session: { secret: 'a session secret both instances share, 32+ chars' } };
    first = await startGateway({ namespace, settings });
    // The second instance's own configuration has an API where the first has none: it must keep it.
    second = await startGateway({
      namespace,
      settings,
      gateway: {
        apiEndpoints: { reserved: { host: '*', paths: ['/reserved/*'] } },
        serviceEndpoints: { backend: { url: pipeline.url } },
        pipelines: {
          reserved: { apiEndpoints: ['reserved'], policies: [{ proxy: [{ action: { serviceEndpoint: 'backend' } }] }] }
        }
      }
    });
  });
  after(async function () {
    await second?.stop();
    await first?.stop();
    await Promise.all([one?.close(), two?.close(), pipeline?.close()]);
  });

  it('runs the three seed steps against both instances: created on one, listed and served by the other within a second', async function () {
    expect((await admin(first, 'POST', '/oauth/servers', janusEntry(one, two))).status).to.equal(201);
    const listed = await admin(second, 'GET', '/oauth/servers');
    expect(listed.json.servers.map((entry: { name: string }) => entry.name)).to.deep.equal(['legacy']);
    expect(listed.json.servers[0].secrets['legacy-client']).to.match(/^\*{4}/);
    await within(1000, 'the second instance serving /auth/token', async () => (await seedToken(second)).status === 200);
    const answers = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const res = await seedToken(i % 2 ? first : second);
      expect(res.status).to.equal(200);
      answers.add(res.json.from);
    }
    expect([...answers].sort()).to.deep.equal(['one', 'two']);
  });

  it('follows a change and a removal made on the other instance within a second', async function () {
    const entry = janusEntry(one, two);
    entry.oauth_endpoints.token.listen_path = '/auth/v2/token';
    expect((await admin(second, 'PUT', '/oauth/servers/legacy', entry)).status).to.equal(200);
    await within(
      1000,
      'the first instance moving to /auth/v2/token',
      async () =>
        (await postForm(`${first.url}/auth/v2/token`, { grant_type: 'client_credentials' })).status === 200 &&
        (await seedToken(first)).status === 404
    );
    expect((await admin(second, 'DELETE', '/oauth/servers/legacy')).status).to.equal(204);
    await within(
      1000,
      'the first instance dropping the listen path',
      async () => (await postForm(`${first.url}/auth/v2/token`, { grant_type: 'client_credentials' })).status === 404
    );
  });

  it('does not mount, on an instance whose configuration has an API there, a listen path another instance accepted, and says so', async function () {
    const entry = {
      ...janusEntry(one, two),
      name: 'shadowed',
      oauth_endpoints: {
        token: { listen_path: '/reserved/token', upstream_url: `${one.url}/token`, methods: ['POST'] }
      }
    };
    delete (entry as Record<string, unknown>).oauth_client_endpoints;
    expect((await admin(first, 'POST', '/oauth/servers', entry)).status).to.equal(201);
    await within(1000, 'the second instance saying why', async () =>
      /listen paths of the server "shadowed" are not mounted: .*apiEndpoints\.reserved/.test(second.output())
    );
    expect((await postForm(`${first.url}/reserved/token`, { grant_type: 'client_credentials' })).json.from).to.equal(
      'one'
    );
    expect((await postForm(`${second.url}/reserved/token`, { grant_type: 'client_credentials' })).json.from).to.equal(
      'pipeline'
    );
    await admin(first, 'DELETE', '/oauth/servers/shadowed');
  });
});

describe("Janus listen paths across EG's hot reload of gateway.config (issue 17, item 2)", function () {
  this.timeout(60000);
  let gateway: RunningGateway;
  let upstream: FakeServer;
  let pipeline: FakeServer;
  const listenEntry = () => ({
    name: 'reloaded',
    endpoints: { introspection: { url: `${upstream.url}/introspect`, listenPath: '/secure/x' } },
    tokenStrategy: {
      name: 'jwt',
      jwt: { keys: [{ alg: 'HS256', key: KEY }], issuer: 'https://r.example', audience: 'api' }
    }
  });
  const secured = (policy = 'proxy') => ({
    apiEndpoints: { secure: { host: '*', paths: ['/secure/*'] } },
    serviceEndpoints: { backend: { url: pipeline.url } },
    pipelines: {
      secure: { apiEndpoints: ['secure'], policies: [{ [policy]: [{ action: { serviceEndpoint: 'backend' } }] }] }
    }
  });
  const from = async () => (await postForm(`${gateway.url}/secure/x`, { token: 't' })).json?.from;

  before(async function () {
    [upstream, pipeline] = await Promise.all([
      startFakeServer(() => ({ body: { from: 'listen path' } })),
      startFakeServer(() => ({ body: { from: 'pipeline' } }))
    ]);
    gateway = await startGateway({ watchConfig: true });
  });
  after(async function () {
    await gateway?.stop();
    await Promise.all([upstream?.close(), pipeline?.close()]);
  });

  it('gives the path to an API endpoint a reload adds there, and keeps it there when EG refuses the next reload', async function () {
    const created = await request(`${gateway.adminUrl}/oauth2/servers`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(listenEntry())
    });
    expect(created.status, created.text).to.equal(201);
    expect(await from()).to.equal('listen path');

    expect(await gateway.reload(secured())).to.equal(true);
    expect(await from()).to.equal('pipeline');
    expect(gateway.output()).to.match(/listen paths of the server "reloaded" are not mounted: .*apiEndpoints\.secure/);

    // EG refuses this one (a policy gateway.config does not declare) and keeps the pipelines it has: the listen path
    // stays off.
    expect(await gateway.reload({ ...secured('undeclared-policy'), apiEndpoints: {} })).to.equal(false);
    expect(await from()).to.equal('pipeline');

    // Accepted (EG does not say so: no older routes were mounted again within 5 s), the path is the listen path's
    // again.
    expect(await gateway.reload({ apiEndpoints: {}, pipelines: {} })).to.equal(true);
    const started = Date.now();
    while ((await from()) !== 'listen path') {
      if (Date.now() - started > 8000) throw new Error('the listen path did not come back after the accepted reload');
      await new Promise((r) => setTimeout(r, 200));
    }
  });
});

describe("balancing over an endpoint's targets", function () {
  const upstream = (balancing: 'roundrobin' | 'weight', targets: Array<{ url: string; weight?: number }>) => ({
    url: targets[0].url,
    timeout: 1000,
    balancing,
    targets
  });

  it('takes each target in turn, the others after it for failover', function () {
    const balancer = new TargetBalancer();
    const endpoint = upstream('roundrobin', [{ url: 'http://a' }, { url: 'http://b' }, { url: 'http://c' }]);
    expect([1, 2, 3, 4].map(() => balancer.order('x token', endpoint))).to.deep.equal([
      ['http://a', 'http://b', 'http://c'],
      ['http://b', 'http://c', 'http://a'],
      ['http://c', 'http://a', 'http://b'],
      ['http://a', 'http://b', 'http://c']
    ]);
  });

  it('never picks a target of weight 0, and takes the targets in order when an entry stored before weights were checked has none', function () {
    const balancer = new TargetBalancer();
    const weighed = upstream('weight', [
      { url: 'http://a', weight: 0 },
      { url: 'http://b', weight: 3 }
    ]);
    for (let i = 0; i < 20; i++) expect(balancer.order('x token', weighed)).to.deep.equal(['http://b']);
    expect(balancer.order('y token', upstream('weight', [{ url: 'http://a' }, { url: 'http://b' }]))).to.deep.equal([
      'http://a',
      'http://b'
    ]);
  });
});

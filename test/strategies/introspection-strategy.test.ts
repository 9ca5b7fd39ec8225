import { expect } from 'chai';
import { FakeServer, startFakeServer } from '../helpers/fake-server';
import { freePort } from '../../support/gateway';
import { request } from '../../support/http';
import { now } from '../helpers/keys';
import { startWorld, World } from '../helpers/world';

/** RFC 6749 §2.3.1: the credentials are form-encoded before Basic. */
const RS_AUTH = `Basic ${Buffer.from('resource-server:rs+secret').toString('base64')}`;

/** tokenStrategy: introspection, against a stand-in for another authorization server's RFC 7662 endpoint. */
describe("token strategies: introspection (another server's RFC 7662 endpoint)", function () {
  let as: FakeServer;
  let world: World;
  const answers = new Map<string, Record<string, unknown> | 'hang' | 'garbage' | 500>();
  before(async function () {
    as = await startFakeServer((req) => {
      if (req.headers.authorization !== RS_AUTH) return { status: 401, body: { error: 'invalid_client' } };
      const answer = answers.get(new URLSearchParams(req.body).get('token') ?? '') ?? { active: false };
      if (answer === 'hang') return { hang: true };
      if (answer === 'garbage') return { body: '<html>oops</html>' };
      if (answer === 500) return { status: 500, body: { error: 'server_error' } };
      return { body: answer };
    });
    world = await startWorld({
      policy: {
        tokenStrategy: 'introspection',
        introspection: {
          endpoint: `${as.url}/introspect`,
          clientId: 'resource-server',
          clientSecret: 'rs secret',
          timeout: 500,
          cacheTtl: 60
        }
      }
    });
  });
  after(async function () {
    await world?.stop();
    await as?.close();
  });

  const api = (token: string, path?: string) => world.api(token, path);
  const active = (extra: Record<string, unknown> = {}) => ({
    active: true,
    scope: 'read',
    client_id: 'their-client',
    sub: 'user-7',
    username: 'dave',
    exp: now() + 300,
    iat: now(),
    ...extra
  });
  const hits = (token: string) => as.received.filter((r) => new URLSearchParams(r.body).get('token') === token).length;

  it('accepts an active token, authenticating to the endpoint with Basic, and passes its identity downstream', async function () {
    answers.set('tok-1', active());
    const res = await api('tok-1');
    expect(res.status).to.equal(200);
    expect(res.json.headers).to.include({
      'eg-token-scopes': 'read',
      'eg-consumer-id': 'their-client',
      'eg-token-authenticated-user-id': 'user-7'
    });
    const asked = as.received.find((r) => r.body.includes('tok-1'))!;
    expect(asked.method).to.equal('POST');
    expect(Object.fromEntries(new URLSearchParams(asked.body))).to.deep.equal({
      token: 'tok-1',
      token_type_hint: 'access_token'
    });
  });

  it('reuses an active answer instead of asking again', async function () {
    answers.set('tok-2', active());
    await api('tok-2');
    await api('tok-2');
    expect(hits('tok-2')).to.equal(1);
  });

  it('keeps an answer no longer than the token lives', async function () {
    answers.set('tok-3', active({ exp: now() + 2 }));
    expect((await api('tok-3')).status).to.equal(200);
    answers.set('tok-3', { active: false });
    expect((await api('tok-3')).status).to.equal(200);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await api('tok-3')).status).to.equal(401);
  });

  it("refuses an inactive or already expired token, and applies the endpoint's scopes", async function () {
    answers.set('tok-4', { active: false });
    expect((await api('tok-4')).json).to.deep.equal({
      error: 'invalid_token',
      error_description: 'The access token is invalid, expired or revoked'
    });
    answers.set('tok-5', active({ exp: now() - 5 }));
    expect((await api('tok-5')).status).to.equal(401);
    answers.set('tok-6', active());
    expect((await api('tok-6', '/api/write')).status).to.equal(403);
  });

  it('answers 401 with a log line when the endpoint fails, is slow or answers nonsense', async function () {
    const cases: Array<[string, 'hang' | 'garbage' | 500, RegExp]> = [
      [
        'tok-hang',
        'hang',
        /introspection endpoint http:\/\/127\.0\.0\.1:\d+\/introspect failed: no answer within 500 ms/
      ],
      ['tok-garbage', 'garbage', /introspection endpoint .* failed: .*JSON/],
      ['tok-500', 500, /introspection endpoint .* failed: answered 500/]
    ];
    for (const [token, answer, logged] of cases) {
      answers.set(token, answer);
      const started = Date.now();
      const res = await api(token);
      expect(res.status, token).to.equal(401);
      expect(res.json).to.deep.equal({
        error: 'invalid_token',
        error_description: 'The access token could not be validated'
      });
      expect(Date.now() - started).to.be.below(3000);
      expect(world.gateway.output()).to.match(logged);
    }
  });

  it('answers 401 with a log line when the endpoint is down', async function () {
    await as.close();
    const res = await api('tok-down');
    expect(res.status).to.equal(401);
    expect(world.gateway.output()).to.match(/introspection endpoint .* failed: fetch failed \(ECONNREFUSED\)/);
  });

  describe('with passThrough', function () {
    let forgiving: World;
    before(async function () {
      forgiving = await startWorld({
        policy: {
          passThrough: true,
          tokenStrategy: 'introspection',
          introspection: { endpoint: `http://127.0.0.1:${await freePort()}/introspect`, timeout: 500 }
        }
      });
    });
    after(async function () {
      await forgiving?.stop();
    });

    it('does not let a token it cannot check through as anonymous', async function () {
      const res = await request(`${forgiving.gateway.url}/api`, { headers: { Authorization: 'Bearer unverifiable' } });
      expect(res.status).to.equal(401);
      expect(res.json.error_description).to.equal('The access token could not be validated');
      expect((await request(`${forgiving.gateway.url}/api`)).status, 'no token at all is still forgiven').to.equal(200);
    });
  });
});

/** Issue 15, item 3: pipelines asking the same endpoint share its answers, never each other's verdicts. */
describe('token strategies: introspection answers shared by pipelines with other rules', function () {
  let as: FakeServer;
  let world: World;
  before(async function () {
    as = await startFakeServer((req) => ({
      body:
        new URLSearchParams(req.body).get('token') === 'for-b'
          ? {
              active: true,
              scope: 'read',
              client_id: 'their-client',
              aud: 'api://b',
              iss: 'https://as.example',
              exp: now() + 300
            }
          : { active: false }
    }));
    const introspection = (extra: Record<string, unknown>) => ({
      endpoint: `${as.url}/introspect`,
      clientId: 'rs',
      clientSecret: 'rs-secret',
      cacheTtl: 60,
      ...extra
    });
    const pipeline = (paths: string[], extra: Record<string, unknown>) => ({
      apiEndpoints: paths,
      policies: [
        { oauth2: [{ action: { tokenStrategy: 'introspection', introspection: introspection(extra) } }] },
        { proxy: [{ action: { serviceEndpoint: 'backend' } }] }
      ]
    });
    world = await startWorld({
      gateway: {
        apiEndpoints: {
          a: { host: '*', paths: ['/api-a'] },
          b: { host: '*', paths: ['/api-b'] },
          c: { host: '*', paths: ['/api-c'] }
        },
        pipelines: {
          a: pipeline(['a'], { audience: 'api://a' }),
          b: pipeline(['b'], { audience: 'api://b' }),
          c: pipeline(['c'], { issuer: 'https://other-as.example' })
        }
      }
    });
  });
  after(async function () {
    await world?.stop();
    await as?.close();
  });

  const call = (path: string) => request(`${world.gateway.url}${path}`, { headers: { Authorization: 'Bearer for-b' } });

  it('refuses on a pipeline whose audience the token lacks, after another pipeline accepted it and kept the answer', async function () {
    expect((await call('/api-b')).status).to.equal(200);
    expect((await call('/api-b')).status).to.equal(200);
    const a = await call('/api-a');
    expect(a.status).to.equal(401);
    expect(a.json.error_description).to.equal('The access token is not meant for this audience');
    const c = await call('/api-c');
    expect(c.status).to.equal(401);
    expect(c.json.error_description).to.equal('The access token was not issued by a trusted issuer');
    expect(as.received.filter((r) => r.body.includes('for-b'))).to.have.length(
      1,
      'one answer, asked once, judged by each pipeline'
    );
  });
});

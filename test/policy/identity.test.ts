import { expect } from 'chai';
import { Browser, pkcePair } from '../../support/browser';
import { authorize, codeParams, decide, REDIRECT_URI } from '../helpers/flow';
import { request } from '../../support/http';
import { ecKeyPair } from '../helpers/keys';
import { startWorld, World } from '../helpers/world';

/**
 * The protected pipeline with this oauth2 action, followed by an EG policy that reads the consumer and token the oauth2
 * policy put on the request.
 */
function withLaterPolicy(action: Record<string, unknown>) {
  return {
    policies: ['oauth2', 'proxy', 'headers'],
    pipelines: {
      protected: {
        apiEndpoints: ['api', 'write', 'both'],
        policies: [
          { oauth2: [{ action }] },
          {
            headers: [
              {
                action: {
                  headersPrefix: 'x-from-',
                  forwardHeaders: { 'app-name': 'consumer.name', 'token-scopes': 'consumer.token.scopes.join(",")' }
                }
              }
            ]
          },
          { proxy: [{ action: { serviceEndpoint: 'backend' } }] }
        ]
      }
    }
  };
}

describe('oauth2 policy: identity passed downstream', function () {
  let world: World;
  let token: string;
  before(async function () {
    world = await startWorld({ gateway: withLaterPolicy({}) });
    token = (
      await world.token({
        grant_type: 'password',
        username: world.user.username,
        password: world.user.password,
        scope: 'read'
      })
    ).json.access_token;
  });
  after(async function () {
    await world?.stop();
  });

  async function upstreamHeaders(headers: Record<string, string> = {}) {
    const res = await request(`${world.gateway.url}/api`, {
      headers: { Authorization: `Bearer ${token}`, ...headers }
    });
    expect(res.status).to.equal(200);
    return res.json.headers as Record<string, string>;
  }

  it("forwards the eg-token-* headers of EG's documentation", async function () {
    const h = await upstreamHeaders();
    expect(h['eg-token-scopes']).to.equal('read');
    expect(h['eg-token-id']).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(h['eg-token-consumer-id']).to.equal(world.app.id);
    expect(h['eg-token-authenticated-user-id']).to.equal(world.user.id);
    expect(h['eg-token-auth-type']).to.equal('oauth2');
    const created = Date.parse(h['eg-token-created-at']);
    expect(Date.parse(h['eg-token-expires-at']) - created).to.equal(3600 * 1000);
  });

  it('forwards the eg-consumer-* headers, user-defined properties included', async function () {
    const h = await upstreamHeaders();
    expect(h['eg-consumer-id']).to.equal(world.app.id);
    expect(h['eg-consumer-type']).to.equal('application');
    expect(h['eg-consumer-is-active']).to.equal('true');
    expect(h['eg-consumer-user-id']).to.be.a('string').and.not.equal(world.user.id);
    expect(h['eg-consumer-redirect-uri']).to.equal('http://127.0.0.1:8000/callback');
    expect(h['eg-consumer-name']).to.equal(world.app.name);
    expect(Date.parse(h['eg-consumer-created-at'])).to.be.a('number').and.not.NaN;
    expect(Date.parse(h['eg-consumer-updated-at'])).to.be.a('number').and.not.NaN;
  });

  it('forwards the same identity for a token served from memory as on its first use', async function () {
    const fresh = (
      await world.token({
        grant_type: 'password',
        username: world.user.username,
        password: world.user.password,
        scope: 'read'
      })
    ).json.access_token;
    const call = async () => (await world.api(fresh)).json.headers as Record<string, string>;
    const identity = (h: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(h).filter(([name]) => /^(eg-(token|consumer)-|x-from-|authorization)/.test(name))
      );
    const first = identity(await call());
    expect(first['eg-token-id']).to.be.a('string');
    expect(identity(await call())).to.deep.equal(first);
    expect(identity(await call())).to.deep.equal(first);
  });

  it('never forwards the access token upstream (hideCredentials)', async function () {
    const h = await upstreamHeaders();
    expect(h).not.to.have.property('authorization');
  });

  it('drops eg-token-* and eg-consumer-* headers a client tried to spoof', async function () {
    const h = await upstreamHeaders({
      'eg-token-scopes': 'admin',
      'eg-consumer-is-admin': 'true',
      'EG-Token-Authenticated-User-Id': 'root'
    });
    expect(h['eg-token-scopes']).to.equal('read');
    expect(h).not.to.have.property('eg-consumer-is-admin');
    expect(h['eg-token-authenticated-user-id']).to.equal(world.user.id);
  });

  it('drops look-alikes a CGI or WSGI upstream would read as ours (underscores, dots)', async function () {
    const h = await upstreamHeaders({
      eg_token_authenticated_user_id: 'root',
      'eg.consumer.is.admin': 'true',
      EG_Token_Scopes: 'admin'
    });
    expect(
      Object.keys(h).filter(
        (name) => /^eg[^a-z0-9]?(token|consumer)/i.test(name) && !/^eg-(token|consumer)-/.test(name)
      )
    ).to.deep.equal([]);
    expect(h['eg-token-scopes']).to.equal('read');
  });

  it('makes the consumer and its token available to later policies (egContext.consumer)', async function () {
    const h = await upstreamHeaders();
    expect(h['x-from-app-name']).to.equal(world.app.name);
    expect(h['x-from-token-scopes']).to.equal('read');
  });

  it('sends no identity header upstream with identityHeaders: false, while later policies still see the consumer', async function () {
    const bare = await startWorld({ gateway: withLaterPolicy({ identityHeaders: false }) });
    try {
      const t = (await bare.token({ grant_type: 'client_credentials' })).json.access_token;
      for (let i = 0; i < 2; i++) {
        const h = (
          await request(`${bare.gateway.url}/api`, {
            headers: { Authorization: `Bearer ${t}`, 'eg-token-scopes': 'admin' }
          })
        ).json.headers as Record<string, string>;
        expect(
          Object.keys(h).filter((name) => /^eg-(token|consumer)-/.test(name)),
          'spoofed ones dropped too'
        ).to.deep.equal([]);
        expect(h['x-from-app-name']).to.equal(bare.app.name);
      }
    } finally {
      await bare.stop();
    }
  });

  it('keeps the Authorization header when hideCredentials is false', async function () {
    const keep = await startWorld({ policy: { hideCredentials: false } });
    try {
      const t = (await keep.token({ grant_type: 'client_credentials' })).json.access_token;
      const res = await request(`${keep.gateway.url}/api`, { headers: { Authorization: `Bearer ${t}` } });
      expect(res.json.headers.authorization).to.equal(`Bearer ${t}`);
    } finally {
      await keep.stop();
    }
  });
});

/**
 * Every header EG's oauth2 documentation (seed 001) lists as passed downstream; user-defined properties are
 * eg-consumer-<property>.
 */
const SEED_HEADERS = [
  'eg-token-scopes',
  'eg-token-redirect-uri',
  'eg-token-id',
  'eg-token-expires-at',
  'eg-token-created-at',
  'eg-token-consumer-id',
  'eg-token-authenticated-user-id',
  'eg-token-auth-type',
  'eg-consumer-user-id',
  'eg-consumer-updated-at',
  'eg-consumer-redirect-uri',
  'eg-consumer-is-active',
  'eg-consumer-id',
  'eg-consumer-created-at',
  'eg-consumer-type'
];

describe("oauth2 policy: every header of EG's documentation, for opaque and JWT access tokens alike (issue 17, item 6)", function () {
  const upstream: Record<string, Record<string, string>> = {};
  for (const format of ['opaque', 'jwt'] as const) {
    it(`sends each of them upstream for a ${format} access token from the code flow`, async function () {
      const keys = format === 'jwt' ? { keys: [{ kid: 'k1', alg: 'ES256', key: ecKeyPair().privatePem }] } : {};
      const world = await startWorld({ settings: { accessToken: { format }, ...keys } });
      try {
        const browser = new Browser(world.gateway.url);
        const pkce = pkcePair();
        const consent = await authorize(
          browser,
          world,
          codeParams(world, { scope: 'read', code_challenge: pkce.challenge, code_challenge_method: 'S256' })
        );
        const code = (await decide(browser, consent, true)).searchParams.get('code')!;
        const tokens = await world.token({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT_URI,
          code_verifier: pkce.verifier
        });
        expect(tokens.status, tokens.text).to.equal(200);
        const res = await world.api(tokens.json.access_token);
        expect(res.status).to.equal(200);
        const headers = res.json.headers as Record<string, string>;
        expect(SEED_HEADERS.filter((name) => !headers[name])).to.deep.equal([]);
        expect(headers['eg-token-redirect-uri']).to.equal(REDIRECT_URI);
        expect(headers['eg-token-authenticated-user-id']).to.equal(world.user.id);
        expect(headers['eg-consumer-name'], 'a user-defined property').to.equal(world.app.name);
        upstream[format] = headers;
      } finally {
        await world.stop();
      }
    });
  }

  it("with the same values whatever the format, but for the token's own id and times", function () {
    if (!upstream.opaque || !upstream.jwt) return this.skip();
    const comparable = (headers: Record<string, string>) =>
      Object.fromEntries(
        SEED_HEADERS.filter(
          (name) =>
            ![
              'eg-token-id',
              'eg-token-expires-at',
              'eg-token-created-at',
              'eg-token-consumer-id',
              'eg-consumer-id',
              'eg-consumer-user-id',
              'eg-consumer-created-at',
              'eg-consumer-updated-at',
              'eg-token-authenticated-user-id'
            ].includes(name)
        ).map((name) => [name, headers[name]])
      );
    expect(comparable(upstream.jwt)).to.deep.equal(comparable(upstream.opaque));
  });
});

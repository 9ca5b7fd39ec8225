import { expect } from 'chai';
import { startFakeServer, FakeServer } from '../helpers/fake-server';
import { basic, expectOAuthError, postForm, request } from '../../support/http';
import { ecKeyPair, now, signJwt } from '../helpers/keys';
import { startTripwire, Tripwire } from '../helpers/tripwire';
import { startWorld, World } from '../helpers/world';
import { oncePerRun } from '../helpers/once-per-run';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** What every world of this file shares: dynamic registration, and helpers to register and to authenticate. */
function clientsOf(world: () => World) {
  const key = ecKeyPair();
  const jwks = { keys: [{ ...key.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256' }] };
  let initialAccessToken: string;
  const assertion = (clientId: string) =>
    signJwt(
      key.privateKey,
      { alg: 'ES256', kid: 'k1' },
      {
        iss: clientId,
        sub: clientId,
        aud: `${world().gateway.url}/oauth2/token`,
        jti: `j-${Math.random()}`,
        exp: now() + 60
      }
    );
  return {
    jwks,
    assertion,
    async start() {
      const issued = await request(`${world().gateway.adminUrl}/oauth2/registration-tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ owner: world().user.id, uses: 100 })
      });
      initialAccessToken = issued.json.initial_access_token;
    },
    register: (metadata: Record<string, unknown>) =>
      request(`${world().gateway.url}/oauth2/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${initialAccessToken}` },
        body: JSON.stringify({
          grant_types: ['client_credentials'],
          token_endpoint_auth_method: 'private_key_jwt',
          scope: 'read',
          ...metadata
        })
      }),
    /** An app whose jwksUri an operator set on EG's admin API: no registration check stood in the way. */
    withJwksUri: (name: string, jwksUri: string) =>
      world().gateway.admin.registerClient({ name, userId: world().user.id, jwksUri }, ['read']),
    privateKeyJwt: async (clientId: string) =>
      postForm(`${world().gateway.url}/oauth2/token`, {
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: await assertion(clientId)
      })
  };
}

/** Issue 15 item 12: a registrant's jwks_uri must not make the gateway call into its own networks (blind SSRF). */
describe('URLs supplied by clients are fetched only from public addresses', function () {
  before(function () {
    // What this suite proves does not depend on the store: once per CI run.
    oncePerRun(this);
  });

  let world: World;
  let tripwire: Tripwire;
  const clients = clientsOf(() => world);

  before(async function () {
    tripwire = await startTripwire();
    world = await startWorld({ settings: { dynamicRegistration: { enabled: true, allowedScopes: ['read'] } } });
    await clients.start();
  });
  after(async function () {
    await world?.stop();
    await tripwire?.close();
  });
  afterEach(function () {
    expect(tripwire.connections, 'connections that reached the local listener').to.equal(0);
  });

  it('refuses at registration a jwks_uri on loopback, on a private or link-local address, or naming one in another spelling, with invalid_client_metadata', async function () {
    const port = tripwire.port;
    const refused = [
      `http://127.0.0.1:${port}/jwks`,
      `https://127.0.0.1:${port}/jwks`,
      'https://10.0.0.1/jwks',
      'https://192.168.1.10/jwks',
      'https://169.254.169.254/latest/meta-data/',
      'https://100.64.0.1/jwks',
      'https://0.0.0.0/jwks',
      'http://0x7f.1/jwks',
      'https://0x7f.1/jwks',
      'https://2130706433/jwks',
      'https://0177.0.0.1/jwks',
      'https://[::ffff:127.0.0.1]/jwks',
      'https://[::1]/jwks',
      'https://[::]/jwks',
      'https://[fd00::1]/jwks',
      'https://[fe80::1]/jwks',
      'https://[64:ff9b::a00:1]/jwks'
    ];
    for (const jwksUri of refused) {
      expectOAuthError(
        await clients.register({ jwks_uri: jwksUri }),
        400,
        'invalid_client_metadata',
        /^jwks_uri (must be https|names a non-public address)/
      );
    }
  });

  it('refuses at registration and on update a jwks_uri whose host name resolves only to loopback (localhost)', async function () {
    expectOAuthError(
      await clients.register({ jwks_uri: `https://localhost:${tripwire.port}/jwks` }),
      400,
      'invalid_client_metadata',
      /^jwks_uri resolves to no public address/
    );
    const registered = (await clients.register({ jwks: clients.jwks })).json;
    const update = await request(registered.registration_client_uri, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${registered.registration_access_token}` },
      body: JSON.stringify({
        client_id: registered.client_id,
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: `https://localhost:${tripwire.port}/jwks`
      })
    });
    expectOAuthError(update, 400, 'invalid_client_metadata', /^jwks_uri resolves to no public address/);
  });

  it("refuses private_key_jwt with 401 invalid_client when an app's jwksUri points inward, without a connection reaching it, and logs why", async function () {
    const port = tripwire.port;
    const inward = [
      `https://localhost:${port}/jwks`,
      `https://127.0.0.1:${port}/jwks`,
      `https://0x7f.1:${port}/jwks`,
      `https://2130706433:${port}/jwks`,
      `https://[::ffff:127.0.0.1]:${port}/jwks`,
      `http://localhost:${port}/jwks`
    ];
    for (const [index, jwksUri] of inward.entries()) {
      const app = await clients.withJwksUri(`inward-${index}`, jwksUri);
      expectOAuthError(await clients.privateKeyJwt(app.id), 401, 'invalid_client', /^Client authentication failed/);
    }
    expect(world.gateway.output()).to.contain(
      `JWKS https://localhost:${port}/jwks unavailable: localhost resolves to no public address`
    );
  });

  it('refuses with invalid_grant a JWT bearer assertion a client signed about itself when its jwksUri points inward', async function () {
    const app = await clients.withJwksUri('inward-bearer', `https://localhost:${tripwire.port}/jwks`);
    const res = await postForm(
      `${world.gateway.url}/oauth2/token`,
      { grant_type: JWT_BEARER, assertion: await clients.assertion(app.id) },
      { Authorization: basic(app.id, app.secret) }
    );
    expectOAuthError(res, 400, 'invalid_grant', /keys could not be fetched/);
  });
});

describe('URLs supplied by clients, with clientUrls.allowPrivateNetworks', function () {
  before(function () {
    // What this suite proves does not depend on the store: once per CI run.
    oncePerRun(this);
  });

  let world: World;
  let tripwire: Tripwire;
  let jwks: FakeServer;
  const clients = clientsOf(() => world);

  before(async function () {
    tripwire = await startTripwire();
    jwks = await startFakeServer((req) => {
      if (req.url === '/redirect')
        return { status: 302, headers: { Location: `http://127.0.0.1:${tripwire.port}/jwks` } };
      if (req.url === '/large') return { body: { keys: [], padding: 'x'.repeat(300000) } };
      if (req.url === '/hang') return { hang: true };
      return { body: clients.jwks };
    });
    world = await startWorld({
      settings: {
        dynamicRegistration: { enabled: true, allowedScopes: ['read'] },
        clientUrls: { allowPrivateNetworks: true, timeout: 1000 }
      }
    });
    await clients.start();
  });
  after(async function () {
    await world?.stop();
    await jwks?.close();
    await tripwire?.close();
  });

  it('registers a jwks_uri on loopback, even over plain http, and authenticates the client with the keys it serves', async function () {
    const registered = await clients.register({ jwks_uri: `${jwks.url}/jwks` });
    expect(registered.status, registered.text).to.equal(201);
    const res = await clients.privateKeyJwt(registered.json.client_id);
    expect(res.status, res.text).to.equal(200);
    expect(jwks.received.map((req) => req.url)).to.include('/jwks');
  });

  it('still refuses plain http off loopback', async function () {
    expectOAuthError(
      await clients.register({ jwks_uri: 'http://10.0.0.1/jwks' }),
      400,
      'invalid_client_metadata',
      /^jwks_uri must be https \(plain http only on loopback\)/
    );
  });

  it('answers 401 invalid_client, never a 500 or a hang, for a jwksUri that redirects, answers too much or does not answer in time; no redirect is followed', async function () {
    for (const path of ['/redirect', '/large', '/hang']) {
      const app = await clients.withJwksUri(`failing${path.replace('/', '-')}`, `${jwks.url}${path}`);
      const started = Date.now();
      expectOAuthError(await clients.privateKeyJwt(app.id), 401, 'invalid_client', /keys could not be fetched/);
      expect(Date.now() - started, path).to.be.below(5000);
    }
    expect(tripwire.connections, 'the redirect target').to.equal(0);
    expect(world.gateway.output()).to.match(/redirect unavailable: answered 302; redirects are not followed/);
    expect(world.gateway.output()).to.match(/large unavailable: answered more than 262144 bytes/);
    expect(world.gateway.output()).to.match(/hang unavailable: no answer in time/);
  });
});

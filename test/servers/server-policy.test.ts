import { expect } from 'chai';
import { RunningGateway, startGateway } from '../../support/gateway';
import { request } from '../../support/http';
import { rsaKeyPair, signJwt } from '../helpers/keys';
import { startFakeServer, FakeServer } from '../helpers/fake-server';

const ISSUER = 'https://as.partner.example';
const AUDIENCE = 'api://orders';
const partnerKey = rsaKeyPair();
const rotatedKey = rsaKeyPair();

const jwtEntry = (publicPem: string, name = 'partner-as') => ({
  name,
  tokenStrategy: { name: 'jwt', jwt: { issuer: ISSUER, audience: AUDIENCE, keys: [{ alg: 'RS256', key: publicPem }] } }
});

function partnerToken(key = partnerKey, claims: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(
    key.privateKey,
    { alg: 'RS256', typ: 'at+jwt' },
    {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'partner-user',
      client_id: 'partner-client',
      scope: 'orders:read',
      jti: `j${Math.random()}`,
      iat: now,
      exp: now + 300,
      ...claims
    }
  );
}

/** Pipelines with `server: <name>`: the partner server's tokens, checked by its registry entry. */
const partnerPipelines = (backendUrl: string) => ({
  apiEndpoints: {
    partner: { host: '*', paths: ['/partner', '/partner/*'] },
    partnerWrite: { host: '*', paths: ['/partner-write'], scopes: ['orders:write'] },
    introspected: { host: '*', paths: ['/introspected'] }
  },
  serviceEndpoints: { partnerBackend: { url: backendUrl } },
  pipelines: {
    partner: {
      apiEndpoints: ['partner', 'partnerWrite'],
      policies: [
        { oauth2: [{ action: { server: 'partner-as' } }] },
        { proxy: [{ action: { serviceEndpoint: 'partnerBackend' } }] }
      ]
    },
    introspected: {
      apiEndpoints: ['introspected'],
      policies: [
        { oauth2: [{ action: { server: 'introspected-as' } }] },
        { proxy: [{ action: { serviceEndpoint: 'partnerBackend' } }] }
      ]
    }
  }
});

function adminCall(gateway: RunningGateway, method: string, path: string, body?: unknown) {
  return request(`${gateway.adminUrl}/oauth2/servers${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
}

const callWith = (gateway: RunningGateway, path: string, token: string) =>
  request(`${gateway.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });

describe("policy server parameter: pipelines accept a registered server's tokens by its name", function () {
  let gateway: RunningGateway;
  let backend: FakeServer;
  let introspection: FakeServer;
  const call = (path: string, token: string) => callWith(gateway, path, token);

  before(async function () {
    introspection = await startFakeServer((req) => ({
      body: req.body.includes('token=partner-opaque-token')
        ? {
            active: true,
            scope: 'orders:read',
            client_id: 'partner-client',
            sub: 'someone',
            iss: ISSUER,
            exp: Math.floor(Date.now() / 1000) + 300
          }
        : { active: false }
    }));
    backend = await startFakeServer((req) => ({ body: { headers: req.headers } }));
    gateway = await startGateway({ gateway: partnerPipelines(backend.url) });
  });
  after(async function () {
    await gateway?.stop();
    await backend?.close();
    await introspection?.close();
  });

  it('refuses every token while no server has the name, without a 500', async function () {
    const res = await call('/partner', await partnerToken());
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.match(/error="invalid_token"/);
  });

  it("accepts the server's tokens as soon as it is registered, with the usual headers downstream", async function () {
    const created = await adminCall(gateway, 'POST', '', jwtEntry(partnerKey.publicPem));
    expect(created.status, created.text).to.equal(201);
    const res = await call('/partner', await partnerToken());
    expect(res.status, res.text).to.equal(200);
    expect(res.json.headers['eg-token-consumer-id']).to.equal('partner-client');
    expect(res.json.headers['eg-token-scopes']).to.equal('orders:read');
    expect(res.json.headers['eg-token-issuer']).to.equal(ISSUER);
    expect(res.json.headers.authorization, 'the token is not passed on').to.equal(undefined);
  });

  it('refuses forged, tampered, expired and foreign-audience tokens of that server', async function () {
    const forged = await partnerToken(rotatedKey);
    const good = await partnerToken();
    const [head, body, signature] = good.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const tampered = [
      head,
      Buffer.from(JSON.stringify({ ...claims, scope: 'orders:write' })).toString('base64url'),
      signature
    ].join('.');
    const expired = await partnerToken(partnerKey, { iat: 1000, exp: 2000 });
    const elsewhere = await partnerToken(partnerKey, { aud: 'api://billing' });
    for (const token of [forged, tampered, expired, elsewhere, 'not-a-jwt']) {
      const res = await call('/partner', token);
      expect(res.status, token).to.equal(401);
    }
  });

  it("applies the API endpoint's scopes to the server's tokens", async function () {
    expect((await call('/partner-write', await partnerToken())).status).to.equal(403);
    expect(
      (await call('/partner-write', await partnerToken(partnerKey, { scope: 'orders:read orders:write' }))).status
    ).to.equal(200);
  });

  it('follows a changed entry at the next request: a rotated key replaces the old one', async function () {
    const changed = await adminCall(gateway, 'PUT', '/partner-as', jwtEntry(rotatedKey.publicPem));
    expect(changed.status, changed.text).to.equal(200);
    expect((await call('/partner', await partnerToken())).status).to.equal(401);
    expect((await call('/partner', await partnerToken(rotatedKey))).status).to.equal(200);
  });

  it("refuses the server's tokens at the next request once the entry is deleted", async function () {
    expect((await adminCall(gateway, 'DELETE', '/partner-as')).status).to.equal(204);
    expect((await call('/partner', await partnerToken(rotatedKey))).status).to.equal(401);
  });

  it("checks tokens at the server's introspection endpoint when its strategy says so", async function () {
    const entry = {
      name: 'introspected-as',
      tokenStrategy: {
        name: 'introspection',
        introspection: { endpoint: `${introspection.url}/introspect`, clientId: 'gw', clientSecret: 'gw-secret' }
      }
    };
    expect((await adminCall(gateway, 'POST', '', entry)).status).to.equal(201);
    const res = await call('/introspected', 'partner-opaque-token');
    expect(res.status, res.text).to.equal(200);
    expect(res.json.headers['eg-token-consumer-id']).to.equal('partner-client');
    expect((await call('/introspected', 'another-token')).status).to.equal(401);
    expect(introspection.received.at(-1)!.headers.authorization).to.equal(
      `Basic ${Buffer.from('gw:gw-secret').toString('base64')}`
    );
  });

  it('judges a remembered introspection answer by the entry as it is now: an audience added to the entry refuses the token at the next request (issue 15, item 3)', async function () {
    const audienceOf = (audience?: string) => ({
      name: 'introspected-as',
      tokenStrategy: {
        name: 'introspection',
        introspection: {
          endpoint: `${introspection.url}/introspect`,
          clientId: 'gw',
          clientSecret: 'gw-secret',
          ...(audience ? { audience } : {})
        }
      }
    });
    expect((await adminCall(gateway, 'PUT', '/introspected-as', audienceOf())).status).to.equal(200);
    expect(
      (await call('/introspected', 'partner-opaque-token')).status,
      'accepted, and its answer remembered'
    ).to.equal(200);
    expect((await adminCall(gateway, 'PUT', '/introspected-as', audienceOf('api://orders'))).status).to.equal(200);
    const res = await call('/introspected', 'partner-opaque-token');
    expect(res.status, 'the answer names no audience').to.equal(401);
    expect(res.json.error_description).to.equal('The access token is not meant for this audience');
  });

  it("refuses a key file path over the admin API (the host's files are not the admin's to read)", async function () {
    const entry = {
      name: 'file-key',
      tokenStrategy: {
        name: 'jwt',
        jwt: { issuer: ISSUER, audience: AUDIENCE, keys: [{ alg: 'RS256', keyFile: '/etc/passwd' }] }
      }
    };
    const res = await adminCall(gateway, 'POST', '', entry);
    expect(res.status).to.equal(400);
    expect(res.json.error_description).to.match(/keyFile is not accepted/);
  });
});

/**
 * Several gateway instances behind a load balancer share the registry through Redis, and its changes through pub/sub.
 */
describe('policy server parameter across gateway instances on a real Redis', function () {
  let first: RunningGateway;
  let second: RunningGateway;
  let backend: FakeServer;
  before(async function () {
    if (!process.env.REDIS_URL) return this.skip();
    backend = await startFakeServer(() => ({ body: { ok: true } }));
    const namespace = `S${Math.random().toString(36).slice(2, 8)}`;
    const settings = { session: { secret: 'a session secret both instances share, 32+ chars' } };
    first = await startGateway({ namespace, settings, gateway: partnerPipelines(backend.url) });
    second = await startGateway({ namespace, settings, gateway: partnerPipelines(backend.url) });
  });
  after(async function () {
    await second?.stop();
    await first?.stop();
    await backend?.close();
  });

  async function statusWithin(gateway: RunningGateway, token: string, wanted: number, ms: number): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < ms) {
      if ((await callWith(gateway, '/partner', token)).status === wanted) return Date.now() - started;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`the second instance did not answer ${wanted} within ${ms} ms`);
  }

  it('a server registered on one instance is used by the other within a second, and so are its change and removal', async function () {
    const token = await partnerToken();
    expect((await callWith(second, '/partner', token)).status, 'unknown at first (and remembered as unknown)').to.equal(
      401
    );
    expect((await adminCall(first, 'POST', '', jwtEntry(partnerKey.publicPem))).status).to.equal(201);
    expect(await statusWithin(second, token, 200, 1000)).to.be.below(1000);
    expect((await adminCall(first, 'PUT', '/partner-as', jwtEntry(rotatedKey.publicPem))).status).to.equal(200);
    expect(await statusWithin(second, token, 401, 1000)).to.be.below(1000);
    expect((await adminCall(first, 'DELETE', '/partner-as')).status).to.equal(204);
    expect(await statusWithin(second, await partnerToken(rotatedKey), 401, 1000)).to.be.below(1000);
    expect((await adminCall(second, 'GET', '/partner-as')).status, 'the registry itself is shared').to.equal(404);
  });
});

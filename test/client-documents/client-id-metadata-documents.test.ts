import { expect } from 'chai';
import { basic, postForm, request } from '../../support/http';
import { oidcSettings } from '../oidc/oidc-world';
import { registrar } from '../helpers/registrar';
import { decide, REDIRECT_URI } from '../helpers/flow';
import { ecKeyPair, now, signJwt } from '../helpers/keys';
import { oncePerRun } from '../helpers/once-per-run';
import { startWorld, World } from '../helpers/world';
import { startGateway, type RunningGateway } from '../../support/gateway';
import {
  authorizeDocumentClient,
  consentName,
  documentAuthorizeQuery,
  DocumentHost,
  expectErrorPage,
  refreshAs,
  registrantOf,
  startDocumentHost,
  tokensOf,
  trustingDocumentHosts
} from './document-world';

const documentSettings = (allowedHosts: string[], more: Record<string, unknown> = {}) => ({
  grants: ['authorization_code', 'refresh_token', 'client_credentials', 'password'],
  serviceName: 'Acme',
  clientUrls: { allowPrivateNetworks: true, timeout: 2000 },
  // Every test here brings new URLs from one address: the rate of new clients is tested on its own.
  clientIdMetadataDocuments: {
    enabled: true,
    scopes: ['read'],
    allowedHosts,
    minCacheSeconds: 0,
    newClientsPerIp: 1000,
    ...more
  }
});

/** A key pair a document client publishes (`jwks`) and signs its client assertions with. */
function signingClient() {
  const keys = ecKeyPair();
  const jwks = { keys: [{ ...keys.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }] };
  const assertion = (clientId: string, audience: string) =>
    signJwt(
      keys.privateKey,
      { alg: 'ES256', kid: 'k1' },
      { iss: clientId, sub: clientId, aud: audience, iat: now(), exp: now() + 60, jti: `j-${Math.random()}` }
    );
  return { jwks, assertion };
}

/**
 * draft-ietf-oauth-client-id-metadata-document: with clientIdMetadataDocuments.enabled, a client_id that is an https
 * URL is a client described by the JSON document at that URL, which the gateway fetches (https, no redirect, at most
 * maxBytes), checks, and keeps as an EG app whose id is the URL.
 */
describe('client ID metadata documents', function () {
  before(function () {
    // What this suite proves does not depend on the store: once per CI run.
    oncePerRun(this);
  });

  this.timeout(60000);
  let world: World;
  let docs: DocumentHost;
  let elsewhere: DocumentHost;

  before(async function () {
    docs = await startDocumentHost();
    elsewhere = await startDocumentHost();
    world = await startWorld({
      settings: oidcSettings({
        ...documentSettings([docs.host]),
        consent: { remember: true },
        dynamicRegistration: { enabled: true, allowedScopes: ['read'] }
      }),
      env: trustingDocumentHosts()
    });
  });
  after(async function () {
    await world?.stop();
    await docs?.close();
    await elsewhere?.close();
  });

  it('says so in the authorization server metadata (§6)', async function () {
    const res = await request(`${world.gateway.url}/.well-known/oauth-authorization-server`);
    expect(res.json.client_id_metadata_document_supported).to.equal(true);
  });

  it('runs the code flow for a client_id URL: the consent page shows its host, and tokens name the URL', async function () {
    const clientId = docs.publish('agent');
    const consent = await authorizeDocumentClient(world, clientId);
    expect(consent.page.status, consent.page.text.slice(0, 400)).to.equal(200);
    expect(registrantOf(consent.page.text)).to.deep.equal({
      kind: 'document',
      text: `nobody: the application describes itself in a document at ${docs.host}, not Acme`
    });
    expect(consentName(consent.page.text)).to.equal('Agent agent');
    const tokens = await tokensOf(world, clientId, consent);
    expect(tokens.status, tokens.text).to.equal(200);
    expect(tokens.json.scope).to.equal('read');
    expect((await world.api(tokens.json.access_token)).status).to.equal(200);

    const resourceServer = await world.addClient('resource server', ['introspection']);
    const introspection = await postForm(
      `${world.gateway.url}/oauth2/introspect`,
      { token: tokens.json.access_token },
      { Authorization: basic(resourceServer.id, resourceServer.secret) }
    );
    expect(introspection.json).to.include({ active: true, client_id: clientId });
    const refreshed = await refreshAs(world.gateway.url, clientId, tokens.json.refresh_token);
    expect(refreshed.status, refreshed.text).to.equal(200);

    const app = await request(`${world.gateway.adminUrl}/apps/${encodeURIComponent(clientId)}`);
    expect(app.json).to.include({ id: clientId, name: clientId, registeredVia: 'document', public: 'true' });
  });

  it('refuses a document that is not its URL’s, shares a secret, or is no JSON object, on an error page', async function () {
    const cases: [string, Record<string, unknown> | string, RegExp][] = [
      ['other-id', { client_id: docs.url('someone-else') }, /client_id of the document is not the URL it came from/],
      ['secret', { client_secret: 's3cret' }, /holds client_secret/],
      ['basic', { token_endpoint_auth_method: 'client_secret_basic' }, /must be none or private_key_jwt/],
      ['no-redirect', { redirect_uris: [] }, /redirect_uris is required/],
      ['bad-redirect', { redirect_uris: ['https://x.example/cb#frag'] }, /has a fragment/]
    ];
    for (const [name, fields, reason] of cases) {
      const clientId = docs.publish(name, fields as Record<string, unknown>);
      expectErrorPage((await authorizeDocumentClient(world, clientId)).page, reason);
    }
    for (const [name, published, reason] of [
      ['not-json', { body: 'client_id=x' }, /is not JSON/],
      ['array', { body: [1] }, /is not a JSON object/],
      ['gone', { status: 404, body: {} }, /could not be fetched as a JSON document/],
      ['moved', { status: 302, body: {}, headers: { Location: docs.url('agent') } }, /could not be fetched as/],
      ['huge', { body: { padding: 'x'.repeat(6000) } }, /could not be fetched as a JSON document/]
    ] as const) {
      const clientId = docs.answer(name, published);
      expectErrorPage((await authorizeDocumentClient(world, clientId)).page, reason);
    }
    // Why, in the log only (what a host answers is not told to whoever named it).
    expect(world.gateway.output()).to.match(/answered more than 5120 bytes/);
    expect(world.gateway.output()).to.match(/clients\/gone\.json answered HTTP 404/);
  });

  it('refuses client_id URLs the draft forbids (§3) and hosts not allowed, without fetching them', async function () {
    const before = docs.server.received.length + elsewhere.server.received.length;
    const base = docs.server.url;
    for (const [clientId, reason] of [
      [`${base}/clients/a.json#part`, /has a fragment/],
      [`${base}/clients/../a.json`, /has a \. or \.\. path segment/],
      [`${base}/clients/%2E%2E/a.json`, /has a \. or \.\. path segment/],
      [`${base}/`, /has no path/],
      [base.replace('https://', 'https://user@') + '/clients/a.json', /holds a user name or password/],
      [`${base.replace('127.0.0.1', '127.0.0.1.')}/clients/a.json`, /not written as/],
      [
        elsewhere.publish('agent'),
        new RegExp(`does not accept clients whose metadata documents are at ${elsewhere.host}`)
      ]
    ] as const) {
      expectErrorPage((await authorizeDocumentClient(world, clientId)).page, reason);
    }
    expect(docs.server.received.length + elsewhere.server.received.length).to.equal(before);
  });

  it('refuses a redirect_uri its document does not list', async function () {
    const clientId = docs.publish('exact', { redirect_uris: ['http://127.0.0.1:8000/other'] });
    expectErrorPage((await authorizeDocumentClient(world, clientId)).page, /redirect_uri is not registered/);
  });

  it('uses a document until its caching headers say it is stale, then follows its changes (§5.2)', async function () {
    const cached = docs.publish('cached', {}, { 'Cache-Control': 'max-age=3600' });
    for (let i = 0; i < 2; i++) expect((await authorizeDocumentClient(world, cached)).page.status).to.equal(200);
    expect(docs.fetches('cached')).to.equal(1);

    const fresh = docs.publish('uncached', {}, { 'Cache-Control': 'no-store' });
    expect((await authorizeDocumentClient(world, fresh)).page.status).to.equal(200);
    const fetched = docs.fetches('uncached');
    docs.publish('uncached', { redirect_uris: ['http://127.0.0.1:8000/moved'] }, { 'Cache-Control': 'no-store' });
    expectErrorPage((await authorizeDocumentClient(world, fresh)).page, /redirect_uri is not registered/);
    const moved = await authorizeDocumentClient(world, fresh, { redirect_uri: 'http://127.0.0.1:8000/moved' });
    expect(moved.page.status).to.equal(200);
    expect(docs.fetches('uncached')).to.be.greaterThan(fetched + 1);
  });

  it('keeps a client the operator deactivated inactive, whatever its document says', async function () {
    const clientId = docs.publish('blocked', {}, { 'Cache-Control': 'no-store' });
    expect((await authorizeDocumentClient(world, clientId)).page.status).to.equal(200);
    await world.gateway.admin.setAppActive(encodeURIComponent(clientId), false);
    expectErrorPage((await authorizeDocumentClient(world, clientId)).page, /not registered or is not active/);
    const token = await postForm(`${world.gateway.url}/oauth2/token`, {
      grant_type: 'authorization_code',
      code: 'whatever',
      redirect_uri: REDIRECT_URI,
      client_id: clientId
    });
    expect(token.status).to.equal(401);
    expect(token.json.error).to.equal('invalid_client');
  });

  it('goes on at the token endpoint while a known document cannot be fetched; a new authorization cannot', async function () {
    const clientId = docs.publish('flaky', {}, { 'Cache-Control': 'no-store' });
    const tokens = await tokensOf(world, clientId, await authorizeDocumentClient(world, clientId));
    expect(tokens.status, tokens.text).to.equal(200);
    docs.answer('flaky', { status: 503, body: {} });
    const refreshed = await refreshAs(world.gateway.url, clientId, tokens.json.refresh_token);
    expect(refreshed.status, refreshed.text).to.equal(200);
    expectErrorPage((await authorizeDocumentClient(world, clientId)).page, /could not be fetched as a JSON document/);

    // A document its host says is gone ends the client at the token endpoint too.
    docs.answer('flaky', { status: 404, body: {} });
    const gone = await refreshAs(world.gateway.url, clientId, refreshed.json.refresh_token);
    expect(gone.status, gone.text).to.equal(401);
    expect(gone.json.error).to.equal('invalid_client');
  });

  it('shows the host, not a name that reads as one of the operator’s apps', async function () {
    const clientId = docs.publish('impostor', { client_name: world.app.name.toUpperCase() });
    const consent = await authorizeDocumentClient(world, clientId);
    expect(consent.page.status).to.equal(200);
    expect(consentName(consent.page.text)).to.equal(docs.host);
  });

  it('authenticates a document client with private_key_jwt by the keys its document publishes', async function () {
    const signer = signingClient();
    const clientId = docs.publish('signer', { token_endpoint_auth_method: 'private_key_jwt', jwks: signer.jwks });
    const consent = await authorizeDocumentClient(world, clientId);
    const decided = await decide(consent.browser, consent.page, true);
    const code = decided.searchParams.get('code')!;
    const exchange = (extra: Record<string, string>) =>
      postForm(`${world.gateway.url}/oauth2/token`, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: consent.verifier,
        ...extra
      });
    expect((await exchange({ client_id: clientId })).status, 'no assertion').to.equal(401);
    const signed = await exchange({
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await signer.assertion(clientId, `${world.gateway.url}/oauth2/token`)
    });
    expect(signed.status, signed.text).to.equal(200);
  });

  it('gives a document client only grants a user takes part in, never client_credentials', async function () {
    const signer = signingClient();
    const machine = docs.publish('machine', {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: signer.jwks,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: undefined
    });
    const granted = await postForm(`${world.gateway.url}/oauth2/token`, {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await signer.assertion(machine, `${world.gateway.url}/oauth2/token`)
    });
    expect(granted.status).to.equal(401);
    expect(granted.json.error_description).to.match(/names no grant type this server offers such a client/);

    const mixed = docs.publish('mixed', {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: signer.jwks,
      grant_types: ['authorization_code', 'client_credentials', 'implicit', 'password'],
      response_types: ['code', 'token'],
      default_max_age: 60
    });
    expect((await authorizeDocumentClient(world, mixed)).page.status).to.equal(200);
    const app = await request(`${world.gateway.adminUrl}/apps/${encodeURIComponent(mixed)}`);
    expect(app.json.grantTypes).to.equal('authorization_code');
  });

  it('asks for consent every time, even of a client that authenticates, as its document may change', async function () {
    const signer = signingClient();
    const clientId = docs.publish('changing', { token_endpoint_auth_method: 'private_key_jwt', jwks: signer.jwks });
    const first = await authorizeDocumentClient(world, clientId);
    const decided = await decide(first.browser, first.page, true);
    expect(decided.searchParams.get('code')).to.be.a('string');
    const again = await first.browser.get(`/oauth2/authorize?${documentAuthorizeQuery(clientId)}`);
    expect(again.status, again.headers.get('location') ?? '').to.equal(200);
    expect(again.text).to.contain('Allow access?');
  });

  it('shows an error page, never a redirect, for a bad request of a document client before anyone signs in', async function () {
    const clientId = docs.publish('redirector', { redirect_uris: ['https://evil.example/phish'] });
    const bad: Record<string, string>[] = [
      { scope: 'nonexistent' },
      { response_type: 'token' },
      { code_challenge: '' }
    ];
    for (const extra of bad) {
      const params = documentAuthorizeQuery(clientId, { redirect_uri: 'https://evil.example/phish', ...extra });
      for (const [name, value] of [...params]) if (value === '') params.delete(name);
      const res = await request(`${world.gateway.url}/oauth2/authorize?${params}`);
      expect(res.headers.get('location'), JSON.stringify(extra)).to.equal(null);
      expect(res.status, JSON.stringify(extra)).to.equal(400);
    }
    const logout = await request(
      `${world.gateway.url}/oauth2/logout?${new URLSearchParams({
        client_id: clientId,
        post_logout_redirect_uri: 'https://evil.example/phish'
      })}`
    );
    expect(logout.headers.get('location')).to.equal(null);
    expect(logout.text).to.contain('needs its id_token_hint');
  });

  it('revokes what a removed client held when its URL is met again', async function () {
    const clientId = docs.publish('revived');
    const tokens = await tokensOf(world, clientId, await authorizeDocumentClient(world, clientId));
    expect(tokens.status, tokens.text).to.equal(200);
    await request(`${world.gateway.adminUrl}/apps/${encodeURIComponent(clientId)}`, { method: 'DELETE' });
    expect((await authorizeDocumentClient(world, clientId)).page.status).to.equal(200);
    const refreshed = await refreshAs(world.gateway.url, clientId, tokens.json.refresh_token);
    expect(refreshed.status, refreshed.text).to.equal(400);
    expect((await world.api(tokens.json.access_token)).status).to.equal(401);
  });

  it('keeps https URLs as names for document clients: registration may not take one', async function () {
    const { token } = await registrar(world);
    const res = await request(`${world.gateway.url}/oauth2/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ client_name: docs.url('agent'), redirect_uris: [REDIRECT_URI] })
    });
    expect(res.status, res.text).to.equal(400);
    expect(res.json.error).to.equal('invalid_client_metadata');
  });
});

describe('client ID metadata documents: limits an operator sets', function () {
  this.timeout(60000);
  let docs: DocumentHost;
  const worlds: World[] = [];
  before(async function () {
    oncePerRun(this);
    docs = await startDocumentHost();
  });
  after(async function () {
    for (const world of worlds) await world.stop();
    await docs?.close();
  });

  it('refuses a new URL of a host name past maxClientsPerHost, whatever its port, and past newClientsPerIp, unfetched', async function () {
    const other = await startDocumentHost(); // 127.0.0.1 too, on another port
    const world = await startWorld({
      settings: documentSettings([], { maxClientsPerHost: 1, newClientsPerIp: 3 }),
      env: trustingDocumentHosts()
    });
    worlds.push(world);
    try {
      expect((await authorizeDocumentClient(world, docs.publish('first'))).page.status).to.equal(200);
      const full = /holds its most clients from metadata documents of 127\.0\.0\.1/;
      expectErrorPage((await authorizeDocumentClient(world, docs.publish('second'))).page, full);
      expectErrorPage((await authorizeDocumentClient(world, other.publish('third'))).page, full);
      expect(docs.fetches('second') + other.fetches('third')).to.equal(0);
      expect((await authorizeDocumentClient(world, docs.url('first'))).page.status).to.equal(200);
      expectErrorPage((await authorizeDocumentClient(world, other.publish('fourth'))).page, /Too many new clients/);
    } finally {
      await other.close();
    }
  });

  it('fetches no document from a private address unless clientUrls.allowPrivateNetworks', async function () {
    const world = await startWorld({
      settings: { ...documentSettings([]), clientUrls: { allowPrivateNetworks: false } },
      env: trustingDocumentHosts()
    });
    worlds.push(world);
    const clientId = docs.publish('inside');
    expectErrorPage((await authorizeDocumentClient(world, clientId)).page, /could not be fetched/);
    expect(docs.fetches('inside')).to.equal(0);
  });

  it('leaves client_id URLs alone when off: no such metadata, an unknown client', async function () {
    const world = await startWorld({ settings: { grants: ['authorization_code'] } });
    worlds.push(world);
    const metadata = await request(`${world.gateway.url}/.well-known/oauth-authorization-server`);
    expect(metadata.json).to.not.have.property('client_id_metadata_document_supported');
    const clientId = docs.publish('unused');
    expectErrorPage((await authorizeDocumentClient(world, clientId)).page, /not registered or is not active/);
    expect(docs.fetches('unused')).to.equal(0);
  });
});

describe('client ID metadata documents across gateway instances on a real Redis', function () {
  this.timeout(60000);
  const namespace = `D${Math.random().toString(36).slice(2, 8)}`;
  let docs: DocumentHost;
  let world: World;
  const others: RunningGateway[] = [];
  before(async function () {
    if (!process.env.REDIS_URL) this.skip();
    docs = await startDocumentHost();
    world = await startWorld({ namespace, settings: documentSettings([]), env: trustingDocumentHosts() });
    others.push(
      await startGateway({ namespace, settings: documentSettings([]), env: trustingDocumentHosts() }),
      await startGateway({ namespace, settings: { clientIdMetadataDocuments: { enabled: false } } })
    );
  });
  after(async function () {
    for (const gateway of others) await gateway.stop();
    await world?.stop();
    await docs?.close();
  });

  it('makes one client of a URL two instances meet at once', async function () {
    const clientId = docs.answer('slow', {
      body: { client_id: docs.url('slow'), redirect_uris: [REDIRECT_URI] },
      delay: 300
    });
    const params = documentAuthorizeQuery(clientId);
    const answers = await Promise.all(
      [world.gateway.url, others[0]!.url].map((base) => request(`${base}/oauth2/authorize?${params}`))
    );
    // Both send the browser to sign in: neither failed.
    expect(answers.map((res) => res.status)).to.deep.equal([302, 302]);
    expect((await authorizeDocumentClient(world, clientId)).page.status).to.equal(200);
  });

  it('stops the tokens of document clients on an instance where the feature is off', async function () {
    const clientId = docs.publish('switched-off');
    const tokens = await tokensOf(world, clientId, await authorizeDocumentClient(world, clientId));
    expect((await world.api(tokens.json.access_token)).status).to.equal(200);
    const off = others[1]!;
    const info = await request(`${off.url}/oauth2/tokeninfo`, {
      headers: { Authorization: `Bearer ${tokens.json.access_token}` }
    });
    expect(info.status, info.text).to.equal(401);
    const refreshed = await refreshAs(off.url, clientId, tokens.json.refresh_token);
    expect(refreshed.status).to.equal(401);
  });
});

import { expect } from 'chai';
import { basic, postForm, request } from '../../support/http';
import { REDIRECT_URI } from '../helpers/flow';
import { ecKeyPair, now, signJwt } from '../helpers/keys';
import { oncePerRun } from '../helpers/once-per-run';
import { startWorld, World } from '../helpers/world';
import {
  authorizeDocumentClient,
  consentName,
  DocumentHost,
  expectErrorPage,
  registrantOf,
  startDocumentHost,
  tokensOf,
  trustingDocumentHosts
} from './document-world';

const documentSettings = (allowedHosts: string[], more: Record<string, unknown> = {}) => ({
  grants: ['authorization_code', 'refresh_token', 'client_credentials', 'password'],
  serviceName: 'Acme',
  consent: { remember: false },
  clientUrls: { allowPrivateNetworks: true, timeout: 2000 },
  clientIdMetadataDocuments: { enabled: true, scopes: ['read'], allowedHosts, minCacheSeconds: 0, ...more }
});

/**
 * draft-ietf-oauth-client-id-metadata-document: with clientIdMetadataDocuments.enabled, a client_id that is an https
 * URL is a client described by the JSON document at that URL, which the gateway fetches (https, no redirect, at most
 * maxBytes), checks, and keeps as an EG app whose id is the URL.
 */
describe('client ID metadata documents', function () {
  this.timeout(60000);
  let world: World;
  let docs: DocumentHost;
  let elsewhere: DocumentHost;

  before(async function () {
    docs = await startDocumentHost();
    elsewhere = await startDocumentHost();
    world = await startWorld({ settings: documentSettings([docs.host]), env: trustingDocumentHosts() });
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
    const refreshed = await postForm(`${world.gateway.url}/oauth2/token`, {
      grant_type: 'refresh_token',
      refresh_token: tokens.json.refresh_token,
      client_id: clientId
    });
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
      ['gone', { status: 404, body: {} }, /answered HTTP 404/],
      ['moved', { status: 302, body: {}, headers: { Location: docs.url('agent') } }, /could not be fetched/],
      ['huge', { body: { padding: 'x'.repeat(6000) } }, /could not be fetched/]
    ] as const) {
      const clientId = docs.answer(name, published);
      expectErrorPage((await authorizeDocumentClient(world, clientId)).page, reason);
    }
    expect(world.gateway.output()).to.match(/answered more than 5120 bytes/);
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
    const refreshed = await postForm(`${world.gateway.url}/oauth2/token`, {
      grant_type: 'refresh_token',
      refresh_token: tokens.json.refresh_token,
      client_id: clientId
    });
    expect(refreshed.status, refreshed.text).to.equal(200);
    expectErrorPage((await authorizeDocumentClient(world, clientId)).page, /answered HTTP 503/);
  });

  it('shows the host, not a name that reads as one of the operator’s apps', async function () {
    const clientId = docs.publish('impostor', { client_name: world.app.name.toUpperCase() });
    const consent = await authorizeDocumentClient(world, clientId);
    expect(consent.page.status).to.equal(200);
    expect(consentName(consent.page.text)).to.equal(docs.host);
  });

  it('authenticates a document client with private_key_jwt by the keys its document publishes', async function () {
    const keys = ecKeyPair();
    const clientId = docs.publish('service', {
      token_endpoint_auth_method: 'private_key_jwt',
      grant_types: ['client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types: [],
      redirect_uris: undefined,
      jwks: { keys: [{ ...keys.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }] }
    });
    const assertion = (subject: string) =>
      signJwt(
        keys.privateKey,
        { alg: 'ES256', kid: 'k1' },
        {
          iss: subject,
          sub: subject,
          aud: `${world.gateway.url}/oauth2/token`,
          iat: now(),
          exp: now() + 60,
          jti: `j-${Math.random()}`
        }
      );
    const granted = await postForm(`${world.gateway.url}/oauth2/token`, {
      grant_type: 'client_credentials',
      scope: 'read',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await assertion(clientId)
    });
    expect(granted.status, granted.text).to.equal(200);
    const unsigned = await postForm(`${world.gateway.url}/oauth2/token`, {
      grant_type: 'client_credentials',
      client_id: clientId
    });
    expect(unsigned.status).to.equal(401);
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

  it('refuses a new URL of a host past maxClientsPerHost without fetching it', async function () {
    const world = await startWorld({
      settings: documentSettings([], { maxClientsPerHost: 1 }),
      env: trustingDocumentHosts()
    });
    worlds.push(world);
    expect((await authorizeDocumentClient(world, docs.publish('first'))).page.status).to.equal(200);
    const second = docs.publish('second');
    expectErrorPage(
      (await authorizeDocumentClient(world, second)).page,
      /holds its most clients from metadata documents of/
    );
    expect(docs.fetches('second')).to.equal(0);
    expect((await authorizeDocumentClient(world, docs.url('first'))).page.status).to.equal(200);
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

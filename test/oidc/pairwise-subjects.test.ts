import { expect } from 'chai';
import { createHmac } from 'crypto';
import http from 'http';
import type { AddressInfo } from 'net';
import { decodeJwt } from 'jose';
import { Browser, hiddenField } from '../../support/browser';
import { basic, postForm, request } from '../../support/http';
import { authorize, authorizeUrl, codeParams, decide, REDIRECT_URI, TEST_PKCE } from '../helpers/flow';
import { LogoutReceiver } from '../helpers/logout-receiver';
import { registrar } from '../helpers/registrar';
import type { World } from '../helpers/world';
import { startOidcWorld } from './oidc-world';
const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

const PAIRWISE_SECRET = 'a-pairwise-subject-key-of-32-characters';
/** A web app's redirect URI: the browser is never sent there, the code is read from the Location header. */
const RP_A = 'https://rp.example.com/a';
/** Core §8.1, as the README says the gateway computes it: HMAC-SHA256 of the sector and the user id. */
const pairwiseSub = (sector: string, userId: string) =>
  createHmac('sha256', PAIRWISE_SECRET).update(`${sector}\n${userId}`).digest('base64url');

/** Serves sector identifier documents (Registration 1.0 §5) at /<name>.json; a name it does not hold answers 404. */
class SectorDocuments {
  readonly documents = new Map<string, unknown>();
  private readonly server = http.createServer((req, res) => {
    const document = this.documents.get(req.url ?? '');
    if (document === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(document));
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * OpenID Connect Core §8: pairwise subject identifiers. A pairwise app is told, wherever it learns who the user is
 * (ID tokens, UserInfo, logout tokens, id_token_hint and claims, introspection of its own tokens), a sub of its
 * sector, never the user's id; apps of one sector are told the same, apps of two sectors cannot match their users.
 */
describe('OpenID Connect pairwise subjects', function () {
  let world: World;
  let registrationToken: string;
  const sectors = new SectorDocuments();
  const receiver = new LogoutReceiver();
  type App = { id: string; secret: string };
  const apps: Record<string, App> = {};

  async function operatorApp(name: string, properties: Record<string, string>): Promise<App> {
    return world.gateway.admin.registerClient({ name, userId: world.developer.id, ...properties }, ['read']);
  }

  before(async function () {
    await sectors.start();
    const backchannelUri = await receiver.start();
    world = await startOidcWorld({
      settings: {
        grants: ['authorization_code', 'refresh_token', 'password', 'client_credentials', DEVICE_CODE],
        consent: { remember: true },
        clientUrls: { allowPrivateNetworks: true },
        dynamicRegistration: { enabled: true, allowedScopes: ['read'], maxClientsPerOwner: 100 },
        oidc: { pairwiseSecret: PAIRWISE_SECRET }
      }
    });
    sectors.documents.set('/rp.json', [REDIRECT_URI, 'http://localhost:8000/callback']);
    // Loopback redirect URIs (any native app's): a sector of its own.
    apps.pairwise = await operatorApp('pairwise', {
      redirectUri: REDIRECT_URI,
      subjectType: 'pairwise',
      backchannelLogoutUri: backchannelUri
    });
    apps.otherLoopback = await operatorApp('other loopback', {
      redirectUri: 'http://127.0.0.1:9000/elsewhere',
      subjectType: 'pairwise'
    });
    apps.web = await operatorApp('web', { redirectUri: RP_A, subjectType: 'pairwise' });
    apps.sameHost = await operatorApp('same host', {
      redirectUri: 'https://rp.example.com/b',
      subjectType: 'pairwise'
    });
    apps.otherHost = await operatorApp('other host', {
      redirectUri: 'https://other.example.com/cb',
      subjectType: 'pairwise'
    });
    apps.namedSector = await operatorApp('named sector', {
      redirectUri: REDIRECT_URI,
      subjectType: 'pairwise',
      sectorIdentifierUri: 'https://rp.example.com/sector.json'
    });
    const operator = await registrar(world, ['introspection']);
    apps.registrar = operator.app;
    registrationToken = operator.token;
    apps.pairwiseResourceServer = await world.gateway.admin.registerClient(
      { name: 'pairwise RS', userId: world.developer.id, redirectUri: RP_A, subjectType: 'pairwise' },
      ['read', 'introspection']
    );
    apps.urnSector = await operatorApp('urn sector', {
      redirectUri: RP_A,
      subjectType: 'pairwise',
      sectorIdentifierUri: 'urn:example:one'
    });
  });
  after(async function () {
    await world?.stop();
    await sectors.stop();
    await receiver.stop();
  });

  /** The tokens of a password grant with openid for `app`. */
  async function passwordTokens(app: App) {
    const res = await world.token(
      { grant_type: 'password', username: world.user.username, password: world.user.password, scope: 'openid read' },
      app
    );
    expect(res.status, res.text).to.equal(200);
    return res.json as { access_token: string; refresh_token: string; id_token: string };
  }

  const userInfo = (accessToken: string) =>
    request(`${world.gateway.url}/oauth2/userinfo`, { headers: { Authorization: `Bearer ${accessToken}` } });

  /**
   * The code flow of `app` in `browser` (a new one by default), consent given (and remembered): the browser and the
   * ID token the app got.
   */
  async function codeFlow(app: App, browser = new Browser(world.gateway.url), redirectUri = REDIRECT_URI) {
    const params = codeParams(world, { client_id: app.id, scope: 'openid read', redirect_uri: redirectUri });
    const first = await authorize(browser, world, params);
    const callback =
      first.status === 302 ? new URL(first.headers.get('location')!) : await decide(browser, first, true);
    const res = await world.token(
      {
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code')!,
        redirect_uri: redirectUri,
        code_verifier: TEST_PKCE.verifier
      },
      app
    );
    expect(res.status, res.text).to.equal(200);
    return { browser, idToken: res.json.id_token as string };
  }

  it('is announced in the discovery document', async function () {
    const res = await request(`${world.gateway.url}/.well-known/openid-configuration`);
    expect(res.json.subject_types_supported).to.deep.equal(['public', 'pairwise']);
  });

  it("tells a pairwise app the sub of its redirect URIs' host, in every ID token and at UserInfo, and a public app the user id", async function () {
    const userId = world.user.id;
    const tokens = await passwordTokens(apps.web!);
    const sub = decodeJwt(tokens.id_token).sub;
    expect(sub).to.equal(pairwiseSub('rp.example.com', userId)).and.not.equal(userId);
    expect((await userInfo(tokens.access_token)).json.sub, 'UserInfo (Core §5.3.2: the same sub)').to.equal(sub);
    const refreshed = await world.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, apps.web);
    expect(decodeJwt(refreshed.json.id_token).sub, 'the ID token of a refresh').to.equal(sub);

    const publicTokens = await passwordTokens({ id: world.app.id, secret: world.app.secret });
    expect(decodeJwt(publicTokens.id_token).sub).to.equal(userId);
    expect((await userInfo(publicTokens.access_token)).json.sub).to.equal(userId);
  });

  it('tells apps of one web host, or naming it by a sector identifier URI, the same sub; another host, or loopback, another', async function () {
    const subOf = async (app: App) => decodeJwt((await passwordTokens(app)).id_token).sub;
    const sub = await subOf(apps.web!);
    expect(await subOf(apps.sameHost!), 'another app on the same host').to.equal(sub);
    expect(await subOf(apps.namedSector!), 'its sector identifier URI is on that host').to.equal(sub);
    const other = await subOf(apps.otherHost!);
    expect(other, 'another host: another sector').to.equal(pairwiseSub('other.example.com', world.user.id));
    expect(other).not.to.equal(sub);
    // Every native app may claim loopback: two apps there are two sectors.
    const loopback = await subOf(apps.pairwise!);
    expect(loopback).to.equal(pairwiseSub(`client ${apps.pairwise!.id}`, world.user.id));
    expect(await subOf(apps.otherLoopback!)).not.to.equal(loopback);
  });

  it('refuses an app whose sector identifier URI names no host (a urn): every app would share its sector', async function () {
    const res = await world.token(
      { grant_type: 'password', username: world.user.username, password: world.user.password, scope: 'openid' },
      apps.urnSector
    );
    expect(res.status, res.text).to.equal(400);
    expect(res.json).to.include({ error: 'unauthorized_client' });
    expect(res.json.error_description).to.match(/sectorIdentifierUri is not an http\(s\) URL/);
  });

  it("keeps the user id out of a pairwise app's opaque access tokens, which still work at the API and UserInfo", async function () {
    const readable = (token: string) =>
      token
        .split(/[~.]/)
        .map((part) => Buffer.from(part, 'base64url').toString('latin1'))
        .join(' ');
    const publicToken = (await passwordTokens({ id: world.app.id, secret: world.app.secret })).access_token;
    expect(readable(publicToken), "a public app's token names the user").to.contain(world.user.id);
    const tokens = await passwordTokens(apps.web!);
    expect(readable(tokens.access_token)).not.to.contain(world.user.id);
    expect((await world.api(tokens.access_token)).status).to.equal(200);
    expect((await userInfo(tokens.access_token)).status).to.equal(200);
    // The sealed part cannot be moved to another token: the token is only valid whole.
    const [at, app, , grant, secret] = tokens.access_token.split('~');
    const [, , sealed] = publicToken.split('~');
    expect((await world.api([at, app, sealed, grant, secret].join('~'))).status).to.equal(401);
  });

  it('takes an id_token_hint and a claims sub naming the pairwise sub as the signed-in user, and the user id as another user', async function () {
    const { browser, idToken } = await codeFlow(apps.pairwise!);
    const sub = decodeJwt(idToken).sub!;
    const ask = async (extra: Record<string, string>) =>
      browser.get(
        authorizeUrl(codeParams(world, { client_id: apps.pairwise!.id, scope: 'openid', prompt: 'none', ...extra }))
      );
    const errorOf = (res: Awaited<ReturnType<typeof ask>>) => {
      expect(res.status, res.text.slice(0, 300)).to.equal(302);
      const location = new URL(res.headers.get('location')!);
      return location.searchParams.get('error') ?? (location.searchParams.get('code') ? 'code' : 'none');
    };
    expect(errorOf(await ask({ id_token_hint: idToken })), 'its own ID token as hint').to.equal('code');
    expect(errorOf(await ask({ claims: JSON.stringify({ id_token: { sub: { value: sub } } }) }))).to.equal('code');
    const byUserId = JSON.stringify({ id_token: { sub: { value: world.user.id } } });
    expect(errorOf(await ask({ claims: byUserId })), 'the user id names nobody to this app').to.equal('login_required');
    const otherSector = (await passwordTokens(apps.otherHost!)).id_token;
    expect(errorOf(await ask({ id_token_hint: otherSector })), "another sector's sub").to.equal('login_required');
  });

  it('tells apps of two sectors signed in by one sign-in two sids, and each its own in its logout token', async function () {
    const { browser, idToken } = await codeFlow(apps.pairwise!);
    const web = await codeFlow(apps.web!, browser, RP_A);
    const sid = decodeJwt(idToken).sid;
    expect(sid).to.be.a('string');
    expect(decodeJwt(web.idToken).sid, 'one sid would match the two sectors').to.be.a('string').and.not.equal(sid);
    const before = receiver.tokens.length;
    const page = await browser.get('/oauth2/logout');
    await browser.post('/oauth2/logout', { _csrf: hiddenField(page.text, '_csrf') });
    await receiver.received(before + 1);
    expect(decodeJwt(receiver.tokens[before]!)).to.include({
      sub: decodeJwt(idToken).sub,
      sid,
      aud: apps.pairwise!.id
    });
  });

  it('tells a pairwise app introspecting its own token, or asking for its information, the pairwise sub and no username; a resource server both', async function () {
    const tokens = await passwordTokens(apps.web!);
    const sub = pairwiseSub('rp.example.com', world.user.id);
    const introspect = (client: App) =>
      postForm(
        `${world.gateway.url}/oauth2/introspect`,
        { token: tokens.access_token },
        {
          Authorization: basic(client.id, client.secret)
        }
      );
    const own = await introspect(apps.web!);
    expect(own.json).to.include({ active: true, sub, client_id: apps.web!.id });
    expect(own.json).not.to.have.property('username');
    const info = await request(`${world.gateway.url}/oauth2/tokeninfo`, {
      headers: { Authorization: `Bearer ${tokens.access_token}` }
    });
    expect(info.json).to.include({ active: true, sub });
    expect(info.json).not.to.have.property('username');
    const resourceServer = await introspect(apps.registrar!);
    expect(resourceServer.json).to.include({ sub: world.user.id, username: world.user.username });
    // A pairwise client holding the introspection scope is still told of its own tokens what it may know.
    const ownRs = (await passwordTokens(apps.pairwiseResourceServer!)).access_token;
    const self = await postForm(
      `${world.gateway.url}/oauth2/introspect`,
      { token: ownRs },
      { Authorization: basic(apps.pairwiseResourceServer!.id, apps.pairwiseResourceServer!.secret) }
    );
    expect(self.json).to.include({ active: true, sub });
    expect(self.json).not.to.have.property('username');
  });

  describe('in dynamic registration', function () {
    const register = (metadata: Record<string, unknown>) =>
      request(`${world.gateway.url}/oauth2/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${registrationToken}` },
        body: JSON.stringify({ token_endpoint_auth_method: 'client_secret_basic', scope: 'read', ...metadata })
      });
    const appOf = async (clientId: string) => (await request(`${world.gateway.adminUrl}/apps/${clientId}`)).json;

    it('registers a pairwise client whose sector identifier document lists its redirect URIs, and shows its sector back', async function () {
      const sectorUri = `${sectors.url}/rp.json`;
      const res = await register({
        redirect_uris: [REDIRECT_URI, 'http://localhost:8000/callback'],
        subject_type: 'pairwise',
        sector_identifier_uri: sectorUri
      });
      expect(res.status, res.text).to.equal(201);
      expect(res.json).to.include({ subject_type: 'pairwise', sector_identifier_uri: sectorUri });
      expect(await appOf(res.json.client_id)).to.include({ subjectType: 'pairwise', sectorIdentifierUri: sectorUri });
      const client = { id: res.json.client_id, secret: res.json.client_secret };
      const { idToken } = await codeFlow(client);
      expect(decodeJwt(idToken).sub, 'the sector of 127.0.0.1').to.equal(pairwiseSub('127.0.0.1', world.user.id));

      // RFC 7592: the sector is fixed at registration; an update keeping it is taken, one changing it is not.
      const put = (metadata: Record<string, unknown>) =>
        request(res.json.registration_client_uri, {
          method: 'PUT',
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${res.json.registration_access_token}`
          },
          body: JSON.stringify({
            client_id: res.json.client_id,
            token_endpoint_auth_method: 'client_secret_basic',
            scope: 'read',
            ...metadata
          })
        });
      const kept = await put({
        redirect_uris: [REDIRECT_URI],
        subject_type: 'pairwise',
        sector_identifier_uri: sectorUri,
        client_name: 'renamed'
      });
      expect(kept.status, kept.text).to.equal(200);
      for (const [change, why] of [
        [{ redirect_uris: [REDIRECT_URI] }, 'to public: the user id would show'],
        [
          { redirect_uris: ['https://victim.example.com/cb'], subject_type: 'pairwise' },
          "to another sector: its users' subs"
        ]
      ] as const) {
        const refused = await put(change);
        expect(refused.status, why).to.equal(400);
        expect(refused.json.error).to.equal('invalid_client_metadata');
        expect(refused.json.error_description).to.match(/fixed at registration/);
      }
      expect(decodeJwt((await codeFlow(client)).idToken).sub).to.equal(pairwiseSub('127.0.0.1', world.user.id));
    });

    it('refuses a pairwise client on several hosts without a sector, or whose sector document does not vouch for it', async function () {
      sectors.documents.set('/partial.json', [REDIRECT_URI]);
      sectors.documents.set('/object.json', { redirect_uris: [REDIRECT_URI] });
      const twoHosts = [REDIRECT_URI, 'http://localhost:8000/callback'];
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [
          { redirect_uris: [RP_A, 'https://other.example.com/cb'], subject_type: 'pairwise' },
          /several hosts needs a sector_identifier_uri/
        ],
        [
          { redirect_uris: twoHosts, subject_type: 'pairwise', sector_identifier_uri: `${sectors.url}/partial.json` },
          /^sector_identifier_uri must answer 200 with a JSON array listing every redirect URI$/
        ],
        [
          {
            redirect_uris: [REDIRECT_URI],
            subject_type: 'pairwise',
            sector_identifier_uri: `${sectors.url}/object.json`
          },
          /^sector_identifier_uri must answer 200 with a JSON array listing every redirect URI$/
        ],
        [
          {
            redirect_uris: [REDIRECT_URI],
            subject_type: 'pairwise',
            sector_identifier_uri: `${sectors.url}/none.json`
          },
          /^sector_identifier_uri must answer 200 with a JSON array listing every redirect URI$/
        ],
        [
          { redirect_uris: [REDIRECT_URI], sector_identifier_uri: `${sectors.url}/rp.json` },
          /sector_identifier_uri is used only with subject_type pairwise/
        ],
        [
          { redirect_uris: [REDIRECT_URI], subject_type: 'pairwise', sector_identifier_uri: 'ftp://127.0.0.1/rp.json' },
          /sector_identifier_uri must be https/
        ],
        [
          { redirect_uris: [REDIRECT_URI], subject_type: 'secret' },
          /subject_type: 'secret' is not supported \(public, pairwise\)/
        ],
        [
          {
            grant_types: ['client_credentials'],
            subject_type: 'pairwise',
            sector_identifier_uri: `${sectors.url}/rp.json`
          },
          /sector_identifier_uri needs redirect_uris for it to list/
        ],
        [
          {
            redirect_uris: [REDIRECT_URI],
            subject_type: 'pairwise',
            sector_identifier_uri: 'http://127.0.0.1:1/rp.json'
          },
          /^sector_identifier_uri could not be read$/
        ],
        [
          // A device code never goes through the redirect URIs: any relying party's host could be claimed.
          {
            grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
            redirect_uris: [RP_A],
            subject_type: 'pairwise'
          },
          /cannot be registered with the grant urn:ietf:params:oauth:grant-type:device_code/
        ]
      ];
      for (const [metadata, message] of cases) {
        const res = await register(metadata);
        expect(res.status, JSON.stringify(metadata)).to.equal(400);
        expect(res.json.error).to.equal('invalid_client_metadata');
        expect(res.json.error_description, JSON.stringify(res.json)).to.match(message);
      }
    });
  });
});

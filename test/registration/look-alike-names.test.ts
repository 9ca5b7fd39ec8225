import { expect } from 'chai';
import { expectOAuthError, request } from '../../support/http';
import { startWorld, World } from '../helpers/world';
import { APPS, createUser, postRegistration, register, signedIn } from './app-pages';

const LOOPBACK_URI = 'http://127.0.0.1:8000/callback';

/**
 * The operator's apps are the ones users trust by name: a user (on the
 * pages) or a client (RFC 7591, RFC 7592) may not take the name of one, nor
 * a name that only differs from it in case, spacing or Unicode compatibility
 * form (NFKC). The operator may still name apps as it likes.
 */
describe('client names: no look-alike of an operator app', function () {
  this.timeout(60000);
  let world: World;
  let initialAccessToken: string;

  const looksAlike = [
    'Acme Bank',
    'acme bank',
    '  ACME   BANK ',
    'Acme\u00a0Bank',
    'Ａｃｍｅ\u3000Ｂａｎｋ',
    'Acme Ban\u200bk',
    'Proﬁle Sync',
    'PROFILE\u2003SYNC'
  ];
  const send = (method: string, url: string, body: unknown, token: string) =>
    request(url, {
      method,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(body)
    });
  const registerDynamically = (metadata: Record<string, unknown>) =>
    send('POST', `${world.gateway.url}/oauth2/register`, metadata, initialAccessToken);
  const appNames = async () =>
    ((await request(`${world.gateway.adminUrl}/apps?count=100000`)).json.apps as { name: string }[]).map(
      (app) => app.name
    );

  before(async function () {
    world = await startWorld({
      settings: {
        serviceName: 'Acme',
        clientRegistration: { enabled: true, maxAppsPerUser: 5 },
        dynamicRegistration: { enabled: true, allowedScopes: ['read'] }
      }
    });
    const admin = world.gateway.admin;
    await admin.registerClient(
      { name: 'Acme Bank', userId: world.developer.id, redirectUri: 'https://bank.example.com/cb' },
      ['read']
    );
    await admin.createApp({ name: 'Profile Sync', userId: world.developer.id });
    const issued = await request(`${world.gateway.adminUrl}/oauth2/registration-tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ owner: world.user.id, uses: 50 })
    });
    initialAccessToken = issued.json.initial_access_token;
  });
  after(async function () {
    await world?.stop();
  });

  it('refuses on the pages the name of an operator app, or one differing only in case, spacing or NFKC form, saying why (400), and creates nothing', async function () {
    const browser = await signedIn(world.gateway.url, await createUser(world.gateway.admin, 'mimic'));
    for (const name of looksAlike) {
      const res = await postRegistration(browser, { name, redirectUris: LOOPBACK_URI });
      expect(res.status, JSON.stringify(name)).to.equal(400);
      expect(res.text, JSON.stringify(name)).to.contain(
        'That name is reserved: Acme has an application of that name, or of one that looks the same. Choose another.'
      );
    }
    expect((await browser.get(APPS)).text).to.contain('Registered (0 of 5)');
  });

  it('still lets users take names that are merely close, and names other users chose', async function () {
    const first = await signedIn(world.gateway.url, await createUser(world.gateway.admin, 'nadia'));
    await register(first, { name: 'Acme Bankers', redirectUris: LOOPBACK_URI });
    await register(first, { name: 'Notes', redirectUris: LOOPBACK_URI });
    const second = await signedIn(world.gateway.url, await createUser(world.gateway.admin, 'oscar'));
    await register(second, { name: 'NOTES', redirectUris: LOOPBACK_URI });
  });

  it('refuses such a client_name at dynamic registration: 400 invalid_client_metadata naming client_name, nothing created', async function () {
    for (const name of looksAlike) {
      const res = await registerDynamically({ client_name: name, redirect_uris: [LOOPBACK_URI] });
      expectOAuthError(res, 400, 'invalid_client_metadata', /^client_name /);
    }
    expect(
      (await appNames()).filter((name) => looksAlike.includes(name)),
      "only the operator's own"
    ).to.deep.equal(['Acme Bank']);
  });

  it('refuses it as the new client_name of an update (RFC 7592), keeping the old name', async function () {
    const made = await registerDynamically({ client_name: 'Harmless', redirect_uris: [LOOPBACK_URI] });
    expect(made.status, made.text).to.equal(201);
    const { client_id: clientId, registration_client_uri: uri, registration_access_token: token } = made.json;
    const res = await send(
      'PUT',
      uri,
      { client_id: clientId, client_name: 'ACME bank', redirect_uris: [LOOPBACK_URI] },
      token
    );
    expectOAuthError(res, 400, 'invalid_client_metadata', /^client_name /);
    expect((await request(`${world.gateway.adminUrl}/apps/${clientId}`)).json.name).to.equal('Harmless');
  });

  it("lets an update keep the client's current name, even once the operator has an app named like it", async function () {
    const made = await registerDynamically({ client_name: 'Reports', redirect_uris: [LOOPBACK_URI] });
    expect(made.status, made.text).to.equal(201);
    await world.gateway.admin.createApp({ name: 'REPORTS', userId: world.developer.id });
    const { client_id: clientId, registration_client_uri: uri, registration_access_token: token } = made.json;
    const kept = await send(
      'PUT',
      uri,
      { client_id: clientId, client_name: 'Reports', redirect_uris: [LOOPBACK_URI, 'http://127.0.0.1:9000/cb'] },
      token
    );
    expect(kept.status, kept.text).to.equal(200);
    expectOAuthError(
      await send('PUT', uri, { client_id: clientId, client_name: 'reports', redirect_uris: [LOOPBACK_URI] }, token),
      400,
      'invalid_client_metadata',
      /^client_name /
    );
  });

  it('lets the operator create any name through the admin API, look-alikes included', async function () {
    const other = await world.gateway.admin.createUser({ username: 'ops-two', firstname: 'Ops', lastname: 'Two' });
    const made = await world.gateway.admin.createApp({ name: 'ACME  bank', userId: other.id });
    expect(made.name).to.equal('ACME  bank');
    const again = await world.gateway.admin.createApp({ name: 'Acme Bank Helper', userId: world.developer.id });
    expect(again.name).to.equal('Acme Bank Helper');
  });
});

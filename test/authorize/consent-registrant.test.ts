import { expect } from 'chai';
import { Browser, hiddenField, pkcePair } from '../../support/browser';
import { authorize } from '../helpers/flow';
import { postForm, request, Reply } from '../../support/http';
import { startWorld, World } from '../helpers/world';
import { createUser, register, signedIn } from '../registration/app-pages';

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
const GRANTS = ['authorization_code', 'implicit', 'refresh_token', 'client_credentials', DEVICE_CODE];

/** What the consent page says about who registered the app and where the answer goes. */
function registrant(html: string): { kind?: string; text?: string } {
  const match = /<dd id="registrant" data-kind="([^"]*)">([\s\S]*?)<\/dd>/.exec(html);
  return {
    kind: match?.[1],
    text: match?.[2]
      .replace(/<[^>]*>/g, '')
      .replace(/\s+/g, ' ')
      .trim()
  };
}
const redirectHost = (html: string) => /<dd id="redirect-host"><code>([^<]*)<\/code>/.exec(html)?.[1];

/**
 * A user can register an app of any name; the consent page (code, implicit
 * and device flows) says who registered it, the operator, a user (by name)
 * or a client itself (RFC 7591), and which host gets the answer.
 */
describe('consent page: who registered the app, and where the answer goes', function () {
  this.timeout(60000);
  let world: World;
  let operatorApp: { id: string };
  let usersApp: { id: string };
  let dynamicApp: { id: string };

  const registerDynamically = async (metadata: Record<string, unknown>) => {
    const issued = await request(`${world.gateway.adminUrl}/oauth2/registration-tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ owner: world.developer.id })
    });
    const res = await request(`${world.gateway.url}/oauth2/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${issued.json.initial_access_token}` },
      body: JSON.stringify(metadata)
    });
    expect(res.status, res.text).to.equal(201);
    return { id: res.json.client_id as string };
  };
  const consentFor = (clientId: string, redirectUri: string, responseType = 'code') =>
    authorize(new Browser(world.gateway.url), world, {
      response_type: responseType,
      client_id: clientId,
      redirect_uri: redirectUri,
      scope: 'read',
      state: 'st',
      ...(responseType === 'code' ? { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' } : {})
    });

  before(async function () {
    world = await startWorld({
      settings: {
        grants: GRANTS,
        serviceName: 'Acme',
        consent: { remember: false },
        clientRegistration: { enabled: true, selfServiceScopes: ['read'] },
        dynamicRegistration: { enabled: true, allowedScopes: ['read'] }
      }
    });
    operatorApp = await world.gateway.admin.registerClient(
      { name: 'Orders', userId: world.developer.id, redirectUri: 'https://orders.example.com/callback' },
      ['read']
    );
    const victor = await createUser(world.gateway.admin, 'victor');
    usersApp = await register(await signedIn(world.gateway.url, victor), {
      name: 'Victor orders',
      redirectUris: 'https://victor.example.net/cb',
      scopes: ['read']
    });
    dynamicApp = await registerDynamically({
      client_name: 'Robot orders',
      redirect_uris: ['https://robot.example.org/cb'],
      scope: 'read',
      grant_types: ['authorization_code']
    });
  });
  after(async function () {
    await world?.stop();
  });

  it("names the operator for an app made through the admin API, and the redirect URI's host", async function () {
    const consent = await consentFor(operatorApp.id, 'https://orders.example.com/callback');
    expect(consent.status, consent.text.slice(0, 500)).to.equal(200);
    expect(registrant(consent.text)).to.deep.equal({ kind: 'operator', text: 'Acme, the operator of this service' });
    expect(redirectHost(consent.text)).to.equal('orders.example.com');
    expect(consent.text, "no notice for the operator's own app").not.to.match(/class="notice"/);
  });

  it("names the user, by user name, who registered an app on the pages, and the redirect URI's host", async function () {
    const consent = await consentFor(usersApp.id, 'https://victor.example.net/cb');
    expect(consent.status, consent.text.slice(0, 500)).to.equal(200);
    expect(registrant(consent.text)).to.deep.equal({ kind: 'user', text: 'victor, a user of Acme, not Acme itself' });
    expect(redirectHost(consent.text)).to.equal('victor.example.net');
    expect(consent.text).to.match(/class="notice"/);
  });

  it('escapes the user name it shows', async function () {
    const mallory = await createUser(world.gateway.admin, '<b>mallory</b>');
    const app = await register(await signedIn(world.gateway.url, mallory), {
      name: 'Bold',
      redirectUris: 'https://bold.example.net/cb',
      scopes: ['read']
    });
    const consent = await consentFor(app.id, 'https://bold.example.net/cb');
    expect(consent.text).to.contain('<strong>&lt;b&gt;mallory&lt;/b&gt;</strong>').and.not.to.contain('<b>mallory</b>');
  });

  it("says a dynamically registered app registered itself (RFC 7591), and names the redirect URI's host", async function () {
    const consent = await consentFor(dynamicApp.id, 'https://robot.example.org/cb');
    expect(consent.status, consent.text.slice(0, 500)).to.equal(200);
    expect(registrant(consent.text)).to.deep.equal({
      kind: 'dynamic',
      text: 'the application itself (dynamic registration), not Acme'
    });
    expect(redirectHost(consent.text)).to.equal('robot.example.org');
  });

  it("says the same on the consent page of the implicit flow (which only the operator's apps may use)", async function () {
    const consent = await consentFor(operatorApp.id, 'https://orders.example.com/callback', 'token');
    expect(consent.status, consent.text.slice(0, 500)).to.equal(200);
    expect(registrant(consent.text).kind).to.equal('operator');
    expect(redirectHost(consent.text)).to.equal('orders.example.com');
  });

  describe('in the device flow', function () {
    async function deviceConsent(clientId: string): Promise<Reply> {
      const started = await postForm(`${world.gateway.url}/oauth2/device_authorization`, {
        client_id: clientId,
        scope: 'read'
      });
      expect(started.status, started.text).to.equal(200);
      const browser = await signedIn(world.gateway.url, world.user);
      const page = await browser.get('/oauth2/device');
      return browser.post('/oauth2/device', {
        _csrf: hiddenField(page.text, '_csrf'),
        user_code: started.json.user_code
      });
    }

    it("names the operator for an operator's device app, and no redirect host (the device gets the tokens)", async function () {
      const tv = await world.gateway.admin.registerClient(
        { name: 'Living room TV', userId: world.developer.id, public: 'true' },
        ['read']
      );
      const consent = await deviceConsent(tv.id);
      expect(consent.status, consent.text.slice(0, 500)).to.equal(200);
      expect(registrant(consent.text)).to.deep.equal({ kind: 'operator', text: 'Acme, the operator of this service' });
      expect(redirectHost(consent.text)).to.equal(undefined);
    });

    it('says a dynamically registered device app registered itself', async function () {
      const robot = await registerDynamically({
        client_name: 'Robot TV',
        grant_types: [DEVICE_CODE],
        token_endpoint_auth_method: 'none',
        scope: 'read'
      });
      const consent = await deviceConsent(robot.id);
      expect(consent.status, consent.text.slice(0, 500)).to.equal(200);
      expect(registrant(consent.text).kind).to.equal('dynamic');
      expect(consent.text).to.match(/class="notice"/);
    });
  });
});

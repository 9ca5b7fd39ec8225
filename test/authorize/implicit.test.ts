import { expect } from 'chai';
import { Browser } from '../../support/browser';
import { authorize, codeParams, decide, REDIRECT_URI } from '../helpers/flow';
import { startWorld, World } from '../helpers/world';

describe('implicit grant (RFC 6749 §4.2), when enabled', function () {
  let world: World;
  before(async function () {
    world = await startWorld({
      settings: { grants: ['authorization_code', 'implicit', 'client_credentials'], consent: { remember: false } }
    });
  });
  after(async function () {
    await world?.stop();
  });

  it('returns the access token in the fragment with the state, and no refresh token', async function () {
    const browser = new Browser(world.gateway.url);
    const location = await decide(
      browser,
      await authorize(browser, world, codeParams(world, { response_type: 'token', scope: 'read' })),
      true
    );
    expect(location.search).to.equal('');
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('token_type')).to.equal('Bearer');
    expect(fragment.get('expires_in')).to.equal('3600');
    expect(fragment.get('scope')).to.equal('read');
    expect(fragment.get('state')).to.equal('st-123');
    expect(fragment.get('iss'), 'RFC 9207').to.equal(world.gateway.url);
    expect(fragment.get('refresh_token')).to.equal(null);
    const api = await world.api(fragment.get('access_token') ?? '');
    expect(api.status).to.equal(200);
  });

  it('returns access_denied in the fragment when the user denies', async function () {
    const browser = new Browser(world.gateway.url);
    const location = await decide(
      browser,
      await authorize(browser, world, codeParams(world, { response_type: 'token' })),
      false
    );
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('error')).to.equal('access_denied');
    expect(fragment.get('error_description')).to.equal('The user denied the request');
  });

  /** The fragment error the authorization endpoint redirects for a request the client may not make. */
  async function refusedInFragment(clientId: string): Promise<string | null> {
    const res = await new Browser(world.gateway.url).get(
      `/oauth2/authorize?${new URLSearchParams(codeParams(world, { client_id: clientId, response_type: 'token', code_challenge: '', code_challenge_method: '' }))}`
    );
    expect(res.status, res.text).to.equal(302);
    return new URLSearchParams(new URL(res.headers.get('location')!).hash.slice(1)).get('error');
  }

  it('refuses tokens to a public client, as the token endpoint refuses it every grant a secret stands in for (issue 15, item 11)', async function () {
    const spa = await world.gateway.admin.registerClient(
      { name: 'spa', userId: world.user.id, redirectUri: REDIRECT_URI, public: 'true' },
      ['read']
    );
    expect(await refusedInFragment(spa.id)).to.equal('unauthorized_client');
  });

  it('refuses tokens to a client that registered itself, on the pages or over RFC 7591 (issue 15, item 10)', async function () {
    for (const via of ['web', 'dynamic']) {
      const app = await world.gateway.admin.registerClient(
        { name: `self-${via}`, userId: world.user.id, redirectUri: REDIRECT_URI, registeredVia: via },
        ['read']
      );
      expect(await refusedInFragment(app.id), via).to.equal('unauthorized_client');
    }
  });
});

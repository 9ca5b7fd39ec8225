import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { Browser } from '../../support/browser';
import type { Reply } from '../../support/http';
import { authorize, authorizeUrl, codeParams, decide, REDIRECT_URI, TEST_PKCE } from '../helpers/flow';
import type { World } from '../helpers/world';
import { startOidcWorld } from './oidc-world';

const ASKED = JSON.stringify({
  id_token: { email: { essential: true }, preferred_username: null, favourite_colour: null },
  userinfo: { given_name: null, family_name: { values: ['x'] } }
});

/** OpenID Connect Core §5.5: individual claims asked for in the ID token and at UserInfo; consent remembered here. */
describe('OpenID Connect claims parameter', function () {
  let world: World;
  before(async function () {
    world = await startOidcWorld({ settings: { consent: { remember: true } } });
    await world.gateway.admin.updateUser(world.user.id, { email: 'alice@example.com' });
  });
  after(async function () {
    await world?.stop();
  });

  const params = (extra: Record<string, string> = {}) => codeParams(world, { scope: 'openid', ...extra });

  async function exchange(callback: URL) {
    const res = await world.token({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: REDIRECT_URI,
      code_verifier: TEST_PKCE.verifier
    });
    expect(res.status, res.text).to.equal(200);
    return res.json as { access_token: string; refresh_token: string; id_token: string };
  }

  function callbackOf(res: Reply): URL {
    expect(res.status, res.text.slice(0, 300)).to.equal(302);
    return new URL(res.headers.get('location')!, world.gateway.url);
  }

  /** Signs the browser in through the code flow, allowing on the consent page if it shows; returns the tokens. */
  async function signedIn(browser: Browser, extra: Record<string, string> = {}) {
    const first = await authorize(browser, world, params(extra));
    return exchange(first.status === 200 ? await decide(browser, first, true) : callbackOf(first));
  }

  it('puts the claims asked for the ID token in each of its ID tokens, with amr, and gives UserInfo those asked for it', async function () {
    const browser = new Browser(world.gateway.url);
    const consent = await authorize(browser, world, params({ claims: ASKED }));
    expect(consent.text, 'the consent page names them').to.match(/It also asks to know:\s*<strong>[^<]*email/);
    const tokens = await exchange(await decide(browser, consent, true));
    const idToken = decodeJwt(tokens.id_token);
    expect(idToken).to.include({ email: 'alice@example.com', preferred_username: world.user.username });
    expect(idToken.amr).to.deep.equal(['pwd']);
    expect(idToken).not.to.have.property('given_name');
    expect(idToken).not.to.have.property('favourite_colour');

    const userinfo = await fetch(`${world.gateway.url}/oauth2/userinfo`, {
      headers: { Authorization: `Bearer ${tokens.access_token}` }
    }).then((res) => res.json());
    expect(userinfo).to.deep.equal({ sub: world.user.id, given_name: 'Alice', family_name: 'Example' });

    const refreshed = await world.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(decodeJwt(refreshed.json.id_token)).to.include({ email: 'alice@example.com' });
    const page = await browser.get('/oauth2/connected-apps');
    expect(page.text, 'the Connected apps page names them').to.match(/Can see<\/dt>\s*<dd>[^<]*email[^<]*given_name/);
  });

  it('asks again when a remembered consent did not cover a claim asked for beyond the scopes, and not after', async function () {
    const browser = new Browser(world.gateway.url);
    await signedIn(browser);
    expect((await browser.get(authorizeUrl(params()))).status, 'covered: no page').to.equal(302);
    const more = JSON.stringify({ userinfo: { nickname: null } });
    const askedMore = await browser.get(authorizeUrl(params({ claims: more })));
    expect(askedMore.status).to.equal(200);
    expect(askedMore.text).to.contain('Allow access?');
    await exchange(await decide(browser, askedMore, true));
    expect((await browser.get(authorizeUrl(params({ claims: more })))).status, 'now covered').to.equal(302);
  });

  it('keeps consents to claims and to scopes apart, even a scope named like a claim', async function () {
    await world.gateway.admin.createScopes(['claim:email']);
    const client = await world.addClient('claim-named-scope', ['claim:email']);
    const browser = new Browser(world.gateway.url);
    const asClient = (extra: Record<string, string>) => params({ client_id: client.id, ...extra });
    const first = await authorize(browser, world, asClient({ claims: JSON.stringify({ userinfo: { email: null } }) }));
    await decide(browser, first, true);
    const scoped = await browser.get(authorizeUrl(asClient({ scope: 'openid claim:email' })));
    expect(scoped.status, 'a consent to the claim is none to the scope').to.equal(200);
    await decide(browser, scoped, true);
    const claimed = await browser.get(
      authorizeUrl(asClient({ claims: JSON.stringify({ id_token: { email: null } }) }))
    );
    expect(claimed.status, 'nor the reverse').to.equal(302);
  });

  it('answers an essential acr with values access_denied: this server asserts none (Core §5.5.1.1)', async function () {
    const browser = new Browser(world.gateway.url);
    await signedIn(browser);
    const claims = JSON.stringify({ id_token: { acr: { essential: true, values: ['urn:example:loa:4'] } } });
    const callback = callbackOf(await browser.get(authorizeUrl(params({ claims }))));
    expect(callback.searchParams.get('error')).to.equal('access_denied');
    const hint = JSON.stringify({ id_token: { acr: { values: ['urn:example:loa:4'] } } });
    expect(callbackOf(await browser.get(authorizeUrl(params({ claims: hint })))).searchParams.get('code')).to.be.a(
      'string'
    );
  });

  it('asks the signed-in user to sign in again when the ID token must name another sub, and answers prompt=none login_required', async function () {
    const browser = new Browser(world.gateway.url);
    await signedIn(browser);
    const other = JSON.stringify({ id_token: { sub: { value: 'someone-else' } } });
    const again = await browser.get(authorizeUrl(params({ claims: other })));
    expect(again.status).to.equal(302);
    const login = new URL(again.headers.get('location')!, world.gateway.url);
    expect(login.pathname).to.equal('/oauth2/login');
    const none = callbackOf(
      await new Browser(world.gateway.url).get(authorizeUrl(params({ claims: other, prompt: 'none' })))
    );
    expect(none.searchParams.get('error')).to.equal('login_required');
    const same = JSON.stringify({ id_token: { sub: { value: world.user.id } } });
    const fresh = new Browser(world.gateway.url);
    await signedIn(fresh);
    expect(callbackOf(await fresh.get(authorizeUrl(params({ claims: same })))).searchParams.get('code')).to.be.a(
      'string'
    );
  });

  it('answers a claims parameter that is no JSON object of claim requests invalid_request, to the client', async function () {
    const browser = new Browser(world.gateway.url);
    await signedIn(browser);
    for (const claims of [
      'not json',
      '[]',
      '"text"',
      '{"id_token":[]}',
      '{"userinfo":{"email":5}}',
      '{"id_token":{"email":{"essential":"yes"}}}',
      '{"id_token":{"sub":{"value":42}}}',
      `{"userinfo":{"x":"${'a'.repeat(5000)}"}}`
    ]) {
      const callback = callbackOf(await browser.get(authorizeUrl(params({ claims }))));
      expect(callback.origin + callback.pathname, claims.slice(0, 40)).to.equal(REDIRECT_URI);
      expect(callback.searchParams.get('error'), claims.slice(0, 40)).to.equal('invalid_request');
    }
  });
});

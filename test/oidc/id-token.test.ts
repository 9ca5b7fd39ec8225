import { expect } from 'chai';
import { createHash } from 'crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { Browser } from '../../support/browser';
import { authorize, codeParams, decide, REDIRECT_URI, TEST_PKCE } from '../helpers/flow';
import type { World } from '../helpers/world';
import { startOidcWorld } from './oidc-world';

/** OpenID Connect Core §2, §3.1.3.6: what the ID token of the code flow says, checked against the published keys. */
describe('OpenID Connect ID tokens', function () {
  let world: World;
  before(async function () {
    world = await startOidcWorld({ settings: { oidc: { idTokenTtl: 600 } } });
  });
  after(async function () {
    await world?.stop();
  });

  async function codeFor(extra: Record<string, string>): Promise<string> {
    const browser = new Browser(world.gateway.url);
    const callback = await decide(browser, await authorize(browser, world, codeParams(world, extra)), true);
    return callback.searchParams.get('code')!;
  }

  function exchange(code: string) {
    return world.token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: TEST_PKCE.verifier
    });
  }

  it('comes with the tokens of an openid request, signed RS256 by the published key, with every claim Core asks for', async function () {
    const before = Math.floor(Date.now() / 1000);
    const res = await exchange(await codeFor({ scope: 'openid read', nonce: 'n-0S6_WzA2Mj' }));
    expect(res.status, res.text).to.equal(200);
    const { id_token: idToken, access_token: accessToken } = res.json;
    expect(decodeProtectedHeader(idToken)).to.include({ alg: 'RS256', kid: 'oidc-rs256', typ: 'JWT' });
    const jwks = createRemoteJWKSet(new URL(`${world.gateway.url}/oauth2/jwks`));
    const { payload } = await jwtVerify(idToken, jwks, { issuer: world.gateway.url, audience: world.app.id });
    expect(payload).to.include({ sub: world.user.id, azp: world.app.id, nonce: 'n-0S6_WzA2Mj' });
    expect(payload.exp! - payload.iat!).to.equal(600);
    expect(payload.auth_time).to.be.within(before - 5, payload.iat!);
    // Core §3.1.3.6: the left half of SHA-256 of the access token, base64url.
    const digest = createHash('sha256').update(accessToken).digest();
    expect(payload.at_hash).to.equal(digest.subarray(0, 16).toString('base64url'));
    expect(payload, 'claims of scopes go to UserInfo when an access token is issued (Core §5.4)').not.to.have.property(
      'preferred_username'
    );
  });

  it('leaves the nonce out when the request had none (Core §3.1.2.1: optional in the code flow)', async function () {
    const res = await exchange(await codeFor({ scope: 'openid' }));
    expect(res.status, res.text).to.equal(200);
    const claims = JSON.parse(Buffer.from(res.json.id_token.split('.')[1], 'base64url').toString());
    expect(claims).not.to.have.property('nonce');
    expect(claims.sub).to.equal(world.user.id);
  });

  it('ignores the request parameters it does not act on, as the OpenID conformance plan requires', async function () {
    const res = await exchange(
      await codeFor({
        scope: 'openid',
        display: 'popup',
        ui_locales: 'se',
        claims_locales: 'se',
        acr_values: '1 2',
        extra: 'foobar',
        claims: JSON.stringify({ userinfo: { name: { essential: true } } })
      })
    );
    expect(res.status, res.text).to.equal(200);
    expect(res.json).to.have.property('id_token');
  });

  it('is not issued for a request without the openid scope, which stays plain OAuth', async function () {
    const res = await exchange(await codeFor({ scope: 'read', nonce: 'ignored' }));
    expect(res.status, res.text).to.equal(200);
    expect(res.json).not.to.have.property('id_token');
    expect(res.json.scope).to.equal('read');
  });

  it('is not issued, nor the identity scopes added, when the client names no scope', async function () {
    const res = await exchange(await codeFor({}));
    expect(res.status, res.text).to.equal(200);
    expect(res.json).not.to.have.property('id_token');
    expect(res.json.scope.split(' ')).to.have.members(['read', 'write']);
  });

  it('refuses an unsigned request object on an error page, and a request_uri it did not give to the client (Core §3.1.2.6)', async function () {
    const browser = new Browser(world.gateway.url);
    const unsigned = await authorize(
      browser,
      world,
      codeParams(world, { scope: 'openid', request: 'eyJhbGciOiJub25lIn0.e30.' })
    );
    // The redirect URI is the request object's to say: one that does not verify says nothing.
    expect(unsigned.status).to.equal(400);
    expect(unsigned.text).to.contain('invalid_request_object');
    for (const [param, error] of [['request_uri', 'request_uri_not_supported']]) {
      const res = await authorize(
        browser,
        world,
        codeParams(world, { scope: 'openid', [param!]: 'eyJhbGciOiJub25lIn0.e30.' })
      );
      expect(res.status, res.text).to.equal(302);
      const location = new URL(res.headers.get('location')!);
      expect(location.origin + location.pathname).to.equal(REDIRECT_URI);
      expect(location.searchParams.get('error')).to.equal(error);
      expect(location.searchParams.get('state')).to.equal('st-123');
    }
  });

  it('refuses a malformed nonce, prompt or max_age with invalid_request to the client', async function () {
    const browser = new Browser(world.gateway.url);
    const malformed: Array<Record<string, string>> = [
      { nonce: 'x'.repeat(513) },
      { prompt: 'sometimes' },
      { prompt: 'none login' },
      { max_age: '-1' },
      { max_age: 'soon' }
    ];
    for (const extra of malformed) {
      const res = await authorize(browser, world, codeParams(world, { scope: 'openid', ...extra }));
      expect(res.status, JSON.stringify(extra)).to.equal(302);
      expect(new URL(res.headers.get('location')!).searchParams.get('error'), JSON.stringify(extra)).to.equal(
        'invalid_request'
      );
    }
  });
});

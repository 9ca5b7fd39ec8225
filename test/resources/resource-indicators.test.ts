import { expect } from 'chai';
import { Browser } from '../../support/browser';
import { basic, expectOAuthError, postForm, Reply } from '../../support/http';
import { codeParams, decide, REDIRECT_URI, signIn, TEST_PKCE } from '../helpers/flow';
import type { World } from '../helpers/world';
import { BILLING, resourceWorld } from './resource-world';
import { ecKeyPair } from '../helpers/keys';
import { oncePerRun } from '../helpers/once-per-run';

/** A token request of the world's app, with `resource` repeated as listed (RFC 8707 §2). */
function tokenRequest(world: World, params: Record<string, string>, resources: string[] = []): Promise<Reply> {
  const form = new URLSearchParams(params);
  for (const resource of resources) form.append('resource', resource);
  return postForm(`${world.gateway.url}/oauth2/token`, form.toString(), {
    Authorization: basic(world.app.id, world.app.secret)
  });
}

function describeResourceIndicators(format: 'opaque' | 'jwt'): void {
  describe(`resource indicators (RFC 8707), ${format} access tokens`, function () {
    let world: World;
    let orders: string;
    before(async function () {
      // The JWT format's binding is the same on either store: once per run.
      if (format === 'jwt') oncePerRun(this);
      const keys = format === 'jwt' ? { keys: [{ kid: 'ec', alg: 'ES256', key: ecKeyPair().privatePem }] } : {};
      world = await resourceWorld({ settings: { accessToken: { format }, ...keys } });
      orders = `${world.gateway.url}/orders`;
    });
    after(async function () {
      await world?.stop();
    });

    const clientToken = async (resources: string[]) => {
      const res = await tokenRequest(world, { grant_type: 'client_credentials', scope: 'read' }, resources);
      expect(res.status, res.text).to.equal(200);
      return res.json.access_token as string;
    };

    it('binds a token to the API it was asked for: another API of the gateway refuses it', async function () {
      const token = await clientToken([orders]);
      expect((await world.api(token, '/orders/1')).status).to.equal(200);
      for (let i = 0; i < 2; i++) {
        // Twice: the second answer comes from the instance's memory of the token, and must refuse alike.
        const elsewhere = await world.api(token, '/api/read');
        expect(elsewhere.status).to.equal(401);
        expect(elsewhere.headers.get('www-authenticate')).to.match(
          /error="invalid_token", error_description="The access token is not meant for this resource"/
        );
      }
      expect((await world.api(token, '/billing/x')).status).to.equal(401);
    });

    it('keeps a token asked for no resource working where it worked, but at a pipeline naming its resource', async function () {
      const token = await clientToken([]);
      expect((await world.api(token, '/orders/1')).status).to.equal(200);
      expect((await world.api(token, '/api/read')).status).to.equal(200);
      expect((await world.api(token, '/billing/x')).status).to.equal(401);
    });

    it('gives a pipeline naming its resource the tokens asked for it, and several resources when repeated', async function () {
      const billing = await clientToken([BILLING]);
      expect((await world.api(billing, '/billing/x')).status).to.equal(200);
      expect((await world.api(billing, '/orders/1')).status).to.equal(401);
      const both = await clientToken([BILLING, orders]);
      expect((await world.api(both, '/billing/x')).status).to.equal(200);
      expect((await world.api(both, '/orders/1')).status).to.equal(200);
      expect((await world.api(both, '/api/read')).status).to.equal(401);
    });

    it('says the audience at introspection: the resources, or the server itself', async function () {
      const server = await world.addClient('resource-server', ['introspection']);
      const introspect = async (token: string) =>
        (
          await postForm(
            `${world.gateway.url}/oauth2/introspect`,
            { token },
            { Authorization: basic(server.id, server.secret) }
          )
        ).json;
      expect((await introspect(await clientToken([orders]))).aud).to.equal(orders);
      expect((await introspect(await clientToken([orders, BILLING]))).aud).to.deep.equal([orders, BILLING]);
      expect((await introspect(await clientToken([]))).aud).to.equal(world.gateway.url);
    });

    it('refuses with invalid_target a resource that is unknown, malformed, or one of another server', async function () {
      const refusals = [
        'https://elsewhere.example/orders',
        `${orders}#x`,
        'orders',
        'urn:example:orders',
        `${world.gateway.url}/open`,
        ...[[orders, 'https://elsewhere.example']]
      ];
      for (const resource of refusals) {
        const res = await tokenRequest(world, { grant_type: 'client_credentials' }, [resource].flat());
        expectOAuthError(res, 400, 'invalid_target', /resource/);
      }
      const tooMany = Array.from({ length: 11 }, () => orders);
      expectOAuthError(
        await tokenRequest(world, { grant_type: 'client_credentials' }, tooMany),
        400,
        'invalid_target',
        /At most 10/
      );
      // Only resource may be repeated (RFC 6749 §3.1).
      const repeatedScope = await postForm(
        `${world.gateway.url}/oauth2/token`,
        'grant_type=client_credentials&scope=read&scope=write',
        { Authorization: basic(world.app.id, world.app.secret) }
      );
      expectOAuthError(repeatedScope, 400, 'invalid_request', /'scope' is repeated/);
    });

    it('binds the password grant, and refreshes to fewer of its resources but never others', async function () {
      const password = { grant_type: 'password', username: world.user.username, password: world.user.password };
      const issued = await tokenRequest(world, { ...password, scope: 'read' }, [orders, BILLING]);
      expect(issued.status, issued.text).to.equal(200);
      const refreshToken = issued.json.refresh_token as string;

      const widened = await tokenRequest(world, { grant_type: 'refresh_token', refresh_token: refreshToken }, [
        `${world.gateway.url}/api`
      ]);
      expectOAuthError(widened, 400, 'invalid_target', /does not cover/);

      // The refused request spent nothing: the same refresh token narrows to one resource.
      const narrowed = await tokenRequest(world, { grant_type: 'refresh_token', refresh_token: refreshToken }, [
        BILLING
      ]);
      expect(narrowed.status, narrowed.text).to.equal(200);
      expect((await world.api(narrowed.json.access_token, '/billing/x')).status).to.equal(200);
      expect((await world.api(narrowed.json.access_token, '/orders/1')).status).to.equal(401);

      // The grant keeps both: the next refresh, naming none, gets both again.
      const again = await tokenRequest(world, {
        grant_type: 'refresh_token',
        refresh_token: narrowed.json.refresh_token ?? refreshToken
      });
      expect(again.status, again.text).to.equal(200);
      expect((await world.api(again.json.access_token, '/orders/1')).status).to.equal(200);
      expect((await world.api(again.json.access_token, '/billing/x')).status).to.equal(200);
    });

    it('carries the resources of an authorization request through its code, shown on the consent page', async function () {
      const browser = new Browser(world.gateway.url);
      const params: [string, string][] = [
        ...Object.entries(codeParams(world, { scope: 'read' })),
        ['resource', orders],
        ['resource', BILLING]
      ];
      // Sent as a form (OpenID Connect Core §3.1.2.1), before signing in: the request after the sign-in keeps both.
      const both = await browser.follow(await signIn(browser, world, await browser.post('/oauth2/authorize', params)));
      expect(both.status, both.text.slice(0, 300)).to.equal(200);
      expect(both.text).to.contain(`<code>${orders}</code>`).and.to.contain(`<code>${BILLING}</code>`);
      const callback = await decide(browser, both, true);
      const code = callback.searchParams.get('code')!;
      const exchange = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI };
      const withVerifier = { ...exchange, code_verifier: TEST_PKCE.verifier };

      const beyond = await tokenRequest(world, withVerifier, [`${world.gateway.url}/api`]);
      expectOAuthError(beyond, 400, 'invalid_target', /does not cover/);
      // Refused before the code was spent: the same code, narrowed to orders.
      const tokens = await tokenRequest(world, withVerifier, [orders]);
      expect(tokens.status, tokens.text).to.equal(200);
      expect((await world.api(tokens.json.access_token, '/orders/1')).status).to.equal(200);
      expect((await world.api(tokens.json.access_token, '/billing/x')).status).to.equal(401);
      // Its refresh token is the grant's: both resources.
      const refreshed = await tokenRequest(world, {
        grant_type: 'refresh_token',
        refresh_token: tokens.json.refresh_token
      });
      expect((await world.api(refreshed.json.access_token, '/billing/x')).status).to.equal(200);
    });

    it('answers an authorization request for an unknown resource with invalid_target at the redirect URI', async function () {
      const browser = new Browser(world.gateway.url);
      const res = await browser.get(
        `/oauth2/authorize?${new URLSearchParams(codeParams(world, { resource: 'https://elsewhere.example/x' }))}`
      );
      expect(res.status).to.equal(302);
      const location = new URL(res.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).to.equal(REDIRECT_URI);
      expect(location.searchParams.get('error')).to.equal('invalid_target');
      expect(location.searchParams.get('state')).to.equal('st-123');
    });

    if (format === 'jwt')
      it('names the resources as the JWT audience (RFC 9068 §3)', async function () {
        const token = await clientToken([orders, BILLING]);
        const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
        expect(claims.aud).to.deep.equal([orders, BILLING]);
        const unbound = JSON.parse(Buffer.from((await clientToken([])).split('.')[1], 'base64url').toString());
        expect(unbound.aud).to.equal(world.gateway.url);
      });
  });
}

describeResourceIndicators('opaque');
describeResourceIndicators('jwt');

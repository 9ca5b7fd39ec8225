import { expect } from 'chai';
import { Browser, pkcePair } from '../../support/browser';
import { authorize, authorizeUrl, codeParams, decide, REDIRECT_URI, TEST_PKCE, signIn } from '../helpers/flow';
import { postForm } from '../../support/http';
import { startWorld, World } from '../helpers/world';

describe('authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636)', function () {
  let world: World;
  before(async function () {
    world = await startWorld({
      settings: { consent: { remember: false }, scopeDescriptions: { read: 'Read your orders' } }
    });
  });
  after(async function () {
    await world?.stop();
  });

  async function obtainCode(extra: Record<string, string> = {}, browser = new Browser(world.gateway.url)) {
    const pkce = pkcePair();
    const consent = await authorize(
      browser,
      world,
      codeParams(world, { code_challenge: pkce.challenge, code_challenge_method: 'S256', ...extra })
    );
    const location = await decide(browser, consent, true);
    return { code: location.searchParams.get('code')!, location, pkce, browser };
  }

  const exchange = (params: Record<string, string>, auth?: { id: string; secret: string }) =>
    world.token({ grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, ...params }, auth);

  it('shows the consent page with the app name and each scope with its description', async function () {
    const consent = await authorize(
      new Browser(world.gateway.url),
      world,
      codeParams(world, { scope: 'read write', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' })
    );
    expect(consent.status).to.equal(200);
    expect(consent.text).to.contain(world.app.name);
    expect(consent.text).to.contain('<code>read</code><span class="description">Read your orders</span>');
    expect(consent.text).to.contain('<code>write</code>');
    expect(consent.headers.get('x-frame-options')).to.equal('DENY');
  });

  it('redirects to the client with a code and the state, and the code buys tokens that open the API', async function () {
    const { code, location, pkce } = await obtainCode({ scope: 'read' });
    expect(`${location.origin}${location.pathname}`).to.equal(REDIRECT_URI);
    expect(location.searchParams.get('state')).to.equal('st-123');
    expect(location.searchParams.get('iss'), 'RFC 9207').to.equal(world.gateway.url);
    expect(code).to.match(/^[A-Za-z0-9_-]{43}$/);
    const tokens = await exchange({ code, code_verifier: pkce.verifier });
    expect(tokens.status, tokens.text).to.equal(200);
    expect(tokens.headers.get('cache-control')).to.equal('no-store');
    expect(tokens.json).to.include({ token_type: 'Bearer', expires_in: 3600, scope: 'read' });
    expect(tokens.json.refresh_token).to.be.a('string');
    const api = await world.api(tokens.json.access_token);
    expect(api.status).to.equal(200);
    expect(api.json.headers['eg-token-authenticated-user-id']).to.equal(world.user.id);
    expect(api.json.headers['eg-token-redirect-uri']).to.equal(REDIRECT_URI);
  });

  it('redirects access_denied with a description and the state when the user denies', async function () {
    const browser = new Browser(world.gateway.url);
    const consent = await authorize(
      browser,
      world,
      codeParams(world, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' })
    );
    const location = await decide(browser, consent, false);
    expect(location.searchParams.get('error')).to.equal('access_denied');
    expect(location.searchParams.get('error_description')).to.equal('The user denied the request');
    expect(location.searchParams.get('state')).to.equal('st-123');
    expect(location.searchParams.get('iss'), 'RFC 9207').to.equal(world.gateway.url);
    expect(location.searchParams.get('code')).to.equal(null);
  });

  it('takes the authorization request as a POSTed form as well, with the same sign-in, checks and answers (RFC 6749 §3.1; issue 17, item 7)', async function () {
    const browser = new Browser(world.gateway.url);
    const pkce = pkcePair();
    const params = codeParams(world, { code_challenge: pkce.challenge, code_challenge_method: 'S256' });
    const toLogin = await browser.post('/oauth2/authorize', params);
    expect(toLogin.status).to.equal(302);
    // After signing in the browser comes back with a GET carrying the same request.
    const returnTo = new URL(toLogin.headers.get('location')!, world.gateway.url).searchParams.get('return_to')!;
    expect(Object.fromEntries(new URL(returnTo, world.gateway.url).searchParams)).to.deep.equal(params);
    const consent = await browser.follow(await signIn(browser, world, toLogin));
    expect(consent.status).to.equal(200);
    // Signed in, a POST goes straight to the consent page.
    const posted = await browser.post('/oauth2/authorize', params);
    expect(posted.status).to.equal(200);
    expect(posted.text).to.contain(world.app.name);
    const location = await decide(browser, posted, true);
    expect(location.searchParams.get('state')).to.equal('st-123');
    const tokens = await exchange({ code: location.searchParams.get('code')!, code_verifier: pkce.verifier });
    expect(tokens.status, tokens.text).to.equal(200);

    // The same checks: an unregistered redirect_uri is an error page, a missing challenge goes back to the client.
    const wrongRedirect = await browser.post('/oauth2/authorize', {
      ...params,
      redirect_uri: 'https://evil.example/cb'
    });
    expect(wrongRedirect.status).to.equal(400);
    expect(wrongRedirect.headers.get('location')).to.equal(null);
    const noPkce = await browser.post(
      '/oauth2/authorize',
      codeParams(world, { code_challenge: '', code_challenge_method: '' })
    );
    expect(new URL(noPkce.headers.get('location')!).searchParams.get('error')).to.equal('invalid_request');
    // Parameters in one place only: a POST with a query string, or not a form, is refused on an error page.
    const split = await browser.post(`/oauth2/authorize?client_id=${world.app.id}`, params);
    expect(split.status).to.equal(400);
    expect(split.headers.get('location')).to.equal(null);
  });

  it('refuses a decision without its CSRF token', async function () {
    const browser = new Browser(world.gateway.url);
    const consent = await authorize(
      browser,
      world,
      codeParams(world, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' })
    );
    const tid = /name="transaction_id" value="([^"]+)"/.exec(consent.text)![1];
    const res = await browser.post('/oauth2/authorize/decision', { transaction_id: tid, allow: 'Allow' });
    expect(res.status).to.equal(403);
    expect(res.headers.get('location')).to.equal(null);
  });

  it('refuses a decision from a browser that is not signed in', async function () {
    const res = await new Browser(world.gateway.url).post('/oauth2/authorize/decision', {
      transaction_id: 'x',
      allow: 'Allow'
    });
    expect(res.status).to.equal(403);
    expect(res.text).to.contain('no longer signed in');
  });

  it('refuses a decision for an unknown transaction with an error page', async function () {
    const browser = new Browser(world.gateway.url);
    const consent = await authorize(
      browser,
      world,
      codeParams(world, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' })
    );
    const csrf = /name="_csrf" value="([^"]+)"/.exec(consent.text)![1];
    const res = await browser.post('/oauth2/authorize/decision', {
      _csrf: csrf,
      transaction_id: 'forged',
      allow: 'Allow'
    });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('expired or was already answered');
    expect(world.gateway.output(), "a forged transaction is the client's mistake, not a server error").not.to.contain(
      'Unable to load OAuth 2.0 transaction: forged'
    );
  });

  it('answers invalid_grant for a wrong code_verifier', async function () {
    const { code } = await obtainCode();
    const res = await exchange({ code, code_verifier: pkcePair().verifier });
    expect(res.status).to.equal(400);
    expect(res.json).to.deep.equal({
      error: 'invalid_grant',
      error_description: 'The code_verifier does not match the code_challenge (PKCE)'
    });
  });

  it('answers invalid_grant for a missing code_verifier', async function () {
    const { code } = await obtainCode();
    const res = await exchange({ code });
    expect(res.status).to.equal(400);
    expect(res.json.error).to.equal('invalid_grant');
  });

  it("answers invalid_grant for a redirect_uri other than the authorization request's", async function () {
    const { code, pkce } = await obtainCode();
    const res = await exchange({ code, code_verifier: pkce.verifier, redirect_uri: 'http://127.0.0.1:8000/other' });
    expect(res.status).to.equal(400);
    expect(res.json.error).to.equal('invalid_grant');
  });

  it('answers invalid_grant when the redirect_uri of the authorization request is not repeated', async function () {
    const { code, pkce } = await obtainCode();
    const res = await world.token({ grant_type: 'authorization_code', code, code_verifier: pkce.verifier });
    expect(res.status).to.equal(400);
    expect(res.json.error).to.equal('invalid_grant');
  });

  it('answers invalid_grant for a code issued to another client', async function () {
    const { code, pkce } = await obtainCode();
    const admin = world.gateway.admin;
    const other = await admin.registerClient({ name: 'thief', userId: world.user.id, redirectUri: REDIRECT_URI }, [
      'read',
      'write'
    ]);
    const res = await exchange({ code, code_verifier: pkce.verifier }, { id: other.id, secret: other.secret });
    expect(res.status).to.equal(400);
    expect(res.json.error).to.equal('invalid_grant');
  });

  it('leaves a code another client presented to its own client, unused (RFC 6749 §4.1.3)', async function () {
    const { code, pkce } = await obtainCode();
    const thief = await world.addClient('code-thief', ['read', 'write']);
    const stolen = await exchange({ code, code_verifier: pkce.verifier }, thief);
    expect(stolen.status).to.equal(400);
    expect(stolen.json.error).to.equal('invalid_grant');
    const rightful = await exchange({ code, code_verifier: pkce.verifier });
    expect(rightful.status, rightful.text).to.equal(200);
    const api = await world.api(rightful.json.access_token);
    expect(api.status).to.equal(200);
  });

  it("keeps the grant alive when another client presents a code already exchanged: only its own client's second use is a replay", async function () {
    const { code, pkce } = await obtainCode();
    const first = await exchange({ code, code_verifier: pkce.verifier });
    expect(first.status).to.equal(200);
    const thief = await world.addClient('late-code-thief', ['read', 'write']);
    const stolen = await exchange({ code, code_verifier: pkce.verifier }, thief);
    expect(stolen.status).to.equal(400);
    expect(stolen.json.error).to.equal('invalid_grant');
    const api = await world.api(first.json.access_token);
    expect(api.status).to.equal(200);
    const refreshed = await world.token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
    expect(refreshed.status, refreshed.text).to.equal(200);
  });

  it('leaves a code presented with a wrong code_verifier or redirect_uri to the request that proves it', async function () {
    const { code, pkce } = await obtainCode();
    expect((await exchange({ code, code_verifier: pkcePair().verifier })).json.error).to.equal('invalid_grant');
    expect(
      (await exchange({ code, code_verifier: pkce.verifier, redirect_uri: 'http://127.0.0.1:8000/other' })).json.error
    ).to.equal('invalid_grant');
    const rightful = await exchange({ code, code_verifier: pkce.verifier });
    expect(rightful.status, rightful.text).to.equal(200);
  });

  it('makes codes single use, and a replayed code revokes the tokens issued from it', async function () {
    const { code, pkce } = await obtainCode();
    const first = await exchange({ code, code_verifier: pkce.verifier });
    expect(first.status).to.equal(200);
    const replay = await exchange({ code, code_verifier: pkce.verifier });
    expect(replay.status).to.equal(400);
    expect(replay.json.error).to.equal('invalid_grant');
    const api = await world.api(first.json.access_token);
    expect(api.status).to.equal(401);
    const refreshed = await world.token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
    expect(refreshed.json.error).to.equal('invalid_grant');
  });

  it('binds a code to the registered redirect URI when the request named none, with or without it at the token endpoint', async function () {
    for (const repeatAtToken of [true, false]) {
      const browser = new Browser(world.gateway.url);
      const params = codeParams(world);
      delete params.redirect_uri;
      const location = await decide(browser, await authorize(browser, world, params), true);
      expect(`${location.origin}${location.pathname}`).to.equal(REDIRECT_URI);
      const body: Record<string, string> = {
        grant_type: 'authorization_code',
        code: location.searchParams.get('code')!,
        code_verifier: TEST_PKCE.verifier
      };
      if (repeatAtToken) body.redirect_uri = REDIRECT_URI;
      const tokens = await world.token(body);
      expect(tokens.status, tokens.text).to.equal(200);
      const api = await world.api(tokens.json.access_token);
      expect(api.json.headers['eg-token-redirect-uri']).to.equal(REDIRECT_URI);
    }
  });

  it('keeps only the latest five pending authorization requests of a session', async function () {
    const browser = new Browser(world.gateway.url);
    const params = codeParams(world, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' });
    const first = await authorize(browser, world, params);
    const later = [];
    for (let i = 0; i < 5; i++) later.push(await browser.get(authorizeUrl(params)));
    const stale = await browser.post('/oauth2/authorize/decision', {
      _csrf: /name="_csrf" value="([^"]+)"/.exec(first.text)![1],
      transaction_id: /name="transaction_id" value="([^"]+)"/.exec(first.text)![1],
      allow: 'Allow'
    });
    expect(stale.status).to.equal(400);
    const latest = await decide(browser, later[4], true);
    expect(latest.searchParams.get('code')).to.be.a('string');
  });

  it('shows an error page for a state longer than 2048 characters', async function () {
    const res = await new Browser(world.gateway.url).get(authorizeUrl(codeParams(world, { state: 'x'.repeat(2049) })));
    expect(res.status).to.equal(400);
    expect(res.headers.get('location')).to.equal(null);
  });

  it('answers invalid_request to the client for a request too long to come back to after sign-in, instead of a login redirect no client can read', async function () {
    const res = await new Browser(world.gateway.url).get(
      authorizeUrl(
        codeParams(world, {
          code_challenge: pkcePair().challenge,
          code_challenge_method: 'S256',
          padding: '\u{1F525}'.repeat(800)
        })
      )
    );
    expect(res.status).to.equal(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).to.equal('http://127.0.0.1:8000/callback');
    expect(location.searchParams.get('error')).to.equal('invalid_request');
    expect(location.searchParams.get('state')).to.equal('st-123');
    expect(res.headers.get('location')!.length).to.be.below(8192);
  });

  it('answers invalid_grant for an unknown code', async function () {
    const res = await exchange({ code: 'x'.repeat(43), code_verifier: pkcePair().verifier });
    expect(res.status).to.equal(400);
    expect(res.json.error).to.equal('invalid_grant');
  });

  it('asks for consent again each time when consent.remember is false', async function () {
    const browser = new Browser(world.gateway.url);
    await obtainCode({}, browser);
    const again = await browser.get(
      authorizeUrl(codeParams(world, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }))
    );
    expect(again.status).to.equal(200);
    expect(again.text).to.contain('Allow access?');
  });

  describe('public clients', function () {
    let publicApp: { id: string };
    before(async function () {
      const admin = world.gateway.admin;
      publicApp = await admin.registerClient(
        { name: 'public-spa', userId: world.user.id, redirectUri: REDIRECT_URI, public: 'true' },
        ['read']
      );
    });

    it('exchange a code with client_id and code_verifier alone', async function () {
      const { code, pkce } = await obtainCode({ client_id: publicApp.id });
      const res = await postForm(`${world.gateway.url}/oauth2/token`, {
        grant_type: 'authorization_code',
        code,
        code_verifier: pkce.verifier,
        redirect_uri: REDIRECT_URI,
        client_id: publicApp.id
      });
      expect(res.status, res.text).to.equal(200);
      expect(res.json.scope).to.equal('read');
    });

    it('may not use the client credentials grant', async function () {
      const res = await postForm(`${world.gateway.url}/oauth2/token`, {
        grant_type: 'client_credentials',
        client_id: publicApp.id
      });
      expect(res.status).to.equal(400);
      expect(res.json.error).to.equal('unauthorized_client');
    });

    it('are told apart from confidential clients: a confidential client sending only its client_id is refused', async function () {
      const res = await postForm(`${world.gateway.url}/oauth2/token`, {
        grant_type: 'client_credentials',
        client_id: world.app.id
      });
      expect(res.status).to.equal(401);
      expect(res.json.error).to.equal('invalid_client');
    });
  });
});

describe('authorization code grant: remembered consent and code expiry', function () {
  let world: World;
  before(async function () {
    world = await startWorld({ settings: { authorizationCode: { ttl: 1 } } });
  });
  after(async function () {
    await world?.stop();
  });

  it('asks every time for a public client, whose identity nothing proves (RFC 6749 §10.2, RFC 8252 §8.6)', async function () {
    const spa = await world.gateway.admin.registerClient(
      { name: 'spa-asked-again', userId: world.user.id, redirectUri: REDIRECT_URI, public: 'true' },
      ['read']
    );
    const browser = new Browser(world.gateway.url);
    const params = codeParams(world, { client_id: spa.id, scope: 'read' });
    await decide(browser, await authorize(browser, world, params), true);
    const again = await browser.get(authorizeUrl(params));
    expect(again.status).to.equal(200);
    expect(again.text).to.contain('Allow access?');
  });

  it('skips the consent page for scopes the user already granted the app', async function () {
    const browser = new Browser(world.gateway.url);
    const params = codeParams(world, { scope: 'read write' });
    await decide(browser, await authorize(browser, world, params), true);
    const again = await browser.get(authorizeUrl({ ...params, scope: 'read' }));
    expect(again.status).to.equal(302);
    const location = new URL(again.headers.get('location')!);
    expect(location.searchParams.get('code')).to.be.a('string');
    expect(location.searchParams.get('state')).to.equal('st-123');
  });

  it('refuses a code once authorizationCode.ttl has passed', async function () {
    const browser = new Browser(world.gateway.url);
    const answer = await authorize(browser, world, codeParams(world, { scope: 'read' }));
    // The consent of the previous test is remembered: the gateway may answer at once.
    const location =
      answer.status === 200 ? await decide(browser, answer, true) : new URL(answer.headers.get('location')!);
    expect(location.searchParams.get('code')).to.be.a('string');
    await new Promise((r) => setTimeout(r, 2100));
    const res = await world.token({
      grant_type: 'authorization_code',
      code: location.searchParams.get('code')!,
      redirect_uri: REDIRECT_URI,
      code_verifier: TEST_PKCE.verifier
    });
    expect(res.status).to.equal(400);
    expect(res.json.error).to.equal('invalid_grant');
  });
});

describe('authorization code grant: PKCE relaxed by the operator (pkce.require public-clients, pkce.allowPlain true)', function () {
  let world: World;
  before(async function () {
    world = await startWorld({
      settings: { consent: { remember: false }, pkce: { require: 'public-clients', allowPlain: true } }
    });
  });
  after(async function () {
    await world?.stop();
  });

  async function obtainCode(extra: Record<string, string> = {}, browser = new Browser(world.gateway.url)) {
    const consent = await authorize(browser, world, codeParams(world, extra));
    const location = await decide(browser, consent, true);
    return { code: location.searchParams.get('code')!, location, browser };
  }

  const exchange = (params: Record<string, string>, auth?: { id: string; secret: string }) =>
    world.token({ grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, ...params }, auth);

  it('answers invalid_grant for a code_verifier when the request had no code_challenge (downgrade)', async function () {
    const browser = new Browser(world.gateway.url);
    const location = await decide(
      browser,
      await authorize(browser, world, codeParams(world, { code_challenge: '', code_challenge_method: '' })),
      true
    );
    const res = await exchange({ code: location.searchParams.get('code')!, code_verifier: pkcePair().verifier });
    expect(res.status).to.equal(400);
    expect(res.json.error).to.equal('invalid_grant');
  });

  it('lets a confidential client that sent no challenge exchange its code without a verifier', async function () {
    const browser = new Browser(world.gateway.url);
    const location = await decide(
      browser,
      await authorize(browser, world, codeParams(world, { code_challenge: '', code_challenge_method: '' })),
      true
    );
    expect((await exchange({ code: location.searchParams.get('code')! })).status).to.equal(200);
  });

  it('accepts the plain PKCE method while it is allowed', async function () {
    const { verifier } = pkcePair();
    const { code } = await obtainCode({ code_challenge: verifier, code_challenge_method: 'plain' });
    expect((await exchange({ code, code_verifier: verifier })).status).to.equal(200);
  });
});

describe('authorization code grant: consent remembered for public clients when the operator opts in', function () {
  let world: World;
  before(async function () {
    world = await startWorld({ settings: { consent: { rememberPublicClients: true } } });
  });
  after(async function () {
    await world?.stop();
  });

  it('skips the consent page for a public client with consent.rememberPublicClients', async function () {
    const spa = await world.gateway.admin.registerClient(
      { name: 'spa-remembered', userId: world.user.id, redirectUri: REDIRECT_URI, public: 'true' },
      ['read']
    );
    const browser = new Browser(world.gateway.url);
    const params = codeParams(world, { client_id: spa.id, scope: 'read' });
    await decide(browser, await authorize(browser, world, params), true);
    const again = await browser.get(authorizeUrl(params));
    expect(again.status).to.equal(302);
    expect(new URL(again.headers.get('location')!).searchParams.get('code')).to.be.a('string');
  });
});

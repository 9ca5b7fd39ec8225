import { expect } from 'chai';
import { Browser, pkcePair } from '../../support/browser';
import { authorize, authorizeUrl, codeParams, decide, REDIRECT_URI, TEST_PKCE } from '../helpers/flow';
import { startWorld, World } from '../helpers/world';

describe('authorization endpoint: request checks (RFC 6749 §4.1.1, §4.1.2.1)', function () {
  let world: World;
  before(async function () {
    world = await startWorld();
  });
  after(async function () {
    await world?.stop();
  });

  const get = (params: Record<string, string>) => new Browser(world.gateway.url).get(authorizeUrl(params));

  function expectErrorPage(res: { status: number; text: string; headers: Headers }, text: RegExp) {
    expect(res.status).to.equal(400);
    expect(res.headers.get('location')).to.equal(null);
    expect(res.headers.get('content-type')).to.match(/text\/html/);
    expect(res.text).to.match(text);
  }

  function expectRedirectError(res: { status: number; headers: Headers }, error: string, state = 'st-123') {
    expect(res.status).to.equal(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).to.equal(REDIRECT_URI);
    expect(location.searchParams.get('error')).to.equal(error);
    expect(location.searchParams.get('error_description')).to.be.a('string');
    expect(location.searchParams.get('state')).to.equal(state);
    expect(location.searchParams.get('iss'), 'RFC 9207').to.equal(world.gateway.url);
  }

  describe('shows an error page and never redirects', function () {
    it('for an unknown client', async function () {
      expectErrorPage(await get(codeParams(world, { client_id: 'nope' })), /not registered/);
    });

    it('for a missing client_id', async function () {
      expectErrorPage(await get({ response_type: 'code', redirect_uri: REDIRECT_URI }), /client_id is missing/);
    });

    it('for a redirect URI that is not registered', async function () {
      expectErrorPage(await get(codeParams(world, { redirect_uri: 'https://evil.example/cb' })), /not registered/);
    });

    it('for a redirect URI that differs from the registered one only by a trailing slash', async function () {
      expectErrorPage(await get(codeParams(world, { redirect_uri: `${REDIRECT_URI}/` })), /not registered/);
    });

    it('for a redirect URI with an extra query parameter', async function () {
      expectErrorPage(await get(codeParams(world, { redirect_uri: `${REDIRECT_URI}?x=1` })), /not registered/);
    });

    it('for a repeated redirect_uri', async function () {
      const res = await new Browser(world.gateway.url).get(
        `/oauth2/authorize?response_type=code&client_id=${world.app.id}&redirect_uri=${REDIRECT_URI}&redirect_uri=${REDIRECT_URI}`
      );
      expectErrorPage(res, /repeated/);
    });

    it('for a deactivated client', async function () {
      await world.gateway.admin.setAppActive(world.app.id, false);
      try {
        expectErrorPage(await get(codeParams(world)), /not registered or is not active/);
      } finally {
        await world.gateway.admin.setAppActive(world.app.id, true);
      }
    });
  });

  describe('redirects the error back to the client with its state', function () {
    it('for a missing response_type', async function () {
      const params = codeParams(world);
      delete params.response_type;
      expectRedirectError(await get(params), 'invalid_request');
    });

    it('for an unknown response_type', async function () {
      expectRedirectError(
        await get(codeParams(world, { response_type: 'code id_token' })),
        'unsupported_response_type'
      );
    });

    it('for response_type=token while the implicit grant is disabled (the default)', async function () {
      const res = await get(codeParams(world, { response_type: 'token' }));
      expect(res.status).to.equal(302);
      const location = new URL(res.headers.get('location')!);
      const fragment = new URLSearchParams(location.hash.slice(1));
      expect(fragment.get('error')).to.equal('unsupported_response_type');
      expect(fragment.get('state')).to.equal('st-123');
    });

    it("for a scope the client's credential does not hold", async function () {
      expectRedirectError(await get(codeParams(world, { scope: 'read admin' })), 'invalid_scope');
    });

    it('for a malformed scope', async function () {
      expectRedirectError(await get(codeParams(world, { scope: 'read\\write' })), 'invalid_scope');
    });

    it('for a repeated parameter', async function () {
      const res = await new Browser(world.gateway.url).get(`${authorizeUrl(codeParams(world))}&scope=read&scope=write`);
      expectRedirectError(res, 'invalid_request');
    });

    it('for a malformed code_challenge', async function () {
      expectRedirectError(
        await get(codeParams(world, { code_challenge: 'too-short', code_challenge_method: 'S256' })),
        'invalid_request'
      );
    });

    it('for an unknown code_challenge_method', async function () {
      expectRedirectError(
        await get(codeParams(world, { code_challenge: pkcePair().challenge, code_challenge_method: 'S512' })),
        'invalid_request'
      );
    });

    it('for a code_challenge_method without a code_challenge', async function () {
      expectRedirectError(
        await get(codeParams(world, { code_challenge: '', code_challenge_method: 'S256' })),
        'invalid_request'
      );
    });

    it("for a grant the app's grantTypes property excludes", async function () {
      const admin = world.gateway.admin;
      const app = await admin.registerClient(
        { name: 'no-code', userId: world.user.id, redirectUri: REDIRECT_URI, grantTypes: 'client_credentials' },
        ['read']
      );
      expectRedirectError(await get(codeParams(world, { client_id: app.id })), 'unauthorized_client');
    });

    it('returns the state unchanged, whatever characters it holds', async function () {
      const state = 'a b&c=d/é?%';
      expectRedirectError(
        await get(codeParams(world, { state, response_type: 'nope' })),
        'unsupported_response_type',
        state
      );
    });
  });

  describe('public clients (app property public: "true")', function () {
    let publicApp: { id: string };
    before(async function () {
      const admin = world.gateway.admin;
      publicApp = await admin.registerClient(
        { name: 'spa', userId: world.user.id, redirectUri: REDIRECT_URI, public: 'true' },
        ['read']
      );
    });

    it('must send a PKCE code_challenge', async function () {
      expectRedirectError(
        await get(codeParams(world, { client_id: publicApp.id, code_challenge: '', code_challenge_method: '' })),
        'invalid_request'
      );
    });

    it('are sent to sign in when they do', async function () {
      const res = await get(
        codeParams(world, {
          client_id: publicApp.id,
          code_challenge: pkcePair().challenge,
          code_challenge_method: 'S256'
        })
      );
      expect(res.status).to.equal(302);
      expect(new URL(res.headers.get('location')!, world.gateway.url).pathname).to.equal('/oauth2/login');
    });
  });

  describe('redirect URIs', function () {
    it('lets a native app name any port of a registered loopback IP redirect URI (RFC 8252 §7.3), and nothing else', async function () {
      const admin = world.gateway.admin;
      const app = await admin.registerClient(
        {
          name: 'native',
          userId: world.user.id,
          redirectUri: 'http://127.0.0.1/callback',
          redirectUris: 'http://[::1]:8000/cb https://app.example/cb'
        },
        ['read']
      );
      for (const uri of [
        'http://127.0.0.1:51234/callback',
        'http://127.0.0.1/callback',
        'http://[::1]:61000/cb',
        'http://[::1]/cb'
      ]) {
        const consent = await authorize(
          new Browser(world.gateway.url),
          world,
          codeParams(world, { client_id: app.id, redirect_uri: uri })
        );
        expect(consent.status, uri).to.equal(200);
      }
      for (const uri of [
        'http://127.0.0.1:51234/other',
        'http://localhost:51234/callback',
        'https://127.0.0.1:51234/callback',
        'http://127.0.0.1:99999/callback',
        'http://127.0.0.1:5000/callback/',
        'https://app.example:8443/cb',
        'http://127.0.0.2:51234/callback'
      ]) {
        expectErrorPage(await get(codeParams(world, { client_id: app.id, redirect_uri: uri })), /not registered/);
      }
    });

    it('sends the code to the loopback port the request named, and wants that same URI at the token endpoint', async function () {
      const admin = world.gateway.admin;
      const app = await admin.registerClient(
        { name: 'native-exchange', userId: world.user.id, redirectUri: 'http://127.0.0.1/callback' },
        ['read']
      );
      const browser = new Browser(world.gateway.url);
      const uri = 'http://127.0.0.1:49152/callback';
      const location = await decide(
        browser,
        await authorize(browser, world, codeParams(world, { client_id: app.id, redirect_uri: uri })),
        true
      );
      expect(`${location.origin}${location.pathname}`).to.equal(uri);
      const exchange = (redirectUri: string) =>
        world.token(
          {
            grant_type: 'authorization_code',
            code: location.searchParams.get('code')!,
            redirect_uri: redirectUri,
            code_verifier: TEST_PKCE.verifier
          },
          app
        );
      expect(
        (await exchange('http://127.0.0.1:49153/callback')).json.error,
        'another port at the token endpoint'
      ).to.equal('invalid_grant');
      expect((await exchange(uri)).status, 'the port of the request').to.equal(200);
    });

    it('lets an app with one registered URI omit redirect_uri', async function () {
      const params = codeParams(world);
      delete params.redirect_uri;
      const res = await get(params);
      expect(res.status).to.equal(302);
      expect(new URL(res.headers.get('location')!, world.gateway.url).pathname).to.equal('/oauth2/login');
    });

    it("accepts any URI of an app's redirectUris property, and requires naming one", async function () {
      const admin = world.gateway.admin;
      const app = await admin.registerClient(
        {
          name: 'multi',
          userId: world.user.id,
          redirectUri: REDIRECT_URI,
          redirectUris: 'http://127.0.0.1:8000/other https://app.example/cb'
        },
        ['read']
      );
      const consent = await authorize(
        new Browser(world.gateway.url),
        world,
        codeParams(world, { client_id: app.id, redirect_uri: 'https://app.example/cb' })
      );
      expect(consent.status).to.equal(200);
      const params = codeParams(world, { client_id: app.id });
      delete params.redirect_uri;
      expectErrorPage(await get(params), /must name its redirect_uri/);
    });
  });

  it('sends a signed-out user to the login page, then back to the request', async function () {
    const browser = new Browser(world.gateway.url);
    const consent = await authorize(browser, world, codeParams(world, { scope: 'read' }));
    expect(consent.status).to.equal(200);
    expect(consent.text).to.contain('Allow access?');
  });

  it('sends clickjacking protection and no-store on its pages', async function () {
    const res = await get(codeParams(world, { client_id: 'nope' }));
    expect(res.headers.get('x-frame-options')).to.equal('DENY');
    expect(res.headers.get('content-security-policy')).to.contain("frame-ancestors 'none'");
    expect(res.headers.get('cache-control')).to.equal('no-store');
  });
});

describe('authorization endpoint: PKCE by default (RFC 9700 §2.1.1: pkce.require required, pkce.allowPlain false)', function () {
  let world: World;
  before(async function () {
    world = await startWorld();
  });
  after(async function () {
    await world?.stop();
  });

  const get = (params: Record<string, string>) => new Browser(world.gateway.url).get(authorizeUrl(params));

  it('requires a code_challenge of confidential clients too', async function () {
    const res = await get(codeParams(world, { code_challenge: '', code_challenge_method: '' }));
    expect(res.status).to.equal(302);
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).to.equal('invalid_request');
  });

  it('refuses the plain method', async function () {
    const res = await get(codeParams(world, { code_challenge: pkcePair().verifier, code_challenge_method: 'plain' }));
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).to.equal('invalid_request');
  });

  it('refuses a challenge without a method, which means plain (RFC 7636 §4.3)', async function () {
    const res = await get(codeParams(world, { code_challenge: pkcePair().verifier, code_challenge_method: '' }));
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).to.equal('invalid_request');
  });
});

describe('authorization endpoint: PKCE relaxed by the operator (pkce.require public-clients)', function () {
  let world: World;
  before(async function () {
    world = await startWorld({ settings: { pkce: { require: 'public-clients' } } });
  });
  after(async function () {
    await world?.stop();
  });

  it('lets a confidential client leave PKCE out, and still requires it of a public client', async function () {
    const get = (params: Record<string, string>) => new Browser(world.gateway.url).get(authorizeUrl(params));
    const confidential = await get(codeParams(world, { code_challenge: '', code_challenge_method: '' }));
    expect(new URL(confidential.headers.get('location')!, world.gateway.url).pathname).to.equal('/oauth2/login');
    const publicApp = await world.gateway.admin.registerClient(
      { name: 'spa', userId: world.user.id, redirectUri: REDIRECT_URI, public: 'true' },
      ['read']
    );
    const pub = await get(
      codeParams(world, { client_id: publicApp.id, code_challenge: '', code_challenge_method: '' })
    );
    expect(new URL(pub.headers.get('location')!).searchParams.get('error')).to.equal('invalid_request');
  });
});

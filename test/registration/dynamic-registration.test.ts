import { expect } from 'chai';
import { Browser, pkcePair } from '../../support/browser';
import { authorize, decide, REDIRECT_URI } from '../helpers/flow';
import { startGateway } from '../../support/gateway';
import { basic, expectOAuthError, postForm, Reply, request } from '../../support/http';
import { ecKeyPair, now, signJwt } from '../helpers/keys';
import { startWorld, World } from '../helpers/world';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Dynamic client registration (RFC 7591) and its management (RFC 7592), over HTTP against a real gateway. */
describe('dynamic client registration (RFC 7591, RFC 7592)', function () {
  let world: World;
  let registrar: { id: string; secret: string };
  let scopeToken: string;
  let registerUrl: string;

  const send = (method: string, url: string, body: unknown, token?: string, contentType = 'application/json') =>
    request(url, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'Content-Type': contentType }),
        ...(token ? { Authorization: `Bearer ${token}` } : {})
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
    });
  const register = (metadata: unknown, token = scopeToken) => send('POST', registerUrl, metadata, token);
  const admin = (method: string, path: string, body?: unknown) =>
    send(method, `${world.gateway.adminUrl}/oauth2/registration-tokens${path}`, body);
  const tokenRequest = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    postForm(`${world.gateway.url}/oauth2/token`, form, headers);
  const ownerOf = async (clientId: string) => (await request(`${world.gateway.adminUrl}/apps/${clientId}`)).json.userId;
  const machine = (extra: Record<string, unknown> = {}) => ({
    grant_types: ['client_credentials'],
    scope: 'read',
    ...extra
  });
  const webApp = (extra: Record<string, unknown> = {}) => ({ redirect_uris: [REDIRECT_URI], ...extra });

  before(async function () {
    // Quota aside (it has its own test): this suite registers many clients for one owner.
    world = await startWorld({
      settings: {
        consent: { remember: false },
        dynamicRegistration: { enabled: true, allowedScopes: ['read', 'write'], maxClientsPerOwner: 1000 }
      }
    });
    registerUrl = `${world.gateway.url}/oauth2/register`;
    // Owned by the developer, so that a client_credentials token and alice's user token name different owners.
    await world.gateway.admin.createScopes(['client_registration']);
    registrar = await world.gateway.admin.registerClient({ name: 'registrar', userId: world.developer.id }, [
      'client_registration'
    ]);
    scopeToken = (await world.token({ grant_type: 'client_credentials', scope: 'client_registration' }, registrar)).json
      .access_token;
  });
  after(async function () {
    await world?.stop();
  });

  it('lists the registration endpoint in the metadata document', async function () {
    const res = await request(`${world.gateway.url}/.well-known/oauth-authorization-server`);
    expect(res.json.registration_endpoint).to.equal(registerUrl);
  });

  describe('registration (RFC 7591 §3)', function () {
    it("registers a client with a token holding the registration scope, owned by that token's owner, and the client can get tokens", async function () {
      const res = await register(
        machine({
          client_name: 'Reporting job',
          software_id: 'reports',
          software_version: '2.1',
          contacts: ['ops@example.com'],
          unknown_field: 'ignored'
        })
      );
      expect(res.status, res.text).to.equal(201);
      expect(res.headers.get('cache-control')).to.equal('no-store');
      expect(res.json).to.include({
        client_name: 'Reporting job',
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'read',
        client_secret_expires_at: 0,
        software_id: 'reports',
        software_version: '2.1'
      });
      expect(res.json.grant_types).to.deep.equal(['client_credentials']);
      expect(res.json.response_types, 'no response type for a grant without the authorization endpoint').to.deep.equal(
        []
      );
      expect(res.json.contacts).to.deep.equal(['ops@example.com']);
      expect(res.json).not.to.have.property('unknown_field');
      expect(res.json.client_id_issued_at).to.be.closeTo(now(), 5);
      expect(res.json.registration_client_uri).to.equal(`${registerUrl}/${res.json.client_id}`);
      expect(res.headers.get('location')).to.equal(res.json.registration_client_uri);
      expect(res.json.registration_access_token).to.be.a('string');
      expect(await ownerOf(res.json.client_id), 'the owner of the client that got the token').to.equal(
        world.developer.id
      );
      const token = await tokenRequest(
        { grant_type: 'client_credentials' },
        { Authorization: basic(res.json.client_id, res.json.client_secret) }
      );
      expect(token.status, token.text).to.equal(200);
      expect(token.json.scope).to.equal('read');
    });

    it('registers a web app for the code flow by default, and the code flow works with its secret', async function () {
      const res = await register(webApp({ client_name: 'Web shop', scope: 'read write' }));
      expect(res.status, res.text).to.equal(201);
      expect(res.json.grant_types).to.deep.equal(['authorization_code']);
      expect(res.json.response_types).to.deep.equal(['code']);
      expect(res.json.redirect_uris).to.deep.equal([REDIRECT_URI]);
      const browser = new Browser(world.gateway.url);
      const pkce = pkcePair();
      const consent = await authorize(browser, world, {
        response_type: 'code',
        client_id: res.json.client_id,
        redirect_uri: REDIRECT_URI,
        scope: 'read',
        state: 's',
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256'
      });
      expect(consent.text).to.contain('Web shop');
      const code = (await decide(browser, consent, true)).searchParams.get('code')!;
      const tokens = await tokenRequest(
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: pkce.verifier },
        { Authorization: basic(res.json.client_id, res.json.client_secret) }
      );
      expect(tokens.status, tokens.text).to.equal(200);
      expect(tokens.json.scope).to.equal('read');
      const password = await tokenRequest(
        { grant_type: 'password', username: world.user.username, password: world.user.password },
        { Authorization: basic(res.json.client_id, res.json.client_secret) }
      );
      expectOAuthError(password, 400, 'unauthorized_client', /password/);
    });

    it('ignores the OpenID Connect client metadata with OpenID Connect off (RFC 7591 §2: unknown fields)', async function () {
      const res = await register(
        webApp({
          client_name: 'Not an OIDC RP here',
          post_logout_redirect_uris: ['https://rp.example.com/bye'],
          backchannel_logout_uri: 'https://rp.example.com/bc',
          subject_type: 'pairwise'
        })
      );
      expect(res.status, res.text).to.equal(201);
      for (const field of ['post_logout_redirect_uris', 'backchannel_logout_uri', 'subject_type'])
        expect(res.json).not.to.have.property(field);
      const app = (await request(`${world.gateway.adminUrl}/apps/${res.json.client_id}`)).json;
      expect(app).not.to.have.property('postLogoutRedirectUris');
      expect(app).not.to.have.property('backchannelLogoutUri');
    });

    it('makes the user of a user token the owner', async function () {
      const userToken = (
        await world.token(
          {
            grant_type: 'password',
            username: world.user.username,
            password: world.user.password,
            scope: 'client_registration'
          },
          registrar
        )
      ).json.access_token;
      const res = await register(machine(), userToken);
      expect(res.status, res.text).to.equal(201);
      expect(await ownerOf(res.json.client_id)).to.equal(world.user.id);
    });

    it('registers a public client without a secret', async function () {
      const res = await register(
        webApp({ token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] })
      );
      expect(res.status, res.text).to.equal(201);
      expect(res.json).to.include({ token_endpoint_auth_method: 'none' });
      expect(res.json).not.to.have.any.keys('client_secret', 'client_secret_expires_at');
    });

    it('refuses a second client of the same name for the same owner', async function () {
      expect((await register(machine({ client_name: 'Twin' }))).status).to.equal(201);
      expectOAuthError(await register(machine({ client_name: 'Twin' })), 400, 'invalid_client_metadata', /client_name/);
    });

    it('answers 401 with a Bearer challenge without a token, and invalid_token for an unknown one', async function () {
      const none = await register(machine(), '');
      expect(none.status).to.equal(401);
      expect(none.headers.get('www-authenticate')).to.match(/^Bearer realm="/);
      const unknown = await register(machine(), 'not-a-token-of-this-server');
      expectOAuthError(unknown, 401, 'invalid_token', /invalid/);
      expect(unknown.headers.get('www-authenticate')).to.match(/error="invalid_token"/);
    });

    it('answers 403 insufficient_scope for a token without the registration scope', async function () {
      const plain = (await world.token({ grant_type: 'client_credentials' })).json.access_token;
      const res = await register(machine(), plain);
      expectOAuthError(res, 403, 'insufficient_scope', /client_registration/);
      expect(res.headers.get('www-authenticate')).to.match(/scope="client_registration"/);
    });

    it('answers invalid_request for a body that is not JSON', async function () {
      expectOAuthError(
        await send(
          'POST',
          registerUrl,
          'grant_types=client_credentials',
          scopeToken,
          'application/x-www-form-urlencoded'
        ),
        400,
        'invalid_request',
        /application\/json/
      );
      expectOAuthError(
        await send('POST', registerUrl, '{"grant_types": [', scopeToken),
        400,
        'invalid_request',
        /not valid JSON/
      );
      expectOAuthError(
        await send('POST', registerUrl, '[]', scopeToken),
        400,
        'invalid_client_metadata',
        /JSON object/
      );
    });
  });

  describe('metadata errors (RFC 7591 §3.2.2)', function () {
    const redirectCases: Array<[string, unknown, RegExp]> = [
      [
        'one holding a character a URI is not written in',
        webApp({ redirect_uris: ['https://client.example.com/caf\u00e9'] }),
        /redirect_uris\[0\] holds a character a URI is not written in/
      ],
      ['plain http off loopback', { redirect_uris: ['http://client.example.com/cb'] }, /https/],
      ['a fragment', { redirect_uris: ['https://client.example.com/cb#frag'] }, /fragment/],
      ['a relative URI', { redirect_uris: ['/cb'] }, /absolute/],
      ['a wildcard', { redirect_uris: ['https://*.example.com/cb'] }, /wildcard/],
      ['a custom scheme', { redirect_uris: ['com.example.app:/cb'] }, /https/],
      ['no redirect URI for the code grant', {}, /required/],
      ['a redirect URI that is not a string', { redirect_uris: [42] }, /redirect_uris\[0\]/]
    ];
    for (const [what, metadata, description] of redirectCases) {
      it(`answers invalid_redirect_uri for ${what}`, async function () {
        expectOAuthError(await register(metadata), 400, 'invalid_redirect_uri', description);
      });
    }

    const metadataCases: Array<[string, unknown, RegExp]> = [
      [
        'grant and response types that disagree',
        webApp({ grant_types: ['authorization_code'], response_types: ['token'] }),
        /disagree/
      ],
      ['a grant type the server does not know', { grant_types: ['magic'] }, /'magic' is not a grant type/],
      ['a grant type not enabled on this server', webApp({ grant_types: ['implicit'] }), /'implicit' is not enabled/],
      [
        'the password grant, though this server enables it (RFC 9700 section 2.4)',
        machine({ grant_types: ['password'] }),
        /'password' is not offered to registered clients/
      ],
      ['an empty grant_types', { grant_types: [] }, /at least one/],
      ['an unsupported response type', webApp({ response_types: ['id_token'] }), /'id_token' is not supported/],
      [
        'a response type named like an object property',
        webApp({ grant_types: ['authorization_code'], response_types: ['code', 'constructor'] }),
        /'constructor' is not supported/
      ],
      [
        'an unsupported auth method',
        machine({ token_endpoint_auth_method: 'client_secret_jwt' }),
        /token_endpoint_auth_method/
      ],
      [
        'private_key_jwt without keys',
        machine({ token_endpoint_auth_method: 'private_key_jwt' }),
        /needs jwks or jwks_uri/
      ],
      ['both jwks and jwks_uri', machine({ jwks: { keys: [] }, jwks_uri: 'https://client.example.com/jwks' }), /both/],
      ['a jwks_uri over plain http', machine({ jwks_uri: 'http://client.example.com/jwks' }), /jwks_uri must be https/],
      [
        // Found by the fuzz test: EG's app model refused it after our checks, as a 500.
        'a jwks_uri holding a character a URI is not written in',
        machine({ jwks_uri: 'https://client.example.com/cb\u2029__proto__' }),
        /jwks_uri holds a character a URI is not written in/
      ],
      [
        'an unusable jwks',
        machine({ jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }),
        /jwks: keys\[0\] must be a public key/
      ],
      [
        'a public client asking for client_credentials',
        machine({ token_endpoint_auth_method: 'none' }),
        /public client.*client_credentials/
      ],
      ['a scope it may not register', machine({ scope: 'read admin' }), /'admin' may not be registered/],
      ['a malformed scope', machine({ scope: 'read  write' }), /scope is malformed/],
      ['a logo that is not a web page', machine({ logo_uri: 'javascript:alert(1)' }), /logo_uri/],
      ['redirect_uris as a string', { redirect_uris: 'https://client.example.com/cb' }, /redirect_uris must be array/],
      ['grant_types as a string', { grant_types: 'client_credentials' }, /grant_types must be array/],
      ['client_name as a number', machine({ client_name: 5 }), /client_name must be string/],
      ['contacts holding a number', machine({ contacts: [1] }), /contacts\[0\] must be string/],
      ['jwks as a string', machine({ jwks: '{"keys":[]}' }), /jwks must be object/]
    ];
    for (const [what, metadata, description] of metadataCases) {
      it(`answers invalid_client_metadata for ${what}`, async function () {
        expectOAuthError(await register(metadata), 400, 'invalid_client_metadata', description);
      });
    }
  });

  describe('admin-issued initial access tokens', function () {
    it('issues a single-use token for an owner: it registers once, then is refused', async function () {
      const issued = await admin('POST', '', { owner: world.user.username });
      expect(issued.status, issued.text).to.equal(201);
      expect(issued.json).to.include({ owner: world.user.id, uses: 1 });
      expect(issued.json.expires_at).to.be.closeTo(now() + 86400, 5);
      const token = issued.json.initial_access_token;
      expectOAuthError(
        await register({ grant_types: 'client_credentials' }, token),
        400,
        'invalid_client_metadata',
        /grant_types/
      );
      const first = await register(machine(), token);
      expect(first.status, 'a refused registration spent no use: ' + first.text).to.equal(201);
      expect(await ownerOf(first.json.client_id)).to.equal(world.user.id);
      const second = await register(machine(), token);
      expectOAuthError(second, 401, 'invalid_token', /invalid|used up/);
      expect(second.headers.get('www-authenticate')).to.match(/^Bearer /);
    });

    it('gives as many registrations as uses, and a withdrawn token gives none', async function () {
      const token = (await admin('POST', '', { owner: world.user.id, uses: 2, ttl: 600 })).json;
      expect((await register(machine(), token.initial_access_token)).status).to.equal(201);
      expect((await admin('DELETE', `/${token.id}`)).status).to.equal(204);
      expectOAuthError(await register(machine(), token.initial_access_token), 401, 'invalid_token', /invalid/);
      expect((await admin('DELETE', `/${token.id}`)).status).to.equal(404);
    });

    it('answers 401 invalid_token, not a 500, for a token whose owner was deleted after it was issued', async function () {
      const owner = await world.gateway.admin.createUser({
        username: `leaving-${Date.now()}`,
        firstname: 'Leaving',
        lastname: 'Soon'
      });
      const token = (await admin('POST', '', { owner: owner.id })).json.initial_access_token;
      expect((await request(`${world.gateway.adminUrl}/users/${owner.id}`, { method: 'DELETE' })).status).to.equal(204);
      expectOAuthError(await register(machine(), token), 401, 'invalid_token', /owner no longer exists/);
    });

    it('refuses an unknown owner or a bad body with 400 naming the field', async function () {
      expectOAuthError(await admin('POST', '', { owner: 'nobody-at-all' }), 400, 'invalid_request', /owner/);
      expectOAuthError(await admin('POST', '', {}), 400, 'invalid_request', /owner/);
      expectOAuthError(await admin('POST', '', { owner: world.user.id, uses: 0 }), 400, 'invalid_request', /uses/);
      expectOAuthError(await admin('POST', '', { owner: world.user.id, extra: true }), 400, 'invalid_request', /extra/);
      expectOAuthError(
        await admin('POST', '', '['.repeat(20000) + ']'.repeat(20000)),
        400,
        'invalid_request',
        /nested more than 32 levels/
      );
    });
  });

  describe('client management (RFC 7592)', function () {
    let client: Reply['json'];
    let clientUrl: string;
    let accessToken: string;
    before(async function () {
      client = (await register(machine({ client_name: 'Managed', contacts: ['a@example.com'] }))).json;
      clientUrl = client.registration_client_uri;
      accessToken = (
        await tokenRequest(
          { grant_type: 'client_credentials' },
          { Authorization: basic(client.client_id, client.client_secret) }
        )
      ).json.access_token;
    });
    const update = (changes: Record<string, unknown>) => ({
      client_id: client.client_id,
      grant_types: ['client_credentials'],
      scope: 'read',
      client_name: 'Managed',
      ...changes
    });

    it('reads the registration with its registration access token, without the secret', async function () {
      const res = await send('GET', clientUrl, undefined, client.registration_access_token);
      expect(res.status, res.text).to.equal(200);
      expect(res.headers.get('cache-control')).to.equal('no-store');
      const { client_secret: _secret, ...registered } = client;
      expect(res.json).to.deep.equal(registered);
    });

    it("answers 401 invalid_token for a wrong token, another client's token and an unknown client alike", async function () {
      const other = (await register(machine())).json;
      const cases = [
        await send('GET', clientUrl, undefined, 'wrong-token'),
        await send('GET', clientUrl, undefined, other.registration_access_token),
        await send('GET', `${registerUrl}/no-such-client`, undefined, client.registration_access_token),
        await send('DELETE', clientUrl, undefined, scopeToken)
      ];
      for (const res of cases) {
        expectOAuthError(res, 401, 'invalid_token', /registration access token/);
        expect(res.headers.get('www-authenticate')).to.match(/error="invalid_token"/);
      }
      expect((await send('GET', clientUrl, undefined)).status).to.equal(401);
    });

    it('answers 400 invalid_request, not a 500, for a client id in the path that does not percent-decode', async function () {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        expectOAuthError(
          await send(
            method,
            `${clientUrl}%`,
            method === 'PUT' ? update({}) : undefined,
            client.registration_access_token
          ),
          400,
          'invalid_request',
          /malformed/
        );
      }
    });

    it('replaces the metadata with PUT, keeping the secret', async function () {
      const res = await send(
        'PUT',
        clientUrl,
        update({
          client_name: 'Managed v2',
          scope: 'read write',
          contacts: undefined,
          client_uri: 'https://client.example.com'
        }),
        client.registration_access_token
      );
      expect(res.status, res.text).to.equal(200);
      expect(res.json).to.include({
        client_name: 'Managed v2',
        client_uri: 'https://client.example.com',
        client_id_issued_at: client.client_id_issued_at
      });
      expect(res.json.scope.split(' '), 'scope order carries no meaning (RFC 6749 §3.3)').to.have.members([
        'read',
        'write'
      ]);
      expect(res.json, 'a field left out is removed').not.to.have.property('contacts');
      expect(res.json).not.to.have.property('client_secret');
      const token = await tokenRequest(
        { grant_type: 'client_credentials', scope: 'write' },
        { Authorization: basic(client.client_id, client.client_secret) }
      );
      expect(token.status, token.text).to.equal(200);
      expect((await send('GET', clientUrl, undefined, client.registration_access_token)).json.client_name).to.equal(
        'Managed v2'
      );
    });

    it('echoes the secret a PUT proves, and refuses a PUT that sends another secret, another client_id or server fields', async function () {
      const proven = await send(
        'PUT',
        clientUrl,
        update({ client_secret: client.client_secret }),
        client.registration_access_token
      );
      expect(proven.status, proven.text).to.equal(200);
      expect(proven.json.client_secret).to.equal(client.client_secret);
      const refused: Array<[Record<string, unknown>, RegExp]> = [
        [update({ client_secret: 'chosen-by-the-client' }), /client_secret/],
        [update({ client_id: 'someone-else' }), /client_id/],
        [update({ client_id: undefined }), /client_id/],
        [update({ registration_access_token: client.registration_access_token }), /registration_access_token/],
        [update({ client_id_issued_at: 1 }), /client_id_issued_at/],
        [update({ redirect_uris: ['http://client.example.com/cb'], grant_types: ['authorization_code'] }), /https/]
      ];
      for (const [body, description] of refused) {
        const res = await send('PUT', clientUrl, body, client.registration_access_token);
        expect(res.status, res.text).to.equal(400);
        expect(res.json.error_description).to.match(description);
      }
    });

    it('gives a new secret to a public client that becomes confidential', async function () {
      const pub = (await register(webApp({ token_endpoint_auth_method: 'none' }))).json;
      const res = await send(
        'PUT',
        pub.registration_client_uri,
        { client_id: pub.client_id, redirect_uris: [REDIRECT_URI] },
        pub.registration_access_token
      );
      expect(res.status, res.text).to.equal(200);
      expect(res.json.token_endpoint_auth_method).to.equal('client_secret_basic');
      expect(res.json.client_secret).to.be.a('string');
      const exchange = await tokenRequest(
        { grant_type: 'authorization_code', code: 'no-such-code', redirect_uri: REDIRECT_URI },
        { Authorization: basic(pub.client_id, res.json.client_secret) }
      );
      expectOAuthError(exchange, 400, 'invalid_grant', /./); // authenticated, then refused for the code
    });

    it('deletes the client, its credential, its tokens and its registration access token', async function () {
      expect((await send('DELETE', clientUrl, undefined, client.registration_access_token)).status).to.equal(204);
      expectOAuthError(
        await send('GET', clientUrl, undefined, client.registration_access_token),
        401,
        'invalid_token',
        /registration access token/
      );
      expectOAuthError(
        await tokenRequest(
          { grant_type: 'client_credentials' },
          { Authorization: basic(client.client_id, client.client_secret) }
        ),
        401,
        'invalid_client',
        /failed/
      );
      const info = await request(`${world.gateway.url}/oauth2/tokeninfo`, {
        headers: { Authorization: `Bearer ${accessToken}` }
      });
      expect(info.status).to.equal(401);
      expect((await request(`${world.gateway.adminUrl}/apps/${client.client_id}`)).status).to.equal(404);
    });

    it('answers DELETEs of one client sent at once with one 204 and 401s, never a 500', async function () {
      const made = (await register(machine())).json;
      const answers = await Promise.all(
        Array.from({ length: 4 }, () =>
          send('DELETE', made.registration_client_uri, undefined, made.registration_access_token)
        )
      );
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses[0], JSON.stringify(answers.map((answer) => answer.text))).to.equal(204);
      for (const answer of answers.filter((one) => one.status !== 204)) {
        expectOAuthError(answer, 401, 'invalid_token', /registration access token/);
      }
    });
  });

  describe('the registered token endpoint auth method is enforced', function () {
    it('holds a client_secret_post client to the body and a client_secret_basic client to the header', async function () {
      const post = (await register(machine({ token_endpoint_auth_method: 'client_secret_post' }))).json;
      const refused = await tokenRequest(
        { grant_type: 'client_credentials' },
        { Authorization: basic(post.client_id, post.client_secret) }
      );
      expectOAuthError(
        refused,
        401,
        'invalid_client',
        /registered to authenticate with client_secret_post, not client_secret_basic/
      );
      expect(refused.headers.get('www-authenticate')).to.match(/^Basic /);
      expect(
        (
          await tokenRequest({
            grant_type: 'client_credentials',
            client_id: post.client_id,
            client_secret: post.client_secret
          })
        ).status
      ).to.equal(200);
      const basicClient = (await register(machine())).json;
      expectOAuthError(
        await tokenRequest({
          grant_type: 'client_credentials',
          client_id: basicClient.client_id,
          client_secret: basicClient.client_secret
        }),
        401,
        'invalid_client',
        /registered to authenticate with client_secret_basic, not client_secret_post/
      );
    });

    it('lets a private_key_jwt client in with its key, and never with a secret', async function () {
      const key = ecKeyPair();
      const jwks = { keys: [{ ...key.publicKey.export({ format: 'jwk' }), kid: 'k1' }] };
      const signer = (await register(machine({ token_endpoint_auth_method: 'private_key_jwt', jwks }))).json;
      expect(signer).not.to.have.any.keys('client_secret', 'client_secret_expires_at');
      expect(signer.jwks).to.deep.equal(jwks);
      const assertion = await signJwt(
        key.privateKey,
        { alg: 'ES256' },
        {
          iss: signer.client_id,
          sub: signer.client_id,
          aud: `${world.gateway.url}/oauth2/token`,
          jti: `j-${Math.random()}`,
          exp: now() + 60
        }
      );
      const res = await tokenRequest({
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: assertion
      });
      expect(res.status, res.text).to.equal(200);
      // An operator-made app with the property and a secret: the secret must not work.
      const app = await world.gateway.admin.registerClient(
        {
          name: 'jwt-only',
          userId: world.user.id,
          tokenEndpointAuthMethod: 'private_key_jwt',
          jwks: JSON.stringify(jwks)
        },
        ['read']
      );
      expectOAuthError(
        await tokenRequest({ grant_type: 'client_credentials' }, { Authorization: basic(app.id, app.secret) }),
        401,
        'invalid_client',
        /registered to authenticate with private_key_jwt/
      );
    });

    it('leaves apps without the property free to use any method', async function () {
      expect(
        (
          await tokenRequest({
            grant_type: 'client_credentials',
            client_id: world.app.id,
            client_secret: world.app.secret
          })
        ).status
      ).to.equal(200);
      expect(
        (
          await tokenRequest(
            { grant_type: 'client_credentials' },
            { Authorization: basic(world.app.id, world.app.secret) }
          )
        ).status
      ).to.equal(200);
    });
  });
});

describe('dynamic client registration when disabled (the default)', function () {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  before(async function () {
    gateway = await startGateway();
  });
  after(async function () {
    await gateway?.stop();
  });

  it('serves no registration endpoint, lists none, and has no admin routes for it', async function () {
    const res = await request(`${gateway.url}/oauth2/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}'
    });
    expect(res.status).to.equal(404);
    const metadata = await request(`${gateway.url}/.well-known/oauth-authorization-server`);
    expect(metadata.json).not.to.have.property('registration_endpoint');
    const admin = await request(`${gateway.adminUrl}/oauth2/registration-tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"owner":"x"}'
    });
    expect(admin.status).to.equal(404);
  });
});

/** Issue 15, item 23: an access token used as initial access token is not spent, so its owner has a quota. */
describe('dynamic client registration: the quota of registrations made with an access token', function () {
  let world: World;
  before(async function () {
    world = await startWorld({
      settings: { dynamicRegistration: { enabled: true, allowedScopes: ['read'], maxClientsPerOwner: 2 } }
    });
    await world.gateway.admin.createScopes(['client_registration']);
  });
  after(async function () {
    await world?.stop();
  });

  it('refuses 403 access_denied past dynamicRegistration.maxClientsPerOwner, concurrent registrations included, and counts again once one is deleted', async function () {
    const registrar = await world.gateway.admin.registerClient({ name: 'registrar', userId: world.developer.id }, [
      'client_registration'
    ]);
    const token = (await world.token({ grant_type: 'client_credentials', scope: 'client_registration' }, registrar))
      .json.access_token;
    const register = (name: string) =>
      request(`${world.gateway.url}/oauth2/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ client_name: name, grant_types: ['client_credentials'] })
      });
    const answers = await Promise.all(['one', 'two', 'three', 'four'].map(register));
    expect(answers.map((res) => res.status).sort()).to.deep.equal([201, 201, 403, 403]);
    const refused = answers.find((res) => res.status === 403)!;
    expect(refused.json.error).to.equal('access_denied');
    expect(refused.json.error_description).to.match(/the most allowed/);
    const made = answers.find((res) => res.status === 201)!.json;
    const removed = await request(made.registration_client_uri, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${made.registration_access_token}` }
    });
    expect(removed.status).to.equal(204);
    expect((await register('five')).status).to.equal(201);
  });
});

import { expect } from 'chai';
import * as oauth from 'oauth4webapi';
import { Browser } from '../../support/browser';
import { basic, postForm, request } from '../../support/http';
import { authorize, decide, REDIRECT_URI } from '../helpers/flow';
import { startWorld, World } from '../helpers/world';
import { ecKeyPair } from '../helpers/keys';
import { codeRequest } from '../helpers/code-request';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

const insecure = { [oauth.allowInsecureRequests]: true };

/** What a protected resource answered oauth4webapi: its status and challenge (oauth4webapi throws on a challenge). */
async function callApi(world: World, token: string, DPoP?: oauth.DPoPHandle, path = '/api') {
  try {
    const res = await oauth.protectedResourceRequest(
      token,
      'GET',
      new URL(`${world.gateway.url}${path}`),
      undefined,
      undefined,
      {
        ...insecure,
        ...(DPoP ? { DPoP } : {})
      }
    );
    return { status: res.status, challenge: res.headers.get('www-authenticate') ?? '' };
  } catch (err) {
    if (err instanceof oauth.WWWAuthenticateChallengeError)
      return { status: err.response.status, challenge: err.response.headers.get('www-authenticate') ?? '' };
    throw err;
  }
}

/** A client_credentials token of the world's app, asked for with a DPoP proof of `DPoP`'s key. */
async function boundClientToken(world: World, DPoP: oauth.DPoPHandle) {
  const as = { issuer: world.gateway.url, token_endpoint: `${world.gateway.url}/oauth2/token` };
  const client = { client_id: world.app.id };
  const auth = oauth.ClientSecretBasic(world.app.secret);
  const response = await oauth.clientCredentialsGrantRequest(
    as,
    client,
    auth,
    { scope: 'read' },
    { DPoP, ...insecure }
  );
  return oauth.processClientCredentialsResponse(as, client, response);
}

/**
 * RFC 9449 (issue 22 item 1): a token request with a DPoP proof gets tokens bound to the proof's key, which the
 * pipelines take only with a proof of that key; oauth4webapi (a DPoP client nobody here wrote) makes the proofs.
 */
describe('DPoP: sender-constrained tokens (RFC 9449)', function () {
  this.timeout(60000);
  let world: World;
  let as: oauth.AuthorizationServer;
  let publicClient: { id: string };

  before(async function () {
    world = await startWorld({
      settings: {
        consent: { remember: false },
        grants: ['authorization_code', 'implicit', 'client_credentials', 'refresh_token', TOKEN_EXCHANGE],
        dynamicRegistration: { enabled: true, allowedScopes: ['read'] }
      }
    });
    await world.gateway.admin.updateApp(world.app.id, { tokenExchangeAudiences: 'https://upstream.example' });
    as = {
      issuer: world.gateway.url,
      authorization_endpoint: `${world.gateway.url}/oauth2/authorize`,
      token_endpoint: `${world.gateway.url}/oauth2/token`
    };
    publicClient = await world.gateway.admin.registerClient(
      { name: 'spa', userId: world.developer.id, redirectUri: REDIRECT_URI, public: 'true' },
      ['read']
    );
  });
  after(async function () {
    await world?.stop();
  });

  /** The public client's code flow up to its code; `extra` goes into the authorization request. */
  async function publicClientCode(extra: Record<string, string> = {}) {
    const client = { client_id: publicClient.id };
    const { params, verifier, state } = await codeRequest({ client_id: publicClient.id, ...extra });
    const browser = new Browser(world.gateway.url);
    const consent = await authorize(browser, world, params);
    const callback = oauth.validateAuthResponse(as, client, await decide(browser, consent, true), state);
    /** Exchanges the code, with a DPoP proof of `DPoP`'s key when given. */
    const exchange = (DPoP?: oauth.DPoPHandle) =>
      oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callback, REDIRECT_URI, verifier, {
        ...(DPoP ? { DPoP } : {}),
        ...insecure
      });
    return { client, exchange };
  }

  /** The code flow of the public client, its code exchanged with a DPoP proof of `key`. */
  async function publicClientTokens(DPoP: oauth.DPoPHandle) {
    const { client, exchange } = await publicClientCode();
    return oauth.processAuthorizationCodeResponse(as, client, await exchange(DPoP));
  }

  it('says which proof algorithms it takes in the metadata (§5.1)', async function () {
    const metadata = await request(`${world.gateway.url}/.well-known/oauth-authorization-server`);
    expect(metadata.json.dpop_signing_alg_values_supported).to.include.members(['ES256', 'PS256', 'EdDSA']);
  });

  it('binds the tokens of a code exchanged with a proof, which the API takes only with a proof of that key', async function () {
    const DPoP = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const tokens = await publicClientTokens(DPoP);
    expect(tokens.token_type).to.equal('dpop');

    const first = await callApi(world, tokens.access_token, DPoP);
    expect(first.status, first.challenge).to.equal(200);
    // A new proof each time: oauth4webapi makes one per request.
    expect((await callApi(world, tokens.access_token, DPoP)).status).to.equal(200);

    const asBearer = await callApi(world, tokens.access_token);
    expect(asBearer.status).to.equal(401);
    expect(asBearer.challenge).to.match(/^DPoP .*error="invalid_token".*algs="ES256/);

    const otherKey = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    expect((await callApi(world, tokens.access_token, otherKey)).status).to.equal(401);

    const introspection = await postForm(
      `${world.gateway.url}/oauth2/introspect`,
      { token: tokens.access_token },
      { Authorization: basic(...(await introspector(world))) }
    );
    expect(introspection.json).to.include({ active: true, token_type: 'DPoP' });
    expect(introspection.json.cnf.jkt).to.equal(await DPoP.calculateThumbprint());

    // The server's own resources hold it to its key as the pipelines do.
    expect((await callApi(world, tokens.access_token, DPoP, '/oauth2/tokeninfo')).status).to.equal(200);
    expect((await callApi(world, tokens.access_token, undefined, '/oauth2/tokeninfo')).status).to.equal(401);
  });

  it('names both schemes to a request without a token, and answers one that used the DPoP scheme with a DPoP challenge (§7.1)', async function () {
    const bare = await request(`${world.gateway.url}/api`);
    expect(bare.status).to.equal(401);
    const challenges = bare.headers.get('www-authenticate')!;
    expect(challenges).to.match(/^Bearer realm="[^"]*"/);
    expect(challenges).to.match(/, DPoP realm="[^"]*", algs="ES256 PS256 RS256 EdDSA"$/);
    const unknown = await request(`${world.gateway.url}/api`, { headers: { Authorization: 'DPoP no-such-token' } });
    expect(unknown.status).to.equal(401);
    expect(unknown.headers.get('www-authenticate')).to.match(/^DPoP .*error="invalid_token".*algs=/);
  });

  it('refuses a proof used twice at the API (§11.1)', async function () {
    const DPoP = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const tokens = await publicClientTokens(DPoP);
    let proof = '';
    await oauth.protectedResourceRequest(
      tokens.access_token,
      'GET',
      new URL(`${world.gateway.url}/api`),
      undefined,
      undefined,
      {
        DPoP,
        ...insecure,
        [oauth.customFetch]: (url: string, init: RequestInit) => {
          proof = new Headers(init.headers).get('dpop')!;
          return fetch(url, init);
        }
      }
    );
    const replayed = await request(`${world.gateway.url}/api`, {
      headers: { Authorization: `DPoP ${tokens.access_token}`, DPoP: proof }
    });
    expect(replayed.status).to.equal(401);
    expect(replayed.headers.get('www-authenticate')).to.match(/error="invalid_dpop_proof"/);
  });

  it('holds a public client’s refresh token to its key, and refreshes into tokens bound again', async function () {
    const client = { client_id: publicClient.id };
    const DPoP = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const tokens = await publicClientTokens(DPoP);
    const otherKey = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const stolen = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, {
      DPoP: otherKey,
      ...insecure
    });
    expect(stolen.status).to.equal(400);
    expect(((await stolen.json()) as { error: string }).error).to.equal('invalid_grant');
    const withoutProof = await postForm(`${world.gateway.url}/oauth2/token`, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
      client_id: publicClient.id
    });
    expect(withoutProof.status).to.equal(400);

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, { DPoP, ...insecure })
    );
    expect(refreshed.token_type).to.equal('dpop');
    expect((await callApi(world, refreshed.access_token, DPoP)).status).to.equal(200);
  });

  it('answers invalid_dpop_proof to a token request with a bad proof, and bearer tokens stay as they were', async function () {
    const bad = await postForm(
      `${world.gateway.url}/oauth2/token`,
      { grant_type: 'client_credentials', scope: 'read' },
      { Authorization: basic(world.app.id, world.app.secret), DPoP: 'not.a.proof' }
    );
    expect(bad.status).to.equal(400);
    expect(bad.json.error).to.equal('invalid_dpop_proof');

    const bearer = await world.token({ grant_type: 'client_credentials', scope: 'read' });
    expect(bearer.json.token_type).to.equal('Bearer');
    expect((await world.api(bearer.json.access_token)).status).to.equal(200);
    const unbound = await request(`${world.gateway.url}/api`, {
      headers: { Authorization: `DPoP ${bearer.json.access_token}` }
    });
    expect(unbound.status).to.equal(401);
  });

  it('binds a confidential client’s client_credentials token, and gives an app marked dpopBoundAccessTokens no other', async function () {
    const DPoP = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const tokens = await boundClientToken(world, DPoP);
    expect(tokens.token_type).to.equal('dpop');
    expect((await callApi(world, tokens.access_token, DPoP)).status).to.equal(200);

    const strict = await world.gateway.admin.registerClient(
      { name: 'dpop only', userId: world.developer.id, dpopBoundAccessTokens: 'true' },
      ['read']
    );
    const refused = await world.token({ grant_type: 'client_credentials', scope: 'read' }, strict);
    expect(refused.status).to.equal(400);
    expect(refused.json.error).to.equal('invalid_dpop_proof');

    // Nor from the authorization endpoint, where no proof can come (implicit).
    await world.gateway.admin.updateApp(strict.id, { redirectUri: REDIRECT_URI });
    const implicit = await authorize(new Browser(world.gateway.url), world, {
      response_type: 'token',
      client_id: strict.id,
      redirect_uri: REDIRECT_URI,
      scope: 'read',
      state: 's'
    });
    expect(implicit.status).to.equal(302);
    expect(implicit.headers.get('location')).to.contain('error=unauthorized_client');
  });

  it('binds the code to the key dpop_jkt names: exchanged with no other key, nor without a proof, and not spent by them (§10)', async function () {
    const DPoP = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const { client, exchange } = await publicClientCode({ dpop_jkt: await DPoP.calculateThumbprint() });
    for (const attempt of [oauth.DPoP({}, await oauth.generateKeyPair('ES256')), undefined]) {
      const refused = await exchange(attempt);
      expect(refused.status).to.equal(400);
      expect(((await refused.json()) as { error: string }).error).to.equal('invalid_dpop_proof');
    }
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, await exchange(DPoP));
    expect(tokens.token_type).to.equal('dpop');
    expect((await callApi(world, tokens.access_token, DPoP)).status).to.equal(200);
  });

  it('refuses a malformed dpop_jkt, and one with a response type that returns an unbound token (§10)', async function () {
    const answer = async (params: Record<string, string>) => {
      const reply = await authorize(new Browser(world.gateway.url), world, {
        client_id: world.app.id,
        redirect_uri: REDIRECT_URI,
        scope: 'read',
        state: 's',
        ...params
      });
      const location = new URL(reply.headers.get('location') ?? 'http://none/');
      return new URLSearchParams(location.hash.slice(1) || location.search);
    };
    const thumbprint = await oauth.DPoP({}, await oauth.generateKeyPair('ES256')).calculateThumbprint();
    const challenge = await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier());
    const malformed = await answer({
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      dpop_jkt: 'not a thumbprint'
    });
    expect(malformed.get('error')).to.equal('invalid_request');
    expect(malformed.get('error_description')).to.match(/dpop_jkt/);
    const implicit = await answer({ response_type: 'token', dpop_jkt: thumbprint });
    expect(implicit.get('error')).to.equal('invalid_request');
    expect(implicit.get('access_token')).to.equal(null);
  });

  it('registers dpop_bound_access_tokens over RFC 7591: the client gets bound tokens only, and says so when read (§5.2)', async function () {
    const register = async (metadata: object) => {
      const initial = await request(`${world.gateway.adminUrl}/oauth2/registration-tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ owner: world.user.username })
      });
      return request(`${world.gateway.url}/oauth2/register`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${initial.json.initial_access_token}`
        },
        body: JSON.stringify(metadata)
      });
    };
    const registered = await register({
      grant_types: ['client_credentials'],
      scope: 'read',
      dpop_bound_access_tokens: true
    });
    expect(registered.status, registered.text).to.equal(201);
    expect(registered.json.dpop_bound_access_tokens).to.equal(true);
    const credentials = { id: registered.json.client_id, secret: registered.json.client_secret };
    const bearer = await world.token({ grant_type: 'client_credentials', scope: 'read' }, credentials);
    expect(bearer.status).to.equal(400);
    expect(bearer.json.error).to.equal('invalid_dpop_proof');
    const DPoP = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const client = { client_id: credentials.id };
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(
        as,
        client,
        oauth.ClientSecretBasic(credentials.secret),
        { scope: 'read' },
        { DPoP, ...insecure }
      )
    );
    expect(tokens.token_type).to.equal('dpop');

    // RFC 7592 §2.2: an update that leaves it out takes it away.
    const updated = await request(registered.json.registration_client_uri, {
      method: 'PUT',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${registered.json.registration_access_token}`
      },
      body: JSON.stringify({
        client_id: credentials.id,
        client_secret: credentials.secret,
        grant_types: ['client_credentials'],
        scope: 'read'
      })
    });
    expect(updated.status, updated.text).to.equal(200);
    expect(updated.json.dpop_bound_access_tokens).to.equal(undefined);
    const nowBearer = await world.token({ grant_type: 'client_credentials', scope: 'read' }, credentials);
    expect(nowBearer.json.token_type).to.equal('Bearer');

    const malformed = await register({ grant_types: ['client_credentials'], dpop_bound_access_tokens: 'yes' });
    expect(malformed.status).to.equal(400);
    expect(malformed.json.error_description).to.match(/dpop_bound_access_tokens/);
  });

  it('exchanges a DPoP-bound token only with a proof of its key, and takes no DPoP scheme where it checks no proof', async function () {
    const DPoP = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const tokens = await publicClientTokens(DPoP);
    const exchanged = await world.token({
      grant_type: TOKEN_EXCHANGE,
      subject_token: tokens.access_token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      audience: 'https://upstream.example'
    });
    expect(exchanged.status, exchanged.text).to.equal(400);
    expect(exchanged.json.error_description).to.match(/bound to a DPoP key/);

    const registration = await request(`${world.gateway.url}/oauth2/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `DPoP ${tokens.access_token}` },
      body: JSON.stringify({ redirect_uris: [REDIRECT_URI] })
    });
    expect(registration.status).to.equal(401);
  });
});

describe('DPoP: server nonces required (dpop.requireNonce, RFC 9449 §8, §9)', function () {
  this.timeout(60000);
  let world: World;
  before(async function () {
    world = await startWorld({ settings: { dpop: { requireNonce: true } } });
  });
  after(async function () {
    await world?.stop();
  });

  it('answers a proof without the nonce use_dpop_nonce with one, and takes the retry at the token endpoint and the API', async function () {
    const DPoP = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const bare = await postForm(
      `${world.gateway.url}/oauth2/token`,
      { grant_type: 'client_credentials', scope: 'read' },
      {
        Authorization: basic(world.app.id, world.app.secret),
        DPoP: await (async () => {
          let proof = '';
          await oauth.clientCredentialsGrantRequest(
            { issuer: world.gateway.url, token_endpoint: `${world.gateway.url}/oauth2/token` },
            { client_id: world.app.id },
            oauth.ClientSecretBasic(world.app.secret),
            { scope: 'read' },
            {
              DPoP: oauth.DPoP({}, await oauth.generateKeyPair('ES256')),
              ...insecure,
              [oauth.customFetch]: async (_url: string, init: RequestInit) => {
                proof = new Headers(init.headers).get('dpop')!;
                return new Response('{}', { status: 400, headers: { 'Content-Type': 'application/json' } });
              }
            }
          );
          return proof;
        })()
      }
    );
    expect(bare.status).to.equal(400);
    expect(bare.json.error).to.equal('use_dpop_nonce');
    expect(bare.headers.get('dpop-nonce')).to.match(/^\d+\.[\w-]{22}$/);

    // oauth4webapi keeps the nonce each answer gives and retries as RFC 9449 §8 says.
    const first = await boundClientToken(world, DPoP).catch((err: unknown) => err);
    expect(oauth.isDPoPNonceError(first), String(first)).to.equal(true);
    const tokens = await boundClientToken(world, DPoP);
    expect(tokens.token_type).to.equal('dpop');
    expect((await callApi(world, tokens.access_token, DPoP)).status).to.equal(200);

    const freshKey = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const withoutNonce = await callApi(world, tokens.access_token, freshKey);
    expect(withoutNonce.status).to.equal(401);
    expect(withoutNonce.challenge).to.match(/^DPoP .*error="use_dpop_nonce"/);
  });
});

describe('DPoP: JWT access tokens carry cnf.jkt (RFC 9449 §6.1)', function () {
  this.timeout(60000);
  let world: World;
  before(async function () {
    world = await startWorld({
      settings: { accessToken: { format: 'jwt' }, keys: [{ kid: 'at', alg: 'ES256', key: ecKeyPair().privatePem }] }
    });
  });
  after(async function () {
    await world?.stop();
  });

  it('binds a JWT to the proof key, which the API then asks for', async function () {
    const DPoP = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const tokens = await boundClientToken(world, DPoP);
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
    expect(claims.cnf).to.deep.equal({ jkt: await DPoP.calculateThumbprint() });
    expect((await callApi(world, tokens.access_token, DPoP)).status).to.equal(200);
    expect((await callApi(world, tokens.access_token)).status).to.equal(401);
  });
});

/** A client allowed to introspect (the introspection scope), made once per world. */
const introspectors = new WeakMap<World, Promise<[string, string]>>();
function introspector(world: World): Promise<[string, string]> {
  if (!introspectors.has(world))
    introspectors.set(
      world,
      world.addClient('resource server', ['introspection']).then((client) => [client.id, client.secret])
    );
  return introspectors.get(world)!;
}

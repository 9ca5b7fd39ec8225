import { expect } from 'chai';
import { webcrypto } from 'crypto';
import * as oauth from 'oauth4webapi';
import { Browser } from '../../support/browser';
import { postForm, request } from '../../support/http';
import { authorize, decide, REDIRECT_URI } from '../helpers/flow';
import { codeRequest } from '../helpers/code-request';
import { ecKeyPair, now, signJwt } from '../helpers/keys';
import { partnerPipelines, startWorld, World } from '../helpers/world';

const insecure = { [oauth.allowInsecureRequests]: true };
const PARTNER = 'https://partner.example';
const partnerKey = ecKeyPair();

/**
 * Issue 22 items 5 and 6: with `profile: fapi2`, oauth4webapi as a FAPI 2.0 client (private_key_jwt, PAR, DPoP,
 * PKCE) signs a user in through the browser flow, calls the API, refreshes with a new DPoP key; what the profile
 * forbids is refused, naming why.
 */
describe('FAPI 2.0 Security Profile (profile: fapi2)', function () {
  this.timeout(60000);
  let world: World;
  let as: oauth.AuthorizationServer;
  let keys: Awaited<ReturnType<typeof oauth.generateKeyPair>>;
  let fapiClient: { id: string };

  before(async function () {
    world = await startWorld({
      settings: {
        profile: 'fapi2',
        grants: ['authorization_code', 'client_credentials', 'refresh_token'],
        consent: { remember: false }
      },
      // Beside /api, a pipeline taking another issuer's JWTs: a bearer one of them must be refused there too.
      gateway: partnerPipelines(PARTNER, partnerKey.publicPem)
    });
    keys = await oauth.generateKeyPair('ES256');
    const jwk = { ...(await webcrypto.subtle.exportKey('jwk', keys.publicKey)), kid: 'fapi-1', alg: 'ES256' };
    fapiClient = await world.gateway.admin.registerClient(
      {
        name: 'fapi client',
        userId: world.user.id,
        redirectUri: REDIRECT_URI,
        jwks: JSON.stringify({ keys: [jwk] }),
        tokenEndpointAuthMethod: 'private_key_jwt'
      },
      ['read']
    );
    as = await oauth.processDiscoveryResponse(
      new URL(world.gateway.url),
      await oauth.discoveryRequest(new URL(world.gateway.url), { algorithm: 'oauth2', ...insecure })
    );
  });
  after(async function () {
    await world?.stop();
  });

  const client = () => ({ client_id: fapiClient.id });
  const auth = () => oauth.PrivateKeyJwt({ key: keys.privateKey, kid: 'fapi-1' });

  /** The FAPI 2.0 flow: PAR with a DPoP proof, the user's consent, the code exchanged with a proof of the same key. */
  async function signIn(DPoP: oauth.DPoPHandle) {
    const { params, verifier, state } = await codeRequest();
    const pushed = await oauth.processPushedAuthorizationResponse(
      as,
      client(),
      await oauth.pushedAuthorizationRequest(as, client(), auth(), params, { DPoP, ...insecure })
    );
    const browser = new Browser(world.gateway.url);
    const consent = await authorize(browser, world, { client_id: fapiClient.id, request_uri: pushed.request_uri });
    const callback = oauth.validateAuthResponse(as, client(), await decide(browser, consent, true), state);
    return oauth.processAuthorizationCodeResponse(
      as,
      client(),
      await oauth.authorizationCodeGrantRequest(as, client(), auth(), callback, REDIRECT_URI, verifier, {
        DPoP,
        ...insecure
      })
    );
  }

  async function callApi(token: string, DPoP?: oauth.DPoPHandle) {
    const response = await oauth
      .protectedResourceRequest(token, 'GET', new URL(`${world.gateway.url}/api`), undefined, undefined, {
        ...insecure,
        ...(DPoP ? { DPoP } : {})
      })
      .catch((err: oauth.WWWAuthenticateChallengeError) => err.response);
    return { status: response.status, challenge: response.headers.get('www-authenticate') ?? '' };
  }

  it('says what it takes in the metadata', async function () {
    expect(as).to.include({
      require_pushed_authorization_requests: true,
      authorization_response_iss_parameter_supported: true
    });
    expect(as.token_endpoint_auth_methods_supported).to.deep.equal(['private_key_jwt']);
    expect(as.token_endpoint_auth_signing_alg_values_supported).to.deep.equal(['PS256', 'ES256', 'EdDSA']);
    expect(as.dpop_signing_alg_values_supported).to.deep.equal(['PS256', 'ES256', 'EdDSA']);
    expect(as.code_challenge_methods_supported).to.deep.equal(['S256']);
    expect(as.response_types_supported).to.deep.equal(['code']);
    const resource = await request(`${world.gateway.url}/.well-known/oauth-protected-resource/api`);
    expect(resource.json).to.deep.include({
      dpop_signing_alg_values_supported: ['PS256', 'ES256', 'EdDSA'],
      dpop_bound_access_tokens_required: true
    });
    // A request without a token is offered the DPoP scheme alone.
    const bare = await request(`${world.gateway.url}/api`);
    expect(bare.status).to.equal(401);
    expect(bare.headers.get('www-authenticate')).to.match(
      /^DPoP realm="[^"]*", resource_metadata="[^"]+", algs="PS256 ES256 EdDSA"$/
    );
  });

  it('lets a FAPI 2.0 client sign a user in, call the API with its DPoP key, and refresh with a new key', async function () {
    const DPoP = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const tokens = await signIn(DPoP);
    expect(tokens.token_type).to.equal('dpop');
    expect(tokens.refresh_token).to.be.a('string');
    expect((await callApi(tokens.access_token, DPoP)).status).to.equal(200);

    // A confidential client's refresh token is bound to no key (RFC 9449 §5); it is not rotated (§5.3.2.1).
    const newKey = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    for (let refresh = 0; refresh < 2; refresh++) {
      const refreshed = await oauth.processRefreshTokenResponse(
        as,
        client(),
        await oauth.refreshTokenGrantRequest(as, client(), auth(), tokens.refresh_token!, { DPoP: newKey, ...insecure })
      );
      expect(refreshed.refresh_token ?? tokens.refresh_token).to.equal(tokens.refresh_token);
      expect((await callApi(refreshed.access_token, newKey)).status).to.equal(200);
      expect((await callApi(refreshed.access_token, DPoP)).status).to.equal(401);
    }
  });

  it('refuses a bearer client: no proof, a client secret, or an assertion naming another audience, each saying why', async function () {
    const withoutProof = await oauth.clientCredentialsGrantRequest(as, client(), auth(), { scope: 'read' }, insecure);
    expect(withoutProof.status).to.equal(400);
    expect(await withoutProof.json()).to.deep.include({ error: 'invalid_dpop_proof' });

    const secretClient = await world.token({ grant_type: 'client_credentials', scope: 'read' });
    expect(secretClient.status).to.equal(401);
    expect(secretClient.json.error_description).to.match(/private_key_jwt or mutual TLS only/);

    const assertion = await signJwt(
      keys.privateKey as unknown as Uint8Array,
      { alg: 'ES256', kid: 'fapi-1' },
      {
        iss: fapiClient.id,
        sub: fapiClient.id,
        aud: as.token_endpoint,
        jti: `j-${Math.random()}`,
        iat: now(),
        exp: now() + 60
      }
    );
    const tokenUrlAudience = await postForm(as.token_endpoint!, {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion
    });
    expect(tokenUrlAudience.status).to.equal(401);
    expect(tokenUrlAudience.json.error_description).to.match(/issuer identifier alone/);
    for (const aud of [[world.gateway.url, 'https://other.example'], `${world.gateway.url}/oauth2/par`]) {
      const other = await signJwt(
        keys.privateKey as unknown as Uint8Array,
        { alg: 'ES256', kid: 'fapi-1' },
        { iss: fapiClient.id, sub: fapiClient.id, aud, jti: `j-${Math.random()}`, iat: now(), exp: now() + 60 }
      );
      const refused = await postForm(`${world.gateway.url}/oauth2/par`, {
        response_type: 'code',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: other
      });
      expect(refused.status, JSON.stringify(aud)).to.equal(401);
      expect(refused.json.error, JSON.stringify(aud)).to.equal('invalid_client');
    }
  });

  it('refuses an authorization request that was not pushed, a push without its redirect_uri, and a request object without nbf', async function () {
    const { params } = await codeRequest({ client_id: fapiClient.id });
    const unpushed = await authorize(new Browser(world.gateway.url), world, params);
    expect(new URL(unpushed.headers.get('location')!).searchParams.get('error')).to.equal('invalid_request');

    const { params: withoutRedirect } = await codeRequest();
    delete withoutRedirect.redirect_uri;
    const pushed = await oauth.pushedAuthorizationRequest(as, client(), auth(), withoutRedirect, insecure);
    expect(pushed.status).to.equal(400);
    expect(((await pushed.json()) as { error_description: string }).error_description).to.match(/redirect_uri/);

    // FAPI 2.0 Message Signing §5.3.1: a request object without nbf is refused.
    const { params: signedParams } = await codeRequest();
    const withoutNbf = await signJwt(
      keys.privateKey as unknown as Uint8Array,
      { alg: 'ES256', kid: 'fapi-1' },
      { ...signedParams, iss: fapiClient.id, aud: world.gateway.url, client_id: fapiClient.id, exp: now() + 300 }
    );
    const signedPush = await oauth.pushedAuthorizationRequest(
      as,
      client(),
      auth(),
      new URLSearchParams({ request: withoutNbf }),
      insecure
    );
    expect(signedPush.status).to.equal(400);
    expect(await signedPush.json()).to.deep.include({ error: 'invalid_request_object' });
    const parAudience = await signJwt(
      keys.privateKey as unknown as Uint8Array,
      { alg: 'ES256', kid: 'fapi-1' },
      {
        ...signedParams,
        iss: fapiClient.id,
        aud: `${world.gateway.url}/oauth2/par`,
        client_id: fapiClient.id,
        nbf: now(),
        exp: now() + 300
      }
    );
    const parAudiencePush = await oauth.pushedAuthorizationRequest(
      as,
      client(),
      auth(),
      new URLSearchParams({ request: parAudience }),
      insecure
    );
    expect(await parAudiencePush.json()).to.deep.include({ error: 'invalid_request_object' });
  });

  it('refuses a bearer token at every pipeline, again and again, naming the FAPI algorithms in its challenge', async function () {
    const partnerToken = await signJwt(
      partnerKey.privateKey,
      { alg: 'ES256', typ: 'at+jwt' },
      { iss: PARTNER, aud: PARTNER, sub: 'someone', exp: now() + 300, iat: now() }
    );
    // The second call would meet the token in the validation cache: it is refused all the same.
    for (let call = 0; call < 2; call++) {
      const answer = await request(`${world.gateway.url}/partner`, {
        headers: { Authorization: `Bearer ${partnerToken}` }
      });
      expect(answer.status, `call ${call}`).to.equal(401);
      expect(answer.headers.get('www-authenticate'), `call ${call}`).to.match(/^DPoP .*Only DPoP-bound/);
      expect(answer.headers.get('www-authenticate'), `call ${call}`).to.contain('algs="PS256 ES256 EdDSA"');
    }
  });

  it('refuses a DPoP proof made more than 60 seconds ahead', async function () {
    const ahead = await signJwt(
      partnerKey.privateKey,
      { alg: 'ES256', typ: 'dpop+jwt', jwk: partnerKey.publicKey.export({ format: 'jwk' }) } as never,
      { jti: `j-${Math.random()}`, htm: 'POST', htu: as.token_endpoint, iat: now() + 90 }
    );
    const answer = await oauth.clientCredentialsGrantRequest(
      as,
      client(),
      auth(),
      { scope: 'read' },
      {
        ...insecure,
        headers: { DPoP: ahead }
      }
    );
    expect(answer.status).to.equal(400);
    expect(await answer.json()).to.deep.include({ error: 'invalid_dpop_proof' });
  });
});

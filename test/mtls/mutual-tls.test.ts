import { expect } from 'chai';
import * as oauth from 'oauth4webapi';
import { Browser } from '../../support/browser';
import { request } from '../../support/http';
import {
  clientCertHeader,
  issuedCertificate,
  selfSignedClientCertificate,
  testCa,
  TestCertificate,
  pemFile
} from '../helpers/client-certificates';
import { codeRequest } from '../helpers/code-request';
import { authorize, decide, REDIRECT_URI } from '../helpers/flow';
import { ecKeyPair, now, signJwt } from '../helpers/keys';
import { mtlsPost, mtlsRequest, requestFrom, startTlsTerminator, TlsTerminator } from '../helpers/tls-terminator';
import { partnerPipelines, startWorld, World } from '../helpers/world';

const ALIAS = 'https://mtls.example.com';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** The terminator connects from this loopback address, the one `mtls.trustedProxies` names; tests from 127.0.0.1. */
const TERMINATOR_ADDRESS = '127.0.0.2';
const PARTNER = 'https://partner.example';

/**
 * RFC 8705 (issue 22 item 2) behind a TLS terminator that passes the client's certificate in the RFC 9440
 * `Client-Cert` header: clients authenticate with their certificate (tls_client_auth against mtls.ca and the subject
 * they registered, self_signed_tls_client_auth against the keys they registered), and get access tokens bound to it,
 * which the pipelines take only from a client presenting that certificate.
 */
describe('Mutual TLS: certificate client authentication and bound tokens (RFC 8705)', function () {
  this.timeout(60000);
  let world: World;
  let terminator: TlsTerminator;
  const ca = testCa('Example Client CA');
  const otherCa = testCa('Another CA');
  const orders = issuedCertificate(ca, '/C=US/O=Example, Inc./CN=orders');
  const ordersByOtherCa = issuedCertificate(otherCa, '/C=US/O=Example, Inc./CN=orders');
  const billing = issuedCertificate(ca, '/C=US/O=Example, Inc./CN=billing');
  // Same name as the trusted CA, another key: only the signature tells them apart.
  const impostorCa = testCa('Example Client CA');
  const ordersByImpostor = issuedCertificate(impostorCa, '/C=US/O=Example, Inc./CN=orders');
  const ordersExpired = issuedCertificate(ca, '/C=US/O=Example, Inc./CN=orders', {
    validity: ['20250101000000Z', '20250102000000Z']
  });
  const ordersServerOnly = issuedCertificate(ca, '/C=US/O=Example, Inc./CN=orders', {
    extensions: ['extendedKeyUsage=serverAuth']
  });
  const nameless = issuedCertificate(ca, '/', { extensions: ['subjectAltName=URI:spiffe://example.org/orders'] });
  const partnerKey = ecKeyPair();
  const kiosk = selfSignedClientCertificate('kiosk');
  const otherKiosk = selfSignedClientCertificate('kiosk');
  let tlsClient: { id: string };
  let kioskClient: { id: string };
  let secretClient: { id: string; secret: string };
  let publicClient: { id: string };

  before(async function () {
    const caFile = pemFile(ca.cert);
    world = await startWorld({
      settings: {
        trustProxy: 1,
        consent: { remember: false },
        grants: ['authorization_code', 'implicit', 'client_credentials', 'refresh_token', TOKEN_EXCHANGE],
        mtls: {
          certificateHeader: 'Client-Cert',
          trustedProxies: [TERMINATOR_ADDRESS],
          ca: caFile,
          endpointOrigin: ALIAS
        }
      },
      gateway: partnerPipelines(PARTNER, partnerKey.publicPem)
    });
    terminator = await startTlsTerminator([world.gateway.url], { localAddress: TERMINATOR_ADDRESS });
    const owner = world.developer.id;
    tlsClient = await world.gateway.admin.registerClient(
      {
        name: 'orders service',
        userId: owner,
        tokenEndpointAuthMethod: 'tls_client_auth',
        // RFC 4514: the last RDN first, the comma of a value escaped; compared case-insensitively.
        tlsClientAuthSubjectDn: 'cn=Orders,O=Example\\, Inc.,C=US',
        tlsClientCertificateBoundAccessTokens: 'true'
      },
      ['read']
    );
    kioskClient = await world.gateway.admin.registerClient(
      {
        name: 'kiosk',
        userId: owner,
        tokenEndpointAuthMethod: 'self_signed_tls_client_auth',
        jwks: JSON.stringify({ keys: [kiosk.jwk] })
      },
      ['read']
    );
    secretClient = await world.gateway.admin.registerClient(
      {
        name: 'bound by secret',
        userId: owner,
        redirectUri: REDIRECT_URI,
        tlsClientCertificateBoundAccessTokens: 'true',
        tokenExchangeAudiences: 'https://upstream.example'
      },
      ['read']
    );
    publicClient = await world.gateway.admin.registerClient(
      {
        name: 'public bound',
        userId: owner,
        redirectUri: REDIRECT_URI,
        public: 'true',
        tlsClientCertificateBoundAccessTokens: 'true'
      },
      ['read']
    );
  });
  after(async function () {
    if (process.env.SHOW_LOG) console.log(world?.gateway.output());
    await terminator?.close();
    await world?.stop();
  });

  const token = (form: Record<string, string>, certificate: TestCertificate | null, headers = {}) =>
    mtlsPost(`${terminator.url}/oauth2/token`, form, certificate, headers);
  const api = (accessToken: string, certificate: TestCertificate | null) =>
    mtlsRequest(`${terminator.url}/api`, { headers: { authorization: `Bearer ${accessToken}` }, certificate });
  const ordersToken = async () => {
    const answer = await token({ grant_type: 'client_credentials', client_id: tlsClient.id, scope: 'read' }, orders);
    expect(answer.status, answer.text).to.equal(200);
    return answer.json.access_token as string;
  };

  it('offers both methods, bound tokens and its endpoints at the mTLS origin in the metadata (§2.1.1, §3.3, §5)', async function () {
    const { json } = await request(`${world.gateway.url}/.well-known/oauth-authorization-server`);
    expect(json.token_endpoint_auth_methods_supported).to.include.members([
      'tls_client_auth',
      'self_signed_tls_client_auth'
    ]);
    expect(json.tls_client_certificate_bound_access_tokens).to.equal(true);
    expect(json.mtls_endpoint_aliases).to.deep.equal({
      token_endpoint: `${ALIAS}/oauth2/token`,
      revocation_endpoint: `${ALIAS}/oauth2/revoke`,
      introspection_endpoint: `${ALIAS}/oauth2/introspect`,
      pushed_authorization_request_endpoint: `${ALIAS}/oauth2/par`
    });
  });

  it('authenticates a tls_client_auth client by a certificate its CA issued for its subject, and binds its token (§2.1, §3.1)', async function () {
    const answer = await token({ grant_type: 'client_credentials', client_id: tlsClient.id, scope: 'read' }, orders);
    expect(answer.status, answer.text).to.equal(200);
    // RFC 8705 leaves the token type Bearer: the binding is in the token, not in how it is sent.
    expect(answer.json.token_type).to.equal('Bearer');
    const introspected = await mtlsPost(
      `${terminator.url}/oauth2/introspect`,
      { token: answer.json.access_token, client_id: tlsClient.id },
      orders
    );
    expect(introspected.status, introspected.text).to.equal(200);
    expect(introspected.json.active).to.equal(true);
    expect(introspected.json.cnf).to.deep.equal({ 'x5t#S256': orders.thumbprint });
  });

  it('refuses a tls_client_auth client whose certificate another CA issued, names another subject, or is missing', async function () {
    const ask = (certificate: TestCertificate | null) =>
      token({ grant_type: 'client_credentials', client_id: tlsClient.id }, certificate);
    const byOtherCa = await ask(ordersByOtherCa);
    expect(byOtherCa.status).to.equal(401);
    expect(byOtherCa.json.error).to.equal('invalid_client');
    expect(byOtherCa.json.error_description).to.match(/not issued by a CA trusted for tls_client_auth/);
    expect((await ask(billing)).json.error_description).to.match(/subject is not the one the client registered/);
    const none = await ask(null);
    expect(none.status).to.equal(401);
    expect(none.json.error_description).to.match(
      /authenticates with tls_client_auth: present its TLS client certificate/
    );
  });

  it('refuses a certificate another CA with the same name signed, one expired, one for servers only, one without a subject', async function () {
    const ask = (certificate: TestCertificate) =>
      token({ grant_type: 'client_credentials', client_id: tlsClient.id }, certificate);
    for (const certificate of [ordersByImpostor, ordersExpired]) {
      const refused = await ask(certificate);
      expect(refused.status, refused.text).to.equal(401);
      expect(refused.json.error_description).to.match(/not issued by a CA trusted for tls_client_auth, or is outside/);
    }
    expect((await ask(ordersServerOnly)).json.error_description).to.match(/not for TLS client authentication/);
    const noSubject = await ask(nameless);
    expect(noSubject.status, noSubject.text).to.equal(401);
    expect(noSubject.json.error_description).to.match(/subject is not the one the client registered/);
  });

  it('reads the certificate header only from the terminators mtls.trustedProxies names, and only one of it', async function () {
    const accessToken = await ordersToken();
    const header = clientCertHeader(orders);
    const fromTerminator = await requestFrom(TERMINATOR_ADDRESS, `${world.gateway.url}/api`, {
      authorization: `Bearer ${accessToken}`,
      'client-cert': header
    });
    expect(fromTerminator.status, fromTerminator.text).to.equal(200);
    // Straight to the gateway from elsewhere, whoever knows the certificate (it is no secret) cannot name it.
    const forged = await request(`${world.gateway.url}/api`, {
      headers: { authorization: `Bearer ${accessToken}`, 'client-cert': header }
    });
    expect(forged.status).to.equal(401);
    expect(forged.headers.get('www-authenticate')).to.match(/bound to a TLS client certificate: present/);
    const forgedClient = await request(`${world.gateway.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'client-cert': header },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: tlsClient.id }).toString()
    });
    expect(forgedClient.status).to.equal(401);
    expect(forgedClient.json.error_description).to.match(/present its TLS client certificate/);
    // Two lines of it are two certificates, and a value that is none is none: both refused, neither a 500.
    for (const value of [[header, clientCertHeader(billing)], 'not a certificate', ':bm90IGEgY2VydGlmaWNhdGU=:']) {
      const unreadable = await requestFrom(TERMINATOR_ADDRESS, `${world.gateway.url}/api`, {
        authorization: `Bearer ${accessToken}`,
        'client-cert': value
      });
      expect(unreadable.status, String(value)).to.equal(401);
      expect(unreadable.headers['www-authenticate']).to.match(/does not hold (one|an X\.509) certificate/);
    }
  });

  it('authenticates a self_signed_tls_client_auth client by the key it registered, and no other (§2.2)', async function () {
    const form = { grant_type: 'client_credentials', client_id: kioskClient.id };
    const taken = await token(form, kiosk);
    expect(taken.status, taken.text).to.equal(200);
    // Not asked for: the kiosk's token is a bearer token, usable without its certificate.
    expect((await api(taken.json.access_token, null)).status).to.equal(200);
    const other = await token(form, otherKiosk);
    expect(other.status).to.equal(401);
    expect(other.json.error_description).to.match(/certificate's key is not one the client registered/);
  });

  it('takes a bound token at the API only from a client presenting its certificate (§3)', async function () {
    const accessToken = await ordersToken();
    const withIt = await api(accessToken, orders);
    expect(withIt.status, withIt.text).to.equal(200);
    const without = await api(accessToken, null);
    expect(without.status).to.equal(401);
    expect(without.headers['www-authenticate']).to.match(/error="invalid_token"/);
    expect(without.headers['www-authenticate']).to.match(/bound to a TLS client certificate/);
    const another = await api(accessToken, billing);
    expect(another.status).to.equal(401);
    expect(another.headers['www-authenticate']).to.match(/another TLS client certificate/);
    // So do the server's own resources.
    const info = (certificate: TestCertificate | null) =>
      mtlsRequest(`${terminator.url}/oauth2/tokeninfo`, {
        headers: { authorization: `Bearer ${accessToken}` },
        certificate
      });
    expect((await info(orders)).status).to.equal(200);
    expect((await info(null)).status).to.equal(401);
  });

  it("holds another issuer's token to the certificate its cnf names, and refuses one bound in a way it cannot check", async function () {
    const partnerToken = (cnf: Record<string, unknown>) =>
      signJwt(
        partnerKey.privateKey,
        { alg: 'ES256', typ: 'at+jwt' },
        { iss: PARTNER, aud: PARTNER, sub: 'someone', client_id: 'partner-app', exp: now() + 300, iat: now(), cnf }
      );
    const call = async (cnf: Record<string, unknown>, certificate: TestCertificate | null) =>
      mtlsRequest(`${terminator.url}/partner`, {
        headers: { authorization: `Bearer ${await partnerToken(cnf)}` },
        certificate
      });
    const bound = { 'x5t#S256': orders.thumbprint };
    expect((await call(bound, orders)).status).to.equal(200);
    expect((await call(bound, null)).status).to.equal(401);
    expect((await call(bound, billing)).status).to.equal(401);
    const unknown = await call({ jwk: { kty: 'EC' } }, orders);
    expect(unknown.status).to.equal(401);
    expect(unknown.headers['www-authenticate']).to.match(/bound \(cnf\) in a way this gateway cannot check/);
  });

  it('gives a client taking certificate-bound tokens only none from the authorization endpoint (implicit)', async function () {
    const implicit = await authorize(new Browser(world.gateway.url), world, {
      response_type: 'token',
      client_id: secretClient.id,
      redirect_uri: REDIRECT_URI,
      scope: 'read',
      state: 's'
    });
    expect(implicit.status).to.equal(302);
    expect(implicit.headers.get('location')).to.contain('error=unauthorized_client');
    const answer = new URLSearchParams(new URL(implicit.headers.get('location')!).hash.slice(1));
    expect(answer.get('error_description')).to.match(/certificate-bound access tokens only/);
  });

  it('binds the tokens of a client that asked for it whatever it authenticates with, and refuses it without a certificate', async function () {
    const form = { grant_type: 'client_credentials', client_id: secretClient.id, client_secret: secretClient.secret };
    const bound = await token(form, billing);
    expect(bound.status, bound.text).to.equal(200);
    expect((await api(bound.json.access_token, billing)).status).to.equal(200);
    expect((await api(bound.json.access_token, null)).status).to.equal(401);
    const refused = await token(form, null);
    expect(refused.status).to.equal(400);
    expect(refused.json.error).to.equal('invalid_request');
    expect(refused.json.error_description).to.match(/certificate-bound tokens only/);
    // Nor is a bound token exchanged (RFC 8693) by a request that does not present its certificate.
    const exchange = {
      ...form,
      grant_type: TOKEN_EXCHANGE,
      subject_token: bound.json.access_token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      audience: 'https://upstream.example'
    };
    const exchanged = await token(exchange, kiosk);
    expect(exchanged.status, exchanged.text).to.equal(400);
    expect(exchanged.json.error_description).to.match(/bound to a TLS client certificate/);
    // With it, the exchange goes on to its own checks (this token is the client's own: no user to act for).
    expect((await token(exchange, billing)).json.error_description).to.match(/names no user/);
  });

  it("binds a public client's refresh token to its certificate too (§4)", async function () {
    const as = {
      issuer: world.gateway.url,
      authorization_endpoint: `${world.gateway.url}/oauth2/authorize`,
      token_endpoint: `${terminator.url}/oauth2/token`
    };
    const client = { client_id: publicClient.id };
    const { params, verifier, state } = await codeRequest({ client_id: publicClient.id });
    const browser = new Browser(world.gateway.url);
    const consent = await authorize(browser, world, params);
    const callback = oauth.validateAuthResponse(as, client, await decide(browser, consent, true), state);
    const exchanged = await token(
      {
        grant_type: 'authorization_code',
        client_id: publicClient.id,
        code: callback.get('code')!,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier
      },
      kiosk
    );
    expect(exchanged.status, exchanged.text).to.equal(200);
    expect((await api(exchanged.json.access_token, kiosk)).status).to.equal(200);
    const refresh = { grant_type: 'refresh_token', client_id: publicClient.id };
    const stolen = await token({ ...refresh, refresh_token: exchanged.json.refresh_token }, otherKiosk);
    expect(stolen.status).to.equal(400);
    expect(stolen.json.error).to.equal('invalid_grant');
    expect(stolen.json.error_description).to.match(/bound to a TLS client certificate/);
    const refreshed = await token({ ...refresh, refresh_token: exchanged.json.refresh_token }, kiosk);
    expect(refreshed.status, refreshed.text).to.equal(200);
  });
});

import { randomUUID } from 'crypto';
import { expect } from 'chai';
import { request } from '../../support/http';
import { issuedCertificate, selfSignedClientCertificate, testCa, pemFile } from '../helpers/client-certificates';
import { ecKeyPair, now, signJwt } from '../helpers/keys';
import { mtlsPost, mtlsRequest, startTlsTerminator, TlsTerminator } from '../helpers/tls-terminator';
import { startWorld, World } from '../helpers/world';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * FAPI 2.0 Security Profile §5.3.2.1 with mutual TLS as its other half: clients may authenticate with their
 * certificate, and a token request without a DPoP proof gets a token bound to the certificate it presented;
 * one with neither is refused, naming both.
 */
describe('FAPI 2.0 with mutual TLS (profile: fapi2, RFC 8705)', function () {
  this.timeout(60000);
  let world: World;
  let terminator: TlsTerminator;
  const ca = testCa('FAPI Client CA');
  const bank = issuedCertificate(ca, '/O=Bank/CN=payments');
  const signing = ecKeyPair();
  let tlsClient: { id: string };
  let jwtClient: { id: string };
  let kioskClient: { id: string };
  let publicClient: { id: string };
  const kiosk = selfSignedClientCertificate('kiosk');

  before(async function () {
    const caFile = pemFile(ca.cert);
    world = await startWorld({
      settings: {
        profile: 'fapi2',
        trustProxy: 1,
        grants: ['authorization_code', 'client_credentials', 'refresh_token'],
        mtls: { certificateHeader: 'Client-Cert', ca: caFile }
      }
    });
    terminator = await startTlsTerminator([world.gateway.url]);
    const owner = world.developer.id;
    tlsClient = await world.gateway.admin.registerClient(
      {
        name: 'payments',
        userId: owner,
        tokenEndpointAuthMethod: 'tls_client_auth',
        tlsClientAuthSubjectDn: 'CN=payments,O=Bank'
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
    publicClient = await world.gateway.admin.registerClient(
      { name: 'spa', userId: owner, public: 'true', redirectUri: 'http://127.0.0.1:8000/callback' },
      ['read']
    );
    const jwk = { ...signing.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256' };
    jwtClient = await world.gateway.admin.registerClient(
      {
        name: 'signed',
        userId: owner,
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwks: JSON.stringify({ keys: [jwk] })
      },
      ['read']
    );
  });
  after(async function () {
    await terminator?.close();
    await world?.stop();
  });

  const assertion = () =>
    signJwt(
      signing.privateKey,
      { alg: 'ES256', kid: 'k1' },
      { iss: jwtClient.id, sub: jwtClient.id, aud: world.gateway.url, jti: randomUUID(), exp: now() + 60 }
    );

  it('offers private_key_jwt and the two TLS methods, and nothing else', async function () {
    const { json } = await request(`${world.gateway.url}/.well-known/oauth-authorization-server`);
    expect(json.token_endpoint_auth_methods_supported).to.deep.equal([
      'private_key_jwt',
      'tls_client_auth',
      'self_signed_tls_client_auth'
    ]);
    expect(json.tls_client_certificate_bound_access_tokens).to.equal(true);
  });

  it('gives a tls_client_auth client without a DPoP proof a token bound to its certificate, taken only with it', async function () {
    const issued = await mtlsPost(
      `${terminator.url}/oauth2/token`,
      { grant_type: 'client_credentials', client_id: tlsClient.id, scope: 'read' },
      bank
    );
    expect(issued.status, issued.text).to.equal(200);
    const call = (certificate: typeof bank | null) =>
      mtlsRequest(`${terminator.url}/api`, {
        headers: { authorization: `Bearer ${issued.json.access_token}` },
        certificate
      });
    expect((await call(bank)).status).to.equal(200);
    expect((await call(null)).status).to.equal(401);
  });

  it('binds a private_key_jwt client’s token to the certificate it presents, and refuses one with neither', async function () {
    const form = async () => ({
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion()
    });
    const bound = await mtlsPost(`${terminator.url}/oauth2/token`, await form(), bank);
    expect(bound.status, bound.text).to.equal(200);
    const introspected = await mtlsPost(
      `${terminator.url}/oauth2/introspect`,
      { token: bound.json.access_token, client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion() },
      null
    );
    expect(introspected.json.cnf).to.deep.equal({ 'x5t#S256': bank.thumbprint });
    const neither = await mtlsPost(`${terminator.url}/oauth2/token`, await form(), null);
    expect(neither.status).to.equal(400);
    expect(neither.json.error).to.equal('invalid_dpop_proof');
    expect(neither.json.error_description).to.match(/send a DPoP proof or present a TLS client certificate/);
  });

  it('authenticates a self_signed_tls_client_auth client, and refuses a public client, naming both ways in', async function () {
    const kioskToken = await mtlsPost(
      `${terminator.url}/oauth2/token`,
      { grant_type: 'client_credentials', client_id: kioskClient.id },
      kiosk
    );
    expect(kioskToken.status, kioskToken.text).to.equal(200);
    const spa = await mtlsPost(
      `${terminator.url}/oauth2/token`,
      { grant_type: 'client_credentials', client_id: publicClient.id },
      kiosk
    );
    expect(spa.status).to.equal(401);
    expect(spa.json.error_description).to.match(/private_key_jwt or mutual TLS only here \(FAPI 2\.0\)/);
  });

  it('tells resources’ clients that certificate-bound tokens are taken, and offers the Bearer scheme beside DPoP', async function () {
    const metadata = await request(`${world.gateway.url}/.well-known/oauth-protected-resource/api`);
    expect(metadata.json.tls_client_certificate_bound_access_tokens).to.equal(true);
    expect(metadata.json).not.to.have.property('dpop_bound_access_tokens_required');
    const bare = await request(`${world.gateway.url}/api`);
    expect(bare.status).to.equal(401);
    const challenge = bare.headers.get('www-authenticate') ?? '';
    expect(challenge).to.match(/^Bearer realm=/);
    expect(challenge).to.match(/DPoP realm=/);
  });
});

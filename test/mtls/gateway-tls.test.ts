import { expect } from 'chai';
import { freePort } from '../../support/gateway';
import { request } from '../../support/http';
import {
  clientCertHeader,
  pemFile,
  selfSignedClientCertificate,
  TestCertificate
} from '../helpers/client-certificates';
import { loopbackTls } from '../helpers/loopback-tls';
import { mtlsPost, mtlsRequest } from '../helpers/tls-terminator';
import { startWorld, World } from '../helpers/world';

/**
 * RFC 8705 on the gateway's own TLS: EG's https server asks clients for a certificate (`https.options.requestCert`,
 * any accepted, as Node's `rejectUnauthorized: false`), and the plugin reads it off the connection. No header is taken
 * then, whoever sends one.
 */
describe("Mutual TLS on the gateway's own https server (RFC 8705)", function () {
  this.timeout(60000);
  let world: World;
  let httpsUrl: string;
  const device = selfSignedClientCertificate('device');
  const stranger = selfSignedClientCertificate('device');
  let client: { id: string };

  before(async function () {
    const tls = loopbackTls();
    const keyFile = pemFile(tls.key);
    const port = await freePort();
    httpsUrl = `https://127.0.0.1:${port}`;
    world = await startWorld({
      settings: { grants: ['client_credentials'] },
      gateway: {
        https: {
          port,
          hostname: '127.0.0.1',
          tls: { default: { key: keyFile, cert: tls.certFile } },
          options: { requestCert: true, rejectUnauthorized: false }
        }
      }
    });
    client = await world.gateway.admin.registerClient(
      {
        name: 'device',
        userId: world.developer.id,
        tokenEndpointAuthMethod: 'self_signed_tls_client_auth',
        jwks: JSON.stringify({ keys: [device.jwk] }),
        tlsClientCertificateBoundAccessTokens: 'true'
      },
      ['read']
    );
  });
  after(async function () {
    await world?.stop();
  });

  const call = (token: string, certificate: TestCertificate | null) =>
    mtlsRequest(`${httpsUrl}/api`, { headers: { authorization: `Bearer ${token}` }, certificate });

  it('authenticates the client by the certificate of its TLS connection and binds its token to it', async function () {
    const issued = await mtlsPost(
      `${httpsUrl}/oauth2/token`,
      { grant_type: 'client_credentials', client_id: client.id },
      device
    );
    expect(issued.status, issued.text).to.equal(200);
    const token = issued.json.access_token as string;
    expect((await call(token, device)).status).to.equal(200);
    expect((await call(token, null)).status).to.equal(401);
    expect((await call(token, stranger)).status).to.equal(401);
    // Over plain http no certificate reaches the gateway, and a header naming one is not read.
    const plain = await request(`${world.gateway.url}/api`, {
      headers: { authorization: `Bearer ${token}`, 'client-cert': clientCertHeader(device) }
    });
    expect(plain.status).to.equal(401);
    const metadata = await request(`${world.gateway.url}/.well-known/oauth-authorization-server`);
    expect(metadata.json.token_endpoint_auth_methods_supported).to.include('self_signed_tls_client_auth');
    expect(metadata.json.token_endpoint_auth_methods_supported).not.to.include('tls_client_auth');
  });
});

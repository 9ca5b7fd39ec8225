import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { issuedCertificate, testCa, TestCertificate, pemFile } from '../helpers/client-certificates';
import { mtlsPost, mtlsRequest, startTlsTerminator, TlsTerminator } from '../helpers/tls-terminator';
import { Cluster, NEEDS_REDIS, startCluster } from './cluster';

/**
 * Issue 22's "done when" for mutual TLS: behind a TLS terminator passing the client's certificate in `Client-Cert`
 * (RFC 9440), a certificate-bound token (RFC 8705 §3) works with its certificate and fails without it or with another,
 * whichever of three instances sharing one Redis answers.
 */
describe(`Mutual TLS across three gateway instances (${NEEDS_REDIS})`, function () {
  this.timeout(60000);
  let cluster: Cluster;
  let terminator: TlsTerminator;
  let client: { id: string };
  const ca = testCa('Cluster Client CA');
  const orders = issuedCertificate(ca, '/O=Example/CN=orders');
  const billing = issuedCertificate(ca, '/O=Example/CN=billing');

  before(async function () {
    if (!process.env.REDIS_URL) return this.skip();
    const caFile = pemFile(ca.cert);
    // Two proxies in front of each instance: the terminator, then the balancer.
    cluster = await startCluster({ trustProxy: 2, mtls: { certificateHeader: 'Client-Cert', ca: caFile } });
    terminator = await startTlsTerminator([cluster.balancer.url]);
    client = await cluster.instances[0]!.admin.registerClient(
      {
        name: 'orders service',
        userId: cluster.developer.id,
        tokenEndpointAuthMethod: 'tls_client_auth',
        tlsClientAuthSubjectDn: 'CN=orders,O=Example',
        tlsClientCertificateBoundAccessTokens: 'true'
      },
      ['read']
    );
  });
  after(async function () {
    await terminator?.close();
    await cluster?.stop();
  });

  const call = (token: string, certificate: TestCertificate | null) =>
    mtlsRequest(`${terminator.url}/api`, { headers: { authorization: `Bearer ${token}` }, certificate });

  it('binds a JWT access token to the certificate, which every instance then asks for', async function () {
    const issued = await mtlsPost(
      `${terminator.url}/oauth2/token`,
      { grant_type: 'client_credentials', client_id: client.id, scope: 'read' },
      orders
    );
    expect(issued.status, issued.text).to.equal(200);
    expect(decodeJwt(issued.json.access_token).cnf).to.deep.equal({ 'x5t#S256': orders.thumbprint });
    const token = issued.json.access_token as string;
    const before = cluster.balancer.routed.length;
    for (let round = 0; round < 3; round++) {
      const taken = await call(token, orders);
      expect(taken.status, taken.text).to.equal(200);
      const without = await call(token, null);
      expect(without.status).to.equal(401);
      expect(without.headers['www-authenticate']).to.match(/bound to a TLS client certificate/);
      const another = await call(token, billing);
      expect(another.status).to.equal(401);
      expect(another.headers['www-authenticate']).to.match(/another TLS client certificate/);
    }
    const served = new Set(cluster.balancer.routed.slice(before).map((routed) => routed.instance));
    expect([...served].sort()).to.deep.equal([0, 1, 2]);
  });
});

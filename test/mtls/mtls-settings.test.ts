import { expect } from 'chai';
import { JwtAssertionTrust } from '../../lib/assertions/jwt-assertion-trust';
import { tlsClientAuthentication } from '../../lib/mtls/tls-client-auth';
import { resolveSettings, SettingsError } from '../../lib/settings';
import { issuedCertificate, pemFile, testCa } from '../helpers/client-certificates';
import { oncePerRun } from '../helpers/once-per-run';

const SYSTEM = { db: { redis: { emulate: true } } } as never;
const GATEWAY = { http: { port: 8080 } };
const TLS_GATEWAY = { ...GATEWAY, https: { port: 8443, tls: { default: {} }, options: { requestCert: true } } };
const LOGGER = { info() {}, warn() {}, error() {}, debug() {} } as never;

/** Why these settings (or the mTLS they make on `gateway`) stop the gateway. */
function refusal(
  mtls: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  gateway: object = GATEWAY
): string {
  try {
    const settings = resolveSettings({ mtls, ...extra }, SYSTEM, gateway);
    tlsClientAuthentication(settings, gateway, new JwtAssertionTrust(settings, [settings.issuer], LOGGER));
  } catch (err) {
    expect(err).to.be.instanceOf(SettingsError);
    return (err as Error).message;
  }
  throw new Error('the settings were taken');
}

/** Mutual TLS settings that cannot work stop the gateway at start, naming the setting and why. */
describe('Mutual TLS settings (RFC 8705)', function () {
  before(function () {
    oncePerRun(this);
  });

  it('takes a certificate header only behind a proxy trustProxy counts: otherwise any client names its own', function () {
    expect(refusal({ certificateHeader: 'Client-Cert' })).to.match(
      /plugins\.oauth2\.mtls\.certificateHeader needs trustProxy of 1 or more/
    );
    expect(refusal({ certificateHeader: 'Authorization' }, { trustProxy: 1 })).to.match(
      /certificateHeader cannot be Authorization/
    );
    expect(refusal({ certificateHeader: 'X-Forwarded-Client-Cert' }, { trustProxy: 1 })).to.match(/cannot be/);
    expect(refusal({ certificateHeader: 'Client Cert' }, { trustProxy: 1 })).to.match(/certificateHeader/);
  });

  it('takes terminator addresses for the header only as IP addresses, and only with the header', function () {
    const header = { certificateHeader: 'Client-Cert' };
    expect(refusal({ ...header, trustedProxies: ['10.0.0.1', 'lb.internal'] }, { trustProxy: 1 })).to.match(
      /mtls\.trustedProxies\.1 is not an IP address: lb\.internal/
    );
    expect(refusal({ trustedProxies: ['10.0.0.1'] })).to.match(/trustedProxies needs mtls\.certificateHeader/);
    expect(refusal(header, { trustProxy: 1 }, TLS_GATEWAY)).to.match(
      /certificateHeader is set and https\.options\.requestCert too/
    );
  });

  it('refuses an alias origin that is the issuer’s own, or not https', function () {
    expect(refusal({ endpointOrigin: 'https://as.example.com' }, { issuer: 'https://as.example.com/tenant' })).to.match(
      /endpointOrigin is the issuer's origin/
    );
    expect(refusal({ endpointOrigin: 'http://mtls.example.com' })).to.match(/endpointOrigin/);
    expect(refusal({ endpointOrigin: 'https://user@mtls.example.com' })).to.match(/endpointOrigin/);
    expect(refusal({ endpointOrigin: 'https://mtls.example.com:99999' }, {}, TLS_GATEWAY)).to.match(
      /mtls\.endpointOrigin is not an origin/
    );
    expect(refusal({ endpointOrigin: 'https://mtls.example.com' })).to.match(
      /endpointOrigin is set, but no client certificate can reach the gateway/
    );
  });

  it('refuses CAs nobody can present a certificate to, and a CA file that is not one', function () {
    const ca = testCa('Settings CA');
    expect(refusal({ ca: pemFile(ca.cert) })).to.match(
      /mtls\.ca is set, but no client certificate can reach the gateway/
    );
    expect(refusal({ ca: '/nonexistent/ca.pem' }, {}, TLS_GATEWAY)).to.match(/mtls\.ca cannot be read: ENOENT/);
    expect(refusal({ ca: pemFile('no certificate here') }, {}, TLS_GATEWAY)).to.match(/holds no PEM certificate/);
    const expired = issuedCertificate(ca, '/CN=old CA', {
      extensions: ['basicConstraints=critical,CA:TRUE'],
      validity: ['20250101000000Z', '20250102000000Z']
    });
    expect(refusal({ ca: pemFile(expired.cert) }, {}, TLS_GATEWAY)).to.match(/certificate 1 .*is outside its validity/);
    const leaf = issuedCertificate(ca, '/CN=not a CA');
    expect(refusal({ ca: pemFile(ca.cert, leaf.cert) }, {}, TLS_GATEWAY)).to.match(/certificate 2 .*is not a CA's/);
  });

  it('offers tls_client_auth only with CAs, and nothing without a certificate source', function () {
    const methods = (mtls: Record<string, unknown>, extra: Record<string, unknown>, gateway: object) => {
      const settings = resolveSettings({ mtls, ...extra }, SYSTEM, gateway);
      return tlsClientAuthentication(settings, gateway, new JwtAssertionTrust(settings, [settings.issuer], LOGGER))
        .methods;
    };
    expect(methods({}, {}, GATEWAY)).to.deep.equal([]);
    expect(methods({}, {}, TLS_GATEWAY)).to.deep.equal(['self_signed_tls_client_auth']);
    expect(methods({ certificateHeader: 'Client-Cert' }, { trustProxy: 1 }, GATEWAY)).to.deep.equal([
      'self_signed_tls_client_auth'
    ]);
    const ca = pemFile(testCa('Offered CA').cert);
    expect(methods({ ca }, {}, TLS_GATEWAY)).to.deep.equal(['tls_client_auth', 'self_signed_tls_client_auth']);
  });
});

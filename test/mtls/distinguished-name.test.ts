import { X509Certificate } from 'crypto';
import { expect } from 'chai';
import { parseRfc4514, subjectMatches } from '../../lib/mtls/distinguished-name';
import { issuedCertificate, testCa } from '../helpers/client-certificates';
import { oncePerRun } from '../helpers/once-per-run';

/** RFC 8705 §2.1.2: the registered subject DN (RFC 4514) against the certificate's, as RFC 4517 compares them. */
describe('Certificate subjects against registered distinguished names (tls_client_auth)', function () {
  let subject: string;

  before(function () {
    oncePerRun(this);
    const ca = testCa('DN CA');
    const certificate = issuedCertificate(ca, '/C=US/O=Example, Inc./OU=Payments+UID=42/CN=orders \\+ more');
    subject = new X509Certificate(certificate.cert).subject;
  });

  it('matches the RDNs last first, types by any of their names, values whatever their case and spacing', function () {
    expect(subjectMatches(subject, 'CN=orders \\+ more,OU=Payments+UID=42,O=Example\\, Inc.,C=US')).to.equal(true);
    expect(subjectMatches(subject, 'cn=ORDERS \\+ MORE, uid=42+ou=payments, o=Example\\, Inc., 2.5.4.6=us')).to.equal(
      true
    );
    expect(subjectMatches(subject, 'CN=orders \\2B more,OU=Payments+UID=42,O=Example\\2C Inc.,C=US')).to.equal(true);
  });

  it('refuses another order, a missing or extra RDN, another value, and an unescaped separator', function () {
    expect(subjectMatches(subject, 'C=US,O=Example\\, Inc.,OU=Payments+UID=42,CN=orders \\+ more')).to.equal(false);
    expect(subjectMatches(subject, 'CN=orders \\+ more,OU=Payments+UID=42,O=Example\\, Inc.')).to.equal(false);
    expect(subjectMatches(subject, 'CN=orders \\+ more,OU=Payments,O=Example\\, Inc.,C=US')).to.equal(false);
    expect(subjectMatches(subject, 'CN=orders \\+ more,OU=Payments+UID=42,O=Example\\, Inc.,C=US,DC=x')).to.equal(
      false
    );
    // Unescaped, the comma starts another RDN: "O=Example" and " Inc." (no type), which is no name at all.
    expect(subjectMatches(subject, 'CN=orders \\+ more,OU=Payments+UID=42,O=Example, Inc.,C=US')).to.equal(false);
    expect(subjectMatches(subject, 'CN=orders + more,OU=Payments+UID=42,O=Example\\, Inc.,C=US')).to.equal(false);
  });

  it('reads no name from what is not one: empty, typeless, BER-encoded, dangling escapes, unescaped ; " < >', function () {
    for (const dn of [
      '',
      '   ',
      'orders',
      '=x',
      'CN=#04026869',
      'CN=orders\\',
      'C N=x',
      'CN=a;O=b',
      'CN=a"b',
      'CN=<a>'
    ])
      expect(parseRfc4514(dn), dn).to.equal(null);
    expect(parseRfc4514('CN=a\\;O=b')).to.deep.equal([['cn=a;o=b']]);
  });

  it('matches the attribute types of banking certificates by their identifiers as well as their names', function () {
    const ca = testCa('Banking CA');
    const banking = new X509Certificate(
      issuedCertificate(
        ca,
        '/jurisdictionC=BR/businessCategory=Private Organization/serialNumber=123/organizationIdentifier=OFBBR-9/CN=bank'
      ).cert
    ).subject;
    expect(
      subjectMatches(
        banking,
        'CN=bank,2.5.4.97=OFBBR-9,2.5.4.5=123,2.5.4.15=Private Organization,1.3.6.1.4.1.311.60.2.1.3=BR'
      )
    ).to.equal(true);
    expect(
      subjectMatches(
        banking,
        'commonName=bank,organizationIdentifier=OFBBR-9,serialNumber=123,businessCategory=Private Organization,jurisdictionC=BR'
      )
    ).to.equal(true);
    expect(
      subjectMatches(
        banking,
        'CN=bank,2.5.4.97=OFBBR-8,2.5.4.5=123,2.5.4.15=Private Organization,1.3.6.1.4.1.311.60.2.1.3=BR'
      )
    ).to.equal(false);
  });

  it('tells apart values that differ in a character outside the Basic Multilingual Plane, or in bytes that are no UTF-8', function () {
    const ca = testCa('Emoji CA');
    const smiling = new X509Certificate(issuedCertificate(ca, '/CN=\u{1F600}').cert).subject;
    expect(subjectMatches(smiling, 'CN=\u{1F600}')).to.equal(true);
    expect(subjectMatches(smiling, 'CN=\u{1F601}')).to.equal(false);
    expect(parseRfc4514('CN=\\FF')).to.equal(null);
  });
});

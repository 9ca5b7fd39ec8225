import { generateKeyPairSync, randomBytes } from 'crypto';
import { expect } from 'chai';
import { loadIdpKeys, SamlRejected, SamlRules, verifySamlAssertion } from '../../lib/saml';
import { verifyAssertionSignature } from '../../lib/saml/saml-signature';
import { NS, parseXml } from '../../lib/saml/saml-xml';
import {
  AssertionOptions,
  billionLaughs,
  buildAssertion,
  encodeAssertion,
  externalEntity,
  SAML_ALGORITHMS,
  SAML_DEFAULTS,
  samlIdp,
  signAssertion,
  SignOptions,
  tamperAssertion,
  wrapAssertion,
  WrappingShape
} from '../helpers/saml';

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const MINUTE = 60_000;
const idp = samlIdp();
const attacker = samlIdp('attacker-idp');

const rules = (overrides: Partial<SamlRules> = {}): SamlRules => ({
  idps: [{ issuer: SAML_DEFAULTS.issuer, keys: loadIdpKeys(idp.certificatePem) }],
  audiences: [SAML_DEFAULTS.audience, SAML_DEFAULTS.recipient],
  recipient: SAML_DEFAULTS.recipient,
  leeway: 30,
  maxLifetime: 600,
  now: () => NOW,
  ...overrides
});

const signedXml = (options: AssertionOptions = {}, sign: SignOptions = {}, key = idp.privateKey) =>
  signAssertion(buildAssertion({ now: NOW, ...options }), key, sign);
const signed = (options: AssertionOptions = {}, sign: SignOptions = {}) => encodeAssertion(signedXml(options, sign));

/** The refusal of `encoded`; fails the test if it is accepted or fails with anything but SamlRejected. */
function refusal(encoded: string, overrides: Partial<SamlRules> = {}): SamlRejected {
  let result: unknown;
  try {
    result = verifySamlAssertion(encoded, rules(overrides));
  } catch (err) {
    if (err instanceof SamlRejected) return err;
    throw err;
  }
  throw new Error(`accepted: ${JSON.stringify(result)}`);
}
const reasonFor = (encoded: string, overrides: Partial<SamlRules> = {}) => refusal(encoded, overrides).reason;

describe('SAML 2.0 bearer assertion verifier (RFC 7522)', function () {
  describe('a valid assertion', function () {
    it('is accepted with the IdP certificate, and says who, by whom, which assertion and until when', function () {
      const subject = verifySamlAssertion(signed({ id: '_a1', confirmationNotOnOrAfter: NOW + 2 * MINUTE }), rules());
      expect(subject).to.deep.equal({
        issuer: SAML_DEFAULTS.issuer,
        nameId: SAML_DEFAULTS.nameId,
        nameIdFormat: SAML_DEFAULTS.nameIdFormat,
        assertionId: '_a1',
        expiresAt: (NOW + 2 * MINUTE) / 1000
      });
    });

    it('is accepted with the IdP public key', function () {
      const idps = [{ issuer: SAML_DEFAULTS.issuer, keys: loadIdpKeys(idp.publicKeyPem) }];
      expect(verifySamlAssertion(signed(), rules({ idps })).nameId).to.equal(SAML_DEFAULTS.nameId);
    });

    it('is accepted when any of the IdP keys verifies it (key rollover)', function () {
      const idps = [{ issuer: SAML_DEFAULTS.issuer, keys: loadIdpKeys(attacker.certificatePem + idp.certificatePem) }];
      expect(verifySamlAssertion(signed(), rules({ idps })).issuer).to.equal(SAML_DEFAULTS.issuer);
    });

    it('is accepted in standard base64 with padding, and with an XML declaration', function () {
      const xml = `<?xml version="1.0" encoding="UTF-8"?>${signedXml({ nameId: 'bob' })}`;
      expect(verifySamlAssertion(Buffer.from(xml).toString('base64'), rules()).nameId).to.equal('bob');
    });

    it('expires at the earliest of Conditions and SubjectConfirmationData NotOnOrAfter, whichever exists', function () {
      const at = (options: AssertionOptions) => verifySamlAssertion(signed(options), rules()).expiresAt;
      expect(at({ notOnOrAfter: NOW + MINUTE, confirmationNotOnOrAfter: NOW + 3 * MINUTE })).to.equal(
        (NOW + MINUTE) / 1000
      );
      expect(at({ omit: ['notOnOrAfter'], confirmationNotOnOrAfter: NOW + 3 * MINUTE })).to.equal(
        (NOW + 3 * MINUTE) / 1000
      );
      expect(at({ omit: ['confirmationNotOnOrAfter'], notOnOrAfter: NOW + 4 * MINUTE })).to.equal(
        (NOW + 4 * MINUTE) / 1000
      );
    });

    it('accepts any configured audience, and the bearer confirmation for this endpoint among others', function () {
      const options: AssertionOptions = { audiences: [['urn:other', SAML_DEFAULTS.recipient]] };
      expect(verifySamlAssertion(signed(options), rules()).nameId).to.equal(SAML_DEFAULTS.nameId);
      const xml = tamperAssertion(
        buildAssertion({ now: NOW }),
        '<saml:SubjectConfirmation ',
        '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData Recipient="https://elsewhere.example/token"/></saml:SubjectConfirmation><saml:SubjectConfirmation '
      );
      expect(verifySamlAssertion(encodeAssertion(signAssertion(xml, idp.privateKey)), rules()).nameId).to.equal(
        SAML_DEFAULTS.nameId
      );
    });

    it('reads the NameID as signed: a comment added after signing cannot truncate it', function () {
      const xml = tamperAssertion(
        signedXml({ nameId: 'alice@example.com.evil.example' }),
        'alice@example.com',
        'alice@example.com<!---->'
      );
      expect(verifySamlAssertion(encodeAssertion(xml), rules()).nameId).to.equal('alice@example.com.evil.example');
    });
  });

  describe('signature', function () {
    it('refuses an unsigned assertion', function () {
      expect(reasonFor(encodeAssertion(buildAssertion({ now: NOW })))).to.equal('The assertion is not signed');
    });

    it('refuses an assertion signed by a key the IdP does not have', function () {
      expect(reasonFor(encodeAssertion(signedXml({}, {}, attacker.privateKey)))).to.equal(
        'The assertion signature is invalid'
      );
    });

    it('hands on only what was signed: the assertion re-parsed from the signed canonical XML', function () {
      const xml = tamperAssertion(
        signedXml({ nameId: 'alice@example.com.evil.example' }),
        'alice@example.com',
        'alice@example.com<!---->'
      );
      const root = parseXml(xml).documentElement;
      if (!root) throw new Error('no root');
      const signedAssertion = verifyAssertionSignature(xml, root, loadIdpKeys(idp.certificatePem));
      expect(signedAssertion.ownerDocument).to.not.equal(root.ownerDocument);
      expect(signedAssertion.getAttribute('ID')).to.equal(root.getAttribute('ID'));
      expect(signedAssertion.getElementsByTagNameNS(NS.ds, 'Signature').length, 'enveloped signature removed').to.equal(
        0
      );
      expect(signedAssertion.toString()).to.not.include('<!--');
    });

    it('ignores a certificate the assertion brings in KeyInfo', function () {
      const forged = signedXml({}, { keyInfoCertificatePem: attacker.certificatePem }, attacker.privateKey);
      expect(forged).to.include('<ds:X509Certificate>');
      expect(reasonFor(encodeAssertion(forged))).to.equal('The assertion signature is invalid');
    });

    it('refuses content changed after signing', function () {
      const tampered = tamperAssertion(signedXml(), SAML_DEFAULTS.nameId, 'admin@example.com');
      const rejected = refusal(encodeAssertion(tampered));
      expect(rejected.reason).to.equal('The assertion signature is invalid');
      expect(rejected.detail).to.equal('the signed content was changed');
    });

    it('refuses keys chosen by another trusted IdP name: keys follow the Issuer', function () {
      const idps = [
        { issuer: SAML_DEFAULTS.issuer, keys: loadIdpKeys(idp.certificatePem) },
        { issuer: 'https://attacker-idp.example', keys: loadIdpKeys(attacker.certificatePem) }
      ];
      expect(reasonFor(encodeAssertion(signedXml({}, {}, attacker.privateKey)), { idps })).to.equal(
        'The assertion signature is invalid'
      );
    });

    it('refuses SHA-1 signatures and digests, and comment-preserving transforms', function () {
      const disallowed = 'The assertion is signed with an algorithm this server does not accept';
      expect(reasonFor(signed({}, { signatureAlgorithm: SAML_ALGORITHMS.rsaSha1 }))).to.equal(disallowed);
      expect(reasonFor(signed({}, { digestAlgorithm: SAML_ALGORITHMS.sha1 }))).to.equal(disallowed);
      expect(
        reasonFor(signed({}, { transforms: [SAML_ALGORITHMS.enveloped, SAML_ALGORITHMS.excC14nWithComments] }))
      ).to.equal(disallowed);
    });

    const shapes: WrappingShape[] = ['advice', 'moved-signature', 'same-id', 'signature-object'];
    shapes.forEach((shape) => {
      it(`refuses a signature-wrapping attack (${shape}) and never yields the evil NameID`, function () {
        const attack = encodeAssertion(wrapAssertion(signedXml(), shape, { now: NOW, nameId: 'mallory' }));
        const rejected = refusal(attack);
        expect(rejected.reason).to.equal('The assertion signature is invalid');
        expect(JSON.stringify(rejected)).to.not.include('mallory');
      });
    });
  });

  describe('issuer', function () {
    it('refuses an assertion from an identity provider that is not configured', function () {
      expect(reasonFor(signed({ issuer: 'https://unknown-idp.example' }))).to.equal(
        'The assertion was not issued by a trusted identity provider'
      );
    });
  });

  describe('conditions and times', function () {
    it('refuses an assertion meant for another audience', function () {
      expect(reasonFor(signed({ audiences: [['https://other-as.example']] }))).to.equal(
        'The assertion is not meant for this audience'
      );
    });

    it('refuses when any one AudienceRestriction names none of our audiences (SAML core §2.5.1.4)', function () {
      expect(reasonFor(signed({ audiences: [[SAML_DEFAULTS.audience], ['https://other-as.example']] }))).to.equal(
        'The assertion is not meant for this audience'
      );
    });

    it('refuses an assertion without AudienceRestriction or without Conditions', function () {
      expect(reasonFor(signed({ omit: ['audienceRestriction'] }))).to.equal(
        'The assertion has no audience restriction'
      );
      expect(reasonFor(signed({ omit: ['conditions'] }))).to.equal('The assertion has no audience restriction');
    });

    it('refuses a condition it does not understand', function () {
      const extraConditions =
        '<saml:Condition xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="x:Custom"/>';
      expect(reasonFor(signed({ extraConditions }))).to.equal(
        'The assertion has a condition this server does not understand'
      );
    });

    it('refuses an expired assertion (Conditions NotOnOrAfter) beyond the leeway only', function () {
      const options = { issueInstant: NOW - 5 * MINUTE, notBefore: NOW - 5 * MINUTE, notOnOrAfter: NOW - 20_000 };
      expect(verifySamlAssertion(signed(options), rules()).expiresAt).to.equal((NOW - 20_000) / 1000);
      expect(reasonFor(signed({ ...options, notOnOrAfter: NOW - 30_000 }))).to.equal('The assertion has expired');
    });

    it('refuses an expired bearer confirmation (SubjectConfirmationData NotOnOrAfter) beyond the leeway only', function () {
      const options = { issueInstant: NOW - 5 * MINUTE, omit: ['notOnOrAfter'] as AssertionOptions['omit'] };
      expect(
        verifySamlAssertion(signed({ ...options, confirmationNotOnOrAfter: NOW - 29_000 }), rules()).nameId
      ).to.be.a('string');
      expect(reasonFor(signed({ ...options, confirmationNotOnOrAfter: NOW - 31_000 }))).to.equal(
        'The assertion bearer subject confirmation has expired'
      );
    });

    it('refuses an assertion not valid yet (Conditions NotBefore) beyond the leeway only', function () {
      expect(verifySamlAssertion(signed({ notBefore: NOW + 30_000 }), rules()).nameId).to.be.a('string');
      expect(reasonFor(signed({ notBefore: NOW + 31_000 }))).to.equal('The assertion is not valid yet');
    });

    it('refuses an assertion issued in the future beyond the leeway only', function () {
      expect(verifySamlAssertion(signed({ issueInstant: NOW + 30_000 }), rules()).nameId).to.be.a('string');
      expect(reasonFor(signed({ issueInstant: NOW + 31_000 }))).to.equal('The assertion was issued in the future');
    });

    it('refuses an assertion valid for longer than maxLifetime after its IssueInstant', function () {
      const long = { notOnOrAfter: NOW + 11 * MINUTE, confirmationNotOnOrAfter: NOW + 11 * MINUTE };
      expect(reasonFor(signed(long))).to.equal('The assertion is valid for longer than this server accepts');
      expect(verifySamlAssertion(signed(long), rules({ maxLifetime: 660 })).nameId).to.be.a('string');
    });

    it('refuses an assertion without any expiry (RFC 7522 §3 item 4)', function () {
      expect(reasonFor(signed({ omit: ['notOnOrAfter', 'confirmationNotOnOrAfter'] }))).to.equal(
        'The assertion has no expiry'
      );
    });

    it('refuses unparsable or impossible times, and a missing IssueInstant, as malformed', function () {
      for (const value of ['2030-01-01 12:00:00Z', '2030-02-30T00:00:00Z', '2030-01-01T24:00:00Z', 'soon']) {
        expect(reasonFor(signed({ notOnOrAfter: value })), value).to.equal('The assertion is malformed');
      }
      expect(reasonFor(signed({ omit: ['issueInstant'] }))).to.equal('The assertion is malformed');
    });
  });

  describe('subject', function () {
    it('refuses an assertion without a NameID, with an empty one, or with one over 256 characters', function () {
      expect(reasonFor(signed({ omit: ['nameId'] }))).to.equal('The assertion has no subject NameID');
      expect(reasonFor(signed({ nameId: '  ' }))).to.equal('The assertion has no subject NameID');
      expect(reasonFor(signed({ nameId: 'a'.repeat(257) }))).to.equal('The assertion subject NameID is too long');
    });

    it('refuses an assertion without a bearer subject confirmation', function () {
      const method = 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key';
      expect(reasonFor(signed({ method }))).to.equal('The assertion has no bearer subject confirmation');
      expect(reasonFor(signed({ omit: ['subjectConfirmation'] }))).to.equal(
        'The assertion has no bearer subject confirmation'
      );
    });

    it('refuses a bearer confirmation for another token endpoint, or without a Recipient', function () {
      const reason = 'The assertion has no bearer subject confirmation for this token endpoint';
      expect(reasonFor(signed({ recipient: 'https://other-as.example/token' }))).to.equal(reason);
      expect(reasonFor(signed({ omit: ['recipient'] }))).to.equal(reason);
      expect(reasonFor(signed({ omit: ['subjectConfirmationData'] }))).to.equal(reason);
    });

    it('refuses a bearer SubjectConfirmationData with NotBefore (SAML profiles §4.1.4.2)', function () {
      expect(reasonFor(signed({ confirmationNotBefore: NOW - MINUTE }))).to.equal(
        'The assertion bearer subject confirmation must not have NotBefore'
      );
    });
  });

  describe('encoding and XML', function () {
    it('refuses what is not base64url, and random bytes, as malformed', function () {
      for (const garbage of ['', 'not base64!', 'abc de', 'a', '%3Csaml%3E']) {
        expect(reasonFor(garbage), garbage).to.equal('The assertion is malformed');
      }
      for (let i = 0; i < 20; i += 1) {
        expect(reasonFor(randomBytes(200 + i).toString('base64url'))).to.equal('The assertion is malformed');
      }
    });

    it('refuses an assertion over 64 KiB before parsing it', function () {
      expect(reasonFor(encodeAssertion(buildAssertion({ nameId: 'x'.repeat(70_000) })))).to.equal(
        'The assertion is too large'
      );
    });

    it('refuses a billion-laughs entity bomb at once, and an external entity', function () {
      const started = Date.now();
      expect(reasonFor(encodeAssertion(billionLaughs()))).to.equal('The assertion is malformed');
      expect(Date.now() - started).to.be.below(100);
      const rejected = refusal(encodeAssertion(externalEntity()));
      expect([rejected.reason, rejected.detail]).to.deep.equal([
        'The assertion is malformed',
        'document type declaration'
      ]);
    });

    it('refuses a SAML Response, or another element, where an Assertion is expected', function () {
      const response = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" Version="2.0" IssueInstant="${new Date(NOW).toISOString()}">${signedXml()}</samlp:Response>`;
      expect(reasonFor(encodeAssertion(response))).to.equal('The assertion is not a SAML 2.0 Assertion');
      expect(reasonFor(encodeAssertion('<Assertion ID="_x" Version="2.0"/>'))).to.equal(
        'The assertion is not a SAML 2.0 Assertion'
      );
      expect(reasonFor(encodeAssertion(tamperAssertion(buildAssertion(), 'Version="2.0"', 'Version="1.1"')))).to.equal(
        'The assertion is not a SAML 2.0 Assertion'
      );
    });

    it('only ever throws SamlRejected, whatever prefix of a signed assertion it gets', function () {
      const xml = signedXml();
      for (let cut = 1; cut < xml.length; cut += 37) {
        expect(refusal(encodeAssertion(xml.slice(0, cut)))).to.be.instanceOf(SamlRejected);
      }
    });
  });

  describe('loading IdP keys', function () {
    const pem = (type: 'rsa' | 'ec', options: object) => {
      const { publicKey, privateKey } = generateKeyPairSync(type as 'rsa', options as { modulusLength: number });
      return {
        publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
      };
    };

    it('loads every certificate and public key of a PEM bundle, ignoring text between blocks', function () {
      const keys = loadIdpKeys(`subject=CN=test-idp\n${idp.certificatePem}\n${attacker.publicKeyPem}`);
      expect(keys.map((k) => k.asymmetricKeyType)).to.deep.equal(['rsa', 'rsa']);
    });

    it('refuses, with a TypeError saying why, private keys, short RSA keys, non-RSA keys and non-PEM text', function () {
      expect(() => loadIdpKeys(pem('rsa', { modulusLength: 2048 }).privatePem)).to.throw(TypeError, /private key/);
      expect(() => loadIdpKeys(pem('rsa', { modulusLength: 1024 }).publicPem)).to.throw(
        TypeError,
        /at least 2048 bits/
      );
      expect(() => loadIdpKeys(pem('ec', { namedCurve: 'P-256' }).publicPem)).to.throw(TypeError, /RSA key, not ec/);
      expect(() => loadIdpKeys('not a key')).to.throw(TypeError, /no PEM/);
      expect(() => loadIdpKeys('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).to.throw(
        TypeError,
        /cannot be read/
      );
      expect(() => loadIdpKeys('-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----')).to.throw(
        TypeError,
        /not RSA PUBLIC KEY/
      );
    });
  });
});

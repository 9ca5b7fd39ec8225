// SAML 2.0 bearer assertion grant (RFC 7522): a trusted identity provider (IdP) vouches for a user with a
// signed <saml:Assertion>, and the app exchanges it for an access token. The demo trusts an IdP whose
// private key npm start generated (demo.json names the file); a real IdP would sign the assertion.
// Run with: node examples/saml2-bearer.mjs   (after npm start)
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { SignedXml } from 'xml-crypto';
import { api, call, check, demo, discover, short } from './lib/demo.mjs';

const { issuer, token_endpoint } = await discover();

const xmlEscape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** The IdP's side: an assertion for one user, for this gateway's token endpoint, valid five minutes (RFC 7522 §3). */
function buildAssertion({ entityId, nameId, audience, recipient }) {
  const id = `_${randomBytes(16).toString('hex')}`; // single use: the gateway remembers it until it expires
  const now = new Date();
  const later = new Date(now.getTime() + 5 * 60 * 1000).toISOString();
  return (
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${now.toISOString()}">` +
    `<saml:Issuer>${xmlEscape(entityId)}</saml:Issuer>` +
    '<saml:Subject>' +
    `<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${xmlEscape(nameId)}</saml:NameID>` +
    '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">' +
    `<saml:SubjectConfirmationData Recipient="${xmlEscape(recipient)}" NotOnOrAfter="${later}"/>` +
    '</saml:SubjectConfirmation></saml:Subject>' +
    `<saml:Conditions NotBefore="${now.toISOString()}" NotOnOrAfter="${later}">` +
    `<saml:AudienceRestriction><saml:Audience>${xmlEscape(audience)}</saml:Audience></saml:AudienceRestriction>` +
    '</saml:Conditions>' +
    `<saml:AuthnStatement AuthnInstant="${now.toISOString()}"><saml:AuthnContext>` +
    '<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef>' +
    '</saml:AuthnContext></saml:AuthnStatement></saml:Assertion>'
  );
}

/** An enveloped RSA-SHA256 signature over the whole assertion, right after its Issuer (SAML core §2.3.3, §5.4). */
function sign(xml, privateKey) {
  const signer = new SignedXml({
    privateKey,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    getKeyInfoContent: () => null // the gateway knows the IdP's key; it would ignore one sent along
  });
  signer.addReference({
    xpath: '/*',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256'
  });
  signer.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: "/*/*[local-name(.)='Issuer']", action: 'after' }
  });
  return signer.getSignedXml();
}

const xml = sign(
  buildAssertion({
    entityId: demo.samlIdp.entityId,
    nameId: demo.user.username,
    audience: issuer,
    recipient: token_endpoint // must be exactly the token endpoint the assertion is presented to
  }),
  fs.readFileSync(demo.samlIdp.privateKeyFile, 'utf8')
);
const assertion = Buffer.from(xml).toString('base64url'); // RFC 7522 §2.1
console.log(
  `\nSigned an assertion as ${demo.samlIdp.entityId} for ${demo.user.username} (${xml.length} characters of XML): ${short(assertion)}`
);

// The app's side: it authenticates itself as usual, and presents the assertion as the grant.
const grant = { grant_type: 'urn:ietf:params:oauth:grant-type:saml2-bearer', assertion, scope: 'read write' };
const token = await call('POST', token_endpoint, { auth: demo.client, form: grant });
check(token.status === 200 && token.json.scope === 'read write', 'the assertion is exchanged for an access token');

const res = await call('GET', api('/api'), { bearer: token.json.access_token });
check(
  res.status === 200 && res.json.headers['eg-token-authenticated-user-id'],
  `the protected API accepts it, on behalf of ${demo.user.username}`
);

const replay = await call('POST', token_endpoint, { auth: demo.client, form: grant });
check(
  replay.status === 400 && replay.json.error === 'invalid_grant',
  'the same assertion twice is refused (its ID is single use)'
);

const tampered = Buffer.from(xml.replace(`>${demo.user.username}<`, '>mallory<')).toString('base64url');
const forged = await call('POST', token_endpoint, { auth: demo.client, form: { ...grant, assertion: tampered } });
check(forged.status === 400 && forged.json.error === 'invalid_grant', 'an assertion changed after signing is refused');

import { generateKeyPairSync, KeyObject, randomBytes } from 'crypto';
import { DOMParser, MIME_TYPE, XMLSerializer } from '@xmldom/xmldom';
import type { Document, Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { selfSignedCertificate } from './self-signed';

/** A test identity provider: its signing key, and the same public key as a certificate and as SPKI PEM. */
export interface SamlTestIdp {
  privateKey: KeyObject;
  certificatePem: string;
  publicKeyPem: string;
}

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
export const SAML_ALGORITHMS = {
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  excC14nWithComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature'
} as const;

/** Values `buildAssertion` uses unless told otherwise; a verifier configured with them accepts its output. */
export const SAML_DEFAULTS = {
  issuer: 'https://idp.example.com/saml',
  nameId: 'alice@example.com',
  nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  audience: 'https://as.example.com',
  recipient: 'https://as.example.com/oauth2/token',
  lifetime: 300_000
} as const;

const idps = new Map<string, SamlTestIdp>();

/** An RSA 2048 key with a self-signed certificate made by openssl (one per name and process: keygen is slow). */
export function samlIdp(name = 'test-idp'): SamlTestIdp {
  const cached = idps.get(name);
  if (cached) return cached;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const idp = {
    privateKey,
    certificatePem: selfSignedCertificate(privateKey, name),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString()
  };
  idps.set(name, idp);
  return idp;
}

/** Parts of an assertion that `buildAssertion` can leave out. */
export type AssertionPart =
  | 'issuer'
  | 'issueInstant'
  | 'conditions'
  | 'notBefore'
  | 'notOnOrAfter'
  | 'audienceRestriction'
  | 'subject'
  | 'nameId'
  | 'subjectConfirmation'
  | 'subjectConfirmationData'
  | 'recipient'
  | 'confirmationNotOnOrAfter';

/** Times are ms since epoch; defaults are relative to `now` (default `Date.now()`). */
export interface AssertionOptions {
  now?: number;
  id?: string;
  issuer?: string;
  nameId?: string;
  nameIdFormat?: string;
  /** Each inner list is one AudienceRestriction. */
  audiences?: string[][];
  recipient?: string;
  method?: string;
  issueInstant?: number | string;
  notBefore?: number | string;
  notOnOrAfter?: number | string;
  confirmationNotOnOrAfter?: number | string;
  confirmationNotBefore?: number | string;
  /** Raw XML added inside Conditions (e.g. an unknown condition). */
  extraConditions?: string;
  omit?: AssertionPart[];
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const time = (t: number | string) => (typeof t === 'string' ? t : new Date(t).toISOString());

/** A SAML 2.0 Assertion as an RFC 7522 client would get it from its IdP, unsigned. */
export function buildAssertion(options: AssertionOptions = {}): string {
  const o = { ...options, omit: new Set(options.omit ?? []) };
  const now = o.now ?? Date.now();
  const id = o.id ?? `_${randomBytes(16).toString('hex')}`;
  const has = (part: AssertionPart) => !o.omit.has(part);
  const at = (name: string, part: AssertionPart | null, value: number | string | undefined) =>
    (part === null || has(part)) && value !== undefined ? ` ${name}="${escape(time(value))}"` : '';
  const audiences = (o.audiences ?? [[SAML_DEFAULTS.audience]])
    .map(
      (list) =>
        `<saml:AudienceRestriction>${list.map((a) => `<saml:Audience>${escape(a)}</saml:Audience>`).join('')}</saml:AudienceRestriction>`
    )
    .join('');
  const data =
    `<saml:SubjectConfirmationData${has('recipient') ? ` Recipient="${escape(o.recipient ?? SAML_DEFAULTS.recipient)}"` : ''}` +
    `${at('NotBefore', null, o.confirmationNotBefore)}` +
    `${at('NotOnOrAfter', 'confirmationNotOnOrAfter', o.confirmationNotOnOrAfter ?? now + SAML_DEFAULTS.lifetime)}/>`;
  const confirmation =
    `<saml:SubjectConfirmation Method="${escape(o.method ?? 'urn:oasis:names:tc:SAML:2.0:cm:bearer')}">` +
    `${has('subjectConfirmationData') ? data : ''}</saml:SubjectConfirmation>`;
  const subject =
    '<saml:Subject>' +
    (has('nameId')
      ? `<saml:NameID Format="${escape(o.nameIdFormat ?? SAML_DEFAULTS.nameIdFormat)}">${escape(o.nameId ?? SAML_DEFAULTS.nameId)}</saml:NameID>`
      : '') +
    (has('subjectConfirmation') ? confirmation : '') +
    '</saml:Subject>';
  const conditions =
    `<saml:Conditions${at('NotBefore', 'notBefore', o.notBefore ?? now)}` +
    `${at('NotOnOrAfter', 'notOnOrAfter', o.notOnOrAfter ?? now + SAML_DEFAULTS.lifetime)}>` +
    `${has('audienceRestriction') ? audiences : ''}${o.extraConditions ?? ''}</saml:Conditions>`;
  return (
    `<saml:Assertion xmlns:saml="${SAML}" ID="${escape(id)}" Version="2.0"${at('IssueInstant', 'issueInstant', o.issueInstant ?? now)}>` +
    (has('issuer') ? `<saml:Issuer>${escape(o.issuer ?? SAML_DEFAULTS.issuer)}</saml:Issuer>` : '') +
    (has('subject') ? subject : '') +
    (has('conditions') ? conditions : '') +
    `<saml:AuthnStatement AuthnInstant="${time(now)}"><saml:AuthnContext><saml:AuthnContextClassRef>` +
    'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>' +
    '</saml:Assertion>'
  );
}

/** How `signAssertion` signs; the defaults are what SAML core §5.4 recommends, with SHA-256. */
export interface SignOptions {
  signatureAlgorithm?: string;
  digestAlgorithm?: string;
  transforms?: string[];
  /** A certificate to publish in KeyInfo/X509Data (the verifier must ignore it). */
  keyInfoCertificatePem?: string;
}

/** An enveloped signature over the root Assertion, placed right after its Issuer (SAML core §2.3.3 sequence). */
export function signAssertion(xml: string, privateKey: KeyObject, options: SignOptions = {}): string {
  const sig = new SignedXml({
    privateKey,
    publicCert: options.keyInfoCertificatePem,
    signatureAlgorithm: options.signatureAlgorithm ?? SAML_ALGORITHMS.rsaSha256,
    canonicalizationAlgorithm: SAML_ALGORITHMS.excC14n,
    getKeyInfoContent: options.keyInfoCertificatePem ? SignedXml.getKeyInfoContent : () => null
  });
  sig.addReference({
    xpath: '/*',
    transforms: options.transforms ?? [SAML_ALGORITHMS.enveloped, SAML_ALGORITHMS.excC14n],
    digestAlgorithm: options.digestAlgorithm ?? SAML_ALGORITHMS.sha256
  });
  const issuer = "/*/*[local-name(.)='Issuer']";
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: xml.includes('Issuer>') ? { reference: issuer, action: 'after' } : { reference: '/*', action: 'prepend' }
  });
  return sig.getSignedXml();
}

/** RFC 7522 §2.1: the `assertion` parameter. */
export const encodeAssertion = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64url');

const parse = (xml: string): Document => new DOMParser().parseFromString(xml, MIME_TYPE.XML_TEXT);
const only = (parent: Element | Document, ns: string, name: string): Element => {
  const found = parent.getElementsByTagNameNS(ns, name)[0];
  if (!found) throw new Error(`no ${name} to move`);
  return found;
};

/**
 * Signature-wrapping (XSW) shapes: an unsigned evil assertion becomes the document element and
 * the genuinely signed one is hidden inside it.
 * - `advice`: the signed assertion, signature and all, sits in the evil one's `<Advice>`.
 * - `moved-signature`: the signature moves to the evil root; the signed assertion sits in Advice.
 * - `same-id`: as `moved-signature`, and the evil root copies the signed assertion's ID.
 * - `signature-object`: the signature moves to the evil root and the signed assertion into its `<ds:Object>`.
 */
export type WrappingShape = 'advice' | 'moved-signature' | 'same-id' | 'signature-object';

/** Builds a wrapping attack on `signedXml`, whose evil root asserts `evil` (default `nameId: 'mallory'`). */
export function wrapAssertion(signedXml: string, shape: WrappingShape, evil: AssertionOptions = {}): string {
  const signedDoc = parse(signedXml);
  const originalId = signedDoc.documentElement?.getAttribute('ID') ?? '';
  const doc = parse(buildAssertion({ nameId: 'mallory', ...evil, ...(shape === 'same-id' ? { id: originalId } : {}) }));
  const root = doc.documentElement as Element;
  const original = doc.importNode(signedDoc.documentElement as Element, true) as Element;
  const advice = doc.createElementNS(SAML, 'saml:Advice');
  root.insertBefore(advice, only(root, SAML, 'AuthnStatement'));
  if (shape === 'advice') {
    advice.appendChild(original);
    return new XMLSerializer().serializeToString(doc);
  }
  const signature = only(original, DS, 'Signature');
  original.removeChild(signature);
  root.insertBefore(signature, only(root, SAML, 'Issuer').nextSibling);
  if (shape === 'signature-object') {
    root.removeChild(advice);
    const object = doc.createElementNS(DS, 'ds:Object');
    object.appendChild(original);
    signature.appendChild(object);
  } else {
    advice.appendChild(original);
  }
  return new XMLSerializer().serializeToString(doc);
}

/** `xml` with `search` replaced (after signing, so the digest no longer matches); throws if absent. */
export function tamperAssertion(xml: string, search: string, replacement: string): string {
  if (!xml.includes(search)) throw new Error(`nothing to tamper: ${search}`);
  return xml.replace(search, replacement);
}

/** An entity-expansion bomb ("billion laughs") carrying an assertion. */
export function billionLaughs(): string {
  const entities = ['<!ENTITY lol0 "lol">'];
  for (let i = 1; i < 10; i += 1) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  return (
    `<?xml version="1.0"?><!DOCTYPE saml:Assertion [${entities.join('')}]>` +
    buildAssertion({ nameId: 'NAME' }).replace('NAME', '&lol9;')
  );
}

/** An external entity (XXE) reading a local file into the NameID. */
export function externalEntity(): string {
  return (
    '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
    buildAssertion({ nameId: 'NAME' }).replace('NAME', '&xxe;')
  );
}

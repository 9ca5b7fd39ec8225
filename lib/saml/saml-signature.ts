import type { KeyObject } from 'crypto';
import { SignedXml } from 'xml-crypto';

import { reject, SAML_REASONS, SamlRejected, theOnly } from './saml-rejected';
import { attr, children, Element, isElement, NS, onlyChild, parseXml } from './saml-xml';

const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';

/**
 * What a SAML assertion signature may use (SAML core §5.4: enveloped signature, exclusive
 * c14n; no SHA-1, whose collisions are practical, NIST SP 800-131A). `#WithComments` variants are out: comments are how
 * NameID truncation attacks hide. RSA-PSS (sha256-rsa-MGF1) is out because xml-crypto 6 only
 * verifies it with PEM text, not with a KeyObject. xml-crypto 6 has no ECDSA, rsa-sha384 or sha384.
 */
const ALLOWED = {
  canonicalization: [EXC_C14N, C14N],
  transforms: [ENVELOPED, EXC_C14N, C14N],
  digests: ['http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2001/04/xmlenc#sha512'],
  signatures: ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512']
} as const;

const allowed = (list: readonly string[], value: string | undefined): boolean =>
  value !== undefined && list.includes(value);

/** xml-crypto's thrown message when the key does not match, as opposed to a broken document. */
const WRONG_KEY = /^invalid signature: the signature value/;

/**
 * The one `ds:Signature`, a direct child of the assertion (SAML core §5.4.2, enveloped). Any other signature
 * in the document is refused: SAML bearer assertions carry one, and a second is the usual
 * vehicle of signature-wrapping attacks.
 */
function findSignature(assertion: Element): Element {
  const doc = assertion.ownerDocument ?? reject(SAML_REASONS.malformed, 'detached assertion');
  const all = doc.getElementsByTagNameNS(NS.ds, 'Signature').length;
  if (all === 0) reject(SAML_REASONS.notSigned);
  const own = children(assertion, NS.ds, 'Signature');
  const detail = `${own.length} signature(s) on the assertion, ${all} in all`;
  if (all !== 1) reject(SAML_REASONS.badSignature, detail);
  return theOnly(own, SAML_REASONS.badSignature, detail);
}

/**
 * SAML core §5.4.2: exactly one Reference, to the assertion's own ID; only the transforms and
 * algorithms above. Checked on the document for a precise reason, and again on what xml-crypto
 * actually used (`checkModel`), which is what counts.
 */
function checkSignedInfo(signature: Element, id: string): void {
  const signedInfo = onlyChild(signature, NS.ds, 'SignedInfo') ?? reject(SAML_REASONS.badSignature, 'no SignedInfo');
  const algorithm = (name: string) => {
    const el = onlyChild(signedInfo, NS.ds, name);
    return el && attr(el, 'Algorithm');
  };
  if (!allowed(ALLOWED.canonicalization, algorithm('CanonicalizationMethod')))
    reject(SAML_REASONS.badAlgorithm, 'canonicalization');
  if (!allowed(ALLOWED.signatures, algorithm('SignatureMethod')))
    reject(SAML_REASONS.badAlgorithm, String(algorithm('SignatureMethod')));
  const references = children(signedInfo, NS.ds, 'Reference');
  const reference = theOnly(references, SAML_REASONS.badSignature, `${references.length} references`);
  if (attr(reference, 'URI') !== `#${id}`) reject(SAML_REASONS.badSignature, 'the reference is not to the assertion');
  const transforms = onlyChild(reference, NS.ds, 'Transforms');
  const used = transforms ? children(transforms, NS.ds, 'Transform').map((t) => attr(t, 'Algorithm')) : [];
  if (used.some((t) => !allowed(ALLOWED.transforms, t)) || used.length > 2 || new Set(used).size !== used.length) {
    reject(SAML_REASONS.badAlgorithm, `transforms ${used.join(' ')}`);
  }
  const digest = onlyChild(reference, NS.ds, 'DigestMethod');
  if (!allowed(ALLOWED.digests, digest && attr(digest, 'Algorithm'))) reject(SAML_REASONS.badAlgorithm, 'digest');
}

/** A verifier that can only run the allowed algorithms, and never takes a key from KeyInfo. */
function verifierFor(key: KeyObject): SignedXml {
  const sig = new SignedXml({ publicCert: key, getCertFromKeyInfo: () => null });
  const only = <T>(map: Record<string, T>, list: readonly string[]) =>
    Object.fromEntries(Object.entries(map).filter(([uri]) => list.includes(uri)));
  sig.SignatureAlgorithms = only(sig.SignatureAlgorithms, ALLOWED.signatures);
  sig.HashAlgorithms = only(sig.HashAlgorithms, ALLOWED.digests);
  sig.CanonicalizationAlgorithms = only(sig.CanonicalizationAlgorithms, ALLOWED.transforms);
  return sig;
}

/** The model xml-crypto verified, re-checked: one reference, to this ID, allowed algorithms. */
function checkModel(sig: SignedXml, id: string): void {
  const refs = sig.getReferences();
  const [ref] = refs;
  const ok =
    refs.length === 1 &&
    ref !== undefined &&
    ref.uri === `#${id}` &&
    allowed(ALLOWED.digests, ref.digestAlgorithm) &&
    ref.transforms.every((t) => allowed(ALLOWED.transforms, t)) &&
    allowed(ALLOWED.signatures, sig.signatureAlgorithm) &&
    allowed(ALLOWED.canonicalization, sig.canonicalizationAlgorithm);
  if (!ok) reject(SAML_REASONS.badSignature, 'the verified signature is not the expected one');
}

/** Runs xml-crypto with one key: the signed canonical XML, or null when the key does not match. */
function verifyWith(key: KeyObject, xml: string, signature: Element, id: string): string | null {
  const sig = verifierFor(key);
  try {
    sig.loadSignature(signature);
    if (!sig.checkSignature(xml)) reject(SAML_REASONS.badSignature, 'the signed content was changed');
  } catch (err) {
    if (err instanceof SamlRejected) throw err;
    if (WRONG_KEY.test((err as Error).message)) return null;
    return reject(SAML_REASONS.badSignature, (err as Error).message);
  }
  checkModel(sig, id);
  const signed = sig.getSignedReferences();
  return theOnly(signed, SAML_REASONS.badSignature, `${signed.length} signed references`);
}

/**
 * Verifies the enveloped signature of `assertion` (the document element of `xml`) with one of
 * the IdP's `keys`, and returns the assertion re-parsed from the canonical XML xml-crypto says
 * was signed. Every later check reads only that element, never the original DOM, so content
 * outside the signed reference (signature wrapping, XSW) cannot be seen (RFC 7522 §3 item 9,
 * xml-crypto README "Verifying Xml documents").
 */
export function verifyAssertionSignature(xml: string, assertion: Element, keys: KeyObject[]): Element {
  const id = attr(assertion, 'ID') ?? reject(SAML_REASONS.malformed, 'no ID');
  const signature = findSignature(assertion);
  checkSignedInfo(signature, id);
  for (const key of keys) {
    const signedXml = verifyWith(key, xml, signature, id);
    if (signedXml === null) continue;
    const signed = parseXml(signedXml).documentElement;
    if (!isElement(signed, NS.saml, 'Assertion') || attr(signed, 'ID') !== id) {
      reject(SAML_REASONS.badSignature, 'the signed content is not this assertion');
    }
    return signed;
  }
  return reject(SAML_REASONS.badSignature, 'no key of the identity provider verifies it');
}

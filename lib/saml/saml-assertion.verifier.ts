import type { TrustedIdp } from './idp-keys';
import { checkConditions, Clock } from './saml-conditions';
import { reject, SAML_REASONS, theOnly } from './saml-rejected';
import { verifyAssertionSignature } from './saml-signature';
import { checkSubject } from './saml-subject';
import { parseSamlTime } from './saml-time';
import { attr, children, decodeAssertion, Element, isElement, NS, parseXml } from './saml-xml';

/** What this server accepts, per RFC 7522 §3. */
export interface SamlRules {
  idps: TrustedIdp[];
  /**
   * Accepted `<Audience>` values (this server's issuer id and token endpoint URL): every
   * AudienceRestriction must contain at least one of them (SAML core §2.5.1.4, RFC 7522 §3 item 2).
   */
  audiences: string[];
  /** The token endpoint URL: a bearer SubjectConfirmationData `Recipient` must equal it (RFC 7522 §3 item 5). */
  recipient: string;
  /** Seconds of clock skew on NotBefore / NotOnOrAfter / IssueInstant. */
  leeway: number;
  /** Longest accepted window from IssueInstant to the expiry, in seconds. */
  maxLifetime: number;
  /** Clock, ms since epoch (tests inject it); defaults to `Date.now`. */
  now?: () => number;
}

/** What a valid assertion says. */
export interface SamlSubject {
  /** The IdP entity id. */
  issuer: string;
  /** `<Subject><NameID>` text, trimmed. */
  nameId: string;
  nameIdFormat?: string;
  /** The Assertion's ID attribute: the caller makes it single use until `expiresAt`. */
  assertionId: string;
  /** Unix seconds: the earliest of Conditions NotOnOrAfter and the bearer SubjectConfirmationData NotOnOrAfter. */
  expiresAt: number;
}

/** xs:ID is an NCName; bounded because the caller stores it to prevent replay. */
const XS_ID = /^[\p{L}_][\p{L}\p{N}_.\-\u00B7]{0,255}$/u;
/** SAML profiles §4.1.4.2: an Issuer Format, if any, is the entity format. */
const ENTITY = 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity';

/** SAML core §2.3.3: a version 2.0 Assertion with an ID; anything else is named precisely. */
function checkRoot(root: Element | null): { root: Element; id: string } {
  const name = root ? `{${root.namespaceURI}}${root.localName}` : 'no element';
  if (isElement(root, NS.saml, 'EncryptedAssertion')) reject(SAML_REASONS.encrypted, name);
  if (!isElement(root, NS.saml, 'Assertion')) return reject(SAML_REASONS.notAssertion, name);
  if (attr(root, 'Version') !== '2.0') reject(SAML_REASONS.notAssertion, `Version ${attr(root, 'Version')}`);
  const id = attr(root, 'ID');
  if (id === undefined || !XS_ID.test(id)) return reject(SAML_REASONS.malformed, 'no valid ID');
  return { root, id };
}

/** SAML core §2.3.3: exactly one Issuer; RFC 7522 §3 item 1: it names the IdP. */
function issuerOf(assertion: Element): string {
  const issuers = children(assertion, NS.saml, 'Issuer');
  const issuer = theOnly(issuers, SAML_REASONS.malformed, `${issuers.length} Issuer elements`);
  const format = attr(issuer, 'Format');
  if (format !== undefined && format !== ENTITY) reject(SAML_REASONS.untrustedIssuer, `Issuer Format ${format}`);
  return (issuer.textContent ?? '').trim();
}

/**
 * Verifies a base64url (RFC 7522 §2.1; standard base64 and padding tolerated) encoded SAML 2.0
 * `<saml:Assertion>` for the saml2-bearer grant, synchronously.
 *
 * The Issuer of the unverified document only chooses which IdP's keys to try; after the
 * signature checks out, every field is read from the signed canonical XML, and its Issuer must
 * be the same (signature-wrapping defence).
 *
 * @throws SamlRejected with a public `reason` and a private `detail`.
 */
export function verifySamlAssertion(encoded: string, rules: SamlRules): SamlSubject {
  const xml = decodeAssertion(encoded);
  const { root, id } = checkRoot(parseXml(xml).documentElement);
  const claimed = issuerOf(root);
  const idp =
    rules.idps.find((candidate) => candidate.issuer === claimed) ??
    reject(SAML_REASONS.untrustedIssuer, `Issuer ${JSON.stringify(claimed.slice(0, 200))}`);

  const signed = checkRoot(verifyAssertionSignature(xml, root, idp.keys)).root;
  if (issuerOf(signed) !== idp.issuer) reject(SAML_REASONS.badSignature, 'the signed Issuer differs');

  const clock: Clock = { now: (rules.now ?? Date.now)(), leeway: rules.leeway * 1000 };
  const issuedAt = parseSamlTime(attr(signed, 'IssueInstant'), 'IssueInstant');
  if (issuedAt > clock.now + clock.leeway)
    reject(SAML_REASONS.issuedInFuture, `IssueInstant ${attr(signed, 'IssueInstant')}`);
  const conditionsExpiry = checkConditions(signed, rules.audiences, clock);
  const subject = checkSubject(signed, rules.recipient, clock);

  // RFC 7522 §3 item 4: an expiry on Conditions or on the bearer SubjectConfirmationData.
  const expiries = [conditionsExpiry, subject.confirmationExpiry].filter((t): t is number => t !== undefined);
  if (expiries.length === 0) reject(SAML_REASONS.noExpiry);
  const expiry = Math.min(...expiries);
  if (expiry - issuedAt > rules.maxLifetime * 1000) reject(SAML_REASONS.tooLong, `${(expiry - issuedAt) / 1000} s`);

  const result: SamlSubject = {
    issuer: idp.issuer,
    nameId: subject.nameId,
    assertionId: id,
    expiresAt: Math.ceil(expiry / 1000)
  }; // ceil: remembered at least as long as it is accepted
  if (subject.nameIdFormat !== undefined) result.nameIdFormat = subject.nameIdFormat;
  return result;
}

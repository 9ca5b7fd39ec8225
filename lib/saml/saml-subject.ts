import { reject, SAML_REASONS, SamlReason } from './saml-rejected';
import type { Clock } from './saml-conditions';
import { parseSamlTime } from './saml-time';
import { attr, children, Element, elementChildren, NS, onlyChild } from './saml-xml';

/** SAML core §3.4.1.1 / profiles §3.3: the bearer confirmation method. */
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** Longest NameID accepted: it becomes a user name and a log field. */
const MAX_NAME_ID = 256;

/** What the subject says, and how long its bearer confirmation lasts. */
export interface CheckedSubject {
  nameId: string;
  nameIdFormat?: string;
  /** The chosen SubjectConfirmationData NotOnOrAfter (ms), if any. */
  confirmationExpiry?: number;
}

function nameIdOf(subject: Element): { nameId: string; nameIdFormat?: string } {
  if (children(subject, NS.saml, 'EncryptedID').length > 0) reject(SAML_REASONS.encrypted, 'EncryptedID');
  const el = onlyChild(subject, NS.saml, 'NameID') ?? reject(SAML_REASONS.noNameId);
  if (elementChildren(el).length > 0) reject(SAML_REASONS.malformed, 'NameID has child elements');
  // textContent of the signed canonical XML: comments are gone, so a comment cannot truncate it.
  const nameId = (el.textContent ?? '').trim();
  if (nameId === '') reject(SAML_REASONS.noNameId, 'empty NameID');
  if (nameId.length > MAX_NAME_ID) reject(SAML_REASONS.nameIdTooLong, `${nameId.length} characters`);
  const nameIdFormat = attr(el, 'Format');
  return nameIdFormat === undefined ? { nameId } : { nameId, nameIdFormat };
}

/**
 * One bearer SubjectConfirmation must be usable here (RFC 7522 §3 item 5): its
 * SubjectConfirmationData names this token endpoint as Recipient (compared exactly), has no
 * NotBefore (SAML profiles §4.1.4.2 forbids it for bearer), and its NotOnOrAfter, if present,
 * has not passed (item 6). Data is required, even though item 5 lets Conditions NotOnOrAfter
 * stand in for it: without a Recipient the assertion could be replayed at another endpoint.
 */
function bearerExpiry(subject: Element, recipient: string, clock: Clock): number | undefined {
  const bearers = children(subject, NS.saml, 'SubjectConfirmation').filter((c) => attr(c, 'Method') === BEARER);
  if (bearers.length === 0) reject(SAML_REASONS.noBearer);
  let failure: SamlReason = SAML_REASONS.wrongRecipient;
  for (const confirmation of bearers) {
    const data = onlyChild(confirmation, NS.saml, 'SubjectConfirmationData');
    if (!data || attr(data, 'Recipient') !== recipient) continue;
    const notOnOrAfter = attr(data, 'NotOnOrAfter');
    const expiry =
      notOnOrAfter === undefined ? undefined : parseSamlTime(notOnOrAfter, 'SubjectConfirmationData NotOnOrAfter');
    if (attr(data, 'NotBefore') !== undefined) {
      if (failure === SAML_REASONS.wrongRecipient) failure = SAML_REASONS.confirmationNotBefore;
    } else if (expiry !== undefined && clock.now - clock.leeway >= expiry) {
      if (failure === SAML_REASONS.wrongRecipient) failure = SAML_REASONS.confirmationExpired;
    } else {
      return expiry;
    }
  }
  return reject(failure);
}

/** Reads and checks `<Subject>` (RFC 7522 §3 items 3 and 5) of the signed assertion. */
export function checkSubject(assertion: Element, recipient: string, clock: Clock): CheckedSubject {
  const subject = onlyChild(assertion, NS.saml, 'Subject') ?? reject(SAML_REASONS.noNameId, 'no Subject');
  const named = nameIdOf(subject);
  const confirmationExpiry = bearerExpiry(subject, recipient, clock);
  return confirmationExpiry === undefined ? named : { ...named, confirmationExpiry };
}

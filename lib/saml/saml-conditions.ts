import { reject, SAML_REASONS } from './saml-rejected';
import { parseSamlTime } from './saml-time';
import { attr, children, Element, elementChildren, NS, onlyChild } from './saml-xml';

/** The verification instant and the allowed clock skew, both in ms. */
export interface Clock {
  now: number;
  leeway: number;
}

/**
 * Conditions this server understands (SAML core §2.5.1). OneTimeUse is honoured by the caller,
 * which makes every assertion single use anyway; ProxyRestriction only limits assertions that we
 * would issue from this one, which we never do.
 */
const UNDERSTOOD = new Set(['AudienceRestriction', 'OneTimeUse', 'ProxyRestriction']);

/**
 * SAML core §2.5.1.4: each AudienceRestriction is satisfied when one of its Audiences is ours,
 * and all of them must be satisfied. RFC 7522 §3 item 2 requires at least one.
 */
function checkAudiences(conditions: Element, audiences: readonly string[]): void {
  const restrictions = children(conditions, NS.saml, 'AudienceRestriction');
  if (restrictions.length === 0) reject(SAML_REASONS.noAudienceRestriction);
  for (const restriction of restrictions) {
    const named = children(restriction, NS.saml, 'Audience').map((a) => (a.textContent ?? '').trim());
    if (!named.some((audience) => audiences.includes(audience))) {
      reject(SAML_REASONS.wrongAudience, `audiences ${JSON.stringify(named).slice(0, 300)}`);
    }
  }
}

/**
 * Checks `<Conditions>`, which RFC 7522 §3 item 2 requires (for its AudienceRestriction):
 * NotBefore and NotOnOrAfter with `clock.leeway` of skew (SAML core §2.5.1.2, RFC 7522 §3
 * item 6), the audiences, and no condition we do not understand (SAML core §2.5.1: such an
 * assertion is Indeterminate; RFC 7522 §3 item 11 says reject).
 *
 * @returns the Conditions NotOnOrAfter (ms), if any.
 */
export function checkConditions(assertion: Element, audiences: readonly string[], clock: Clock): number | undefined {
  const conditions =
    onlyChild(assertion, NS.saml, 'Conditions') ?? reject(SAML_REASONS.noAudienceRestriction, 'no Conditions');
  const notBefore = attr(conditions, 'NotBefore');
  if (notBefore !== undefined && parseSamlTime(notBefore, 'Conditions NotBefore') > clock.now + clock.leeway) {
    reject(SAML_REASONS.notYetValid, `NotBefore ${notBefore}`);
  }
  const notOnOrAfterText = attr(conditions, 'NotOnOrAfter');
  const notOnOrAfter =
    notOnOrAfterText === undefined ? undefined : parseSamlTime(notOnOrAfterText, 'Conditions NotOnOrAfter');
  if (notOnOrAfter !== undefined && clock.now - clock.leeway >= notOnOrAfter) {
    reject(SAML_REASONS.expired, `NotOnOrAfter ${notOnOrAfterText}`);
  }
  const unknown = elementChildren(conditions).find(
    (c) => c.namespaceURI !== NS.saml || !UNDERSTOOD.has(c.localName ?? '')
  );
  if (unknown) reject(SAML_REASONS.unknownCondition, `{${unknown.namespaceURI}}${unknown.localName}`);
  checkAudiences(conditions, audiences);
  return notOnOrAfter;
}

/**
 * Why a SAML bearer assertion was refused. Each text is public: the grant sends it as the
 * `error_description` of `invalid_grant` (RFC 7521 §5.2, RFC 7522 §3.1), so it names the failed
 * rule without echoing anything from the assertion. Anything more goes in `detail`, for the log.
 */
export const SAML_REASONS = {
  malformed: 'The assertion is malformed',
  tooLarge: 'The assertion is too large',
  notAssertion: 'The assertion is not a SAML 2.0 Assertion',
  encrypted: 'Encrypted SAML elements are not supported',
  notSigned: 'The assertion is not signed',
  badAlgorithm: 'The assertion is signed with an algorithm this server does not accept',
  badSignature: 'The assertion signature is invalid',
  untrustedIssuer: 'The assertion was not issued by a trusted identity provider',
  noAudienceRestriction: 'The assertion has no audience restriction',
  wrongAudience: 'The assertion is not meant for this audience',
  unknownCondition: 'The assertion has a condition this server does not understand',
  noExpiry: 'The assertion has no expiry',
  expired: 'The assertion has expired',
  notYetValid: 'The assertion is not valid yet',
  issuedInFuture: 'The assertion was issued in the future',
  tooLong: 'The assertion is valid for longer than this server accepts',
  noNameId: 'The assertion has no subject NameID',
  nameIdTooLong: 'The assertion subject NameID is too long',
  noBearer: 'The assertion has no bearer subject confirmation',
  wrongRecipient: 'The assertion has no bearer subject confirmation for this token endpoint',
  confirmationExpired: 'The assertion bearer subject confirmation has expired',
  confirmationNotBefore: 'The assertion bearer subject confirmation must not have NotBefore'
} as const;

/** One of the public refusal texts. */
export type SamlReason = (typeof SAML_REASONS)[keyof typeof SAML_REASONS];

/**
 * A refused assertion. The grant maps it to `invalid_grant` with `reason` as the description;
 * `detail` (what exactly failed, parser messages) only ever goes to the log.
 */
export class SamlRejected extends Error {
  constructor(
    readonly reason: string,
    readonly detail?: string
  ) {
    super(reason);
    this.name = 'SamlRejected';
  }
}

/** Shorthand for `throw new SamlRejected(…)` in expressions. */
export function reject(reason: SamlReason, detail?: string): never {
  throw new SamlRejected(reason, detail);
}

/** The single item of a list the assertion must hold exactly one of; any other count refuses it. */
export function theOnly<T>(items: readonly T[], reason: SamlReason, detail: string): T {
  const [item] = items;
  if (items.length !== 1 || item === undefined) return reject(reason, detail);
  return item;
}

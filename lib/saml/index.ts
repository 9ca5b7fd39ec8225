/** SAML 2.0 bearer assertions for the RFC 7522 grant: the verifier and what configures it. */
export { loadIdpKeys } from './idp-keys';
export type { TrustedIdp } from './idp-keys';
export { verifySamlAssertion } from './saml-assertion.verifier';
export type { SamlRules, SamlSubject } from './saml-assertion.verifier';
export { SAML_REASONS, SamlRejected } from './saml-rejected';
export type { SamlReason } from './saml-rejected';

/** RFC 8693 §3: the token type identifiers this server takes as subject and actor tokens, and issues. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
export const SAML2_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:saml2';

export const PRESENTED_TOKEN_TYPES = [ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE, SAML2_TOKEN_TYPE] as const;
export type PresentedTokenType = (typeof PRESENTED_TOKEN_TYPES)[number];

export const isPresentedTokenType = (value: unknown): value is PresentedTokenType =>
  (PRESENTED_TOKEN_TYPES as readonly unknown[]).includes(value);

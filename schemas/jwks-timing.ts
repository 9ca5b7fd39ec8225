/**
 * How long to wait for a JWK Set, and how often it may be fetched: for the policy's issuers, trusted assertion issuers
 * and apps alike.
 */
export const jwksTimeout = {
  type: 'integer',
  minimum: 100,
  maximum: 60000,
  default: 5000,
  description: 'Milliseconds to wait for the JWK Set.'
} as const;

export const jwksCooldown = {
  type: 'integer',
  minimum: 1,
  maximum: 3600,
  default: 30,
  description:
    'Seconds after a fetch of the JWK Set (or a failed one) before it may be fetched again (bounds the load forged ' +
    '`kid`s cause).'
} as const;

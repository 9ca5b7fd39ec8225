/**
 * EG's common auth parameters (base/auth.json in EG's lib/policies/index.js),
 * which the policy schema takes in by `$ref`. EG registers that schema itself;
 * this copy describes its one parameter for the README's policy table.
 */
export const egAuthSchema = {
  $id: 'http://express-gateway.io/schemas/base/auth.json',
  type: 'object',
  properties: {
    passThrough: {
      type: 'boolean',
      default: false,
      description:
        'On a missing or refused token (one without the scopes needed too), continue as `eg-consumer-id: anonymous` ' +
        "(EG's common auth parameter). Never on a Redis outage, a token that could not be checked (its issuer's keys or introspection " +
        'endpoint unreachable) or a malformed request.'
    }
  }
} as const;

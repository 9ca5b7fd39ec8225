/**
 * Parameters of the `oauth2` policy in a pipeline (`- oauth2: - action: {...}`).
 * The root stays open: EG mixes its own action helpers into the same object.
 */
export const policySchema = {
  $id: 'https://express-gateway-plugin-oauth2/schemas/policy.json',
  type: 'object',
  allOf: [
    { $ref: 'http://express-gateway.io/schemas/base/auth.json' },
    {
      type: 'object',
      properties: {
        tokenStrategy: {
          type: 'string',
          enum: ['local'],
          default: 'local',
          description: 'local: tokens issued by this plugin.'
        },
        realm: {
          type: 'string',
          pattern: '^[^"\\\\\\r\\n]*$',
          default: 'express-gateway',
          description: 'The realm named in WWW-Authenticate challenges (RFC 6750 §3).'
        },
        hideCredentials: {
          type: 'boolean',
          default: true,
          description: 'Remove the access token from the request before it goes upstream.'
        },
        allowBodyToken: {
          type: 'boolean',
          default: false,
          description: 'Also accept the token as an access_token form-body parameter (RFC 6750 §2.2).'
        },
        allowQueryToken: {
          type: 'boolean',
          default: false,
          description: 'Also accept the token as an access_token query parameter (RFC 6750 §2.3; leaks into logs, avoid).'
        },
        maxBodyBytes: {
          type: 'integer',
          minimum: 256,
          default: 1048576,
          description: 'With allowBodyToken: the largest form body read to find the token.'
        }
      }
    }
  ]
} as const;

/** The policy parameters once EG has validated and defaulted them. */
export interface PolicyParams {
  passThrough: boolean;
  tokenStrategy: 'local';
  realm: string;
  hideCredentials: boolean;
  allowBodyToken: boolean;
  allowQueryToken: boolean;
  maxBodyBytes: number;
}

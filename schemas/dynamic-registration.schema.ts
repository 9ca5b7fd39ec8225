/**
 * Settings of dynamic client registration (RFC 7591, RFC 7592):
 * `plugins.oauth2.dynamicRegistration`. Off by default.
 */
export const dynamicRegistrationSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description:
    'Dynamic client registration (RFC 7591) and client management (RFC 7592) at routes.register (off by default).',
  properties: {
    enabled: {
      type: 'boolean',
      default: false,
      description:
        'Serve `routes.register` (RFC 7591, RFC 7592) and list it as `registration_endpoint` in the metadata.'
    },
    initialAccessScope: {
      type: 'string',
      minLength: 1,
      default: 'client_registration',
      description:
        'An access token of this server holding this scope is an initial access token (RFC 7591 §3); admin-issued ' +
        'ones work too.'
    },
    allowedScopes: {
      type: 'array',
      uniqueItems: true,
      default: [],
      items: { type: 'string', minLength: 1 },
      description:
        'Scopes a registered client may ask for (each must exist in EG); any other is `invalid_client_metadata`, not ' +
        'quietly narrowed, and a client asking for none gets none.'
    },
    maxClientsPerOwner: {
      type: 'integer',
      minimum: 1,
      maximum: 100000,
      default: 10,
      description:
        'Most clients one owner may register with an access token as initial access token (admin-issued initial ' +
        'access tokens have their own number of uses); past it 403 `access_denied`.'
    },
    maxBodyBytes: {
      type: 'integer',
      minimum: 1024,
      maximum: 1048576,
      default: 65536,
      description:
        'Largest registration or update body (a JWK Set can be a few kilobytes); larger is `invalid_request`.'
    }
  }
} as const;

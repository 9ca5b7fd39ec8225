/**
 * Settings of dynamic client registration (RFC 7591, RFC 7592):
 * `plugins.oauth2.dynamicRegistration`. Off by default.
 */
export const dynamicRegistrationSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'Dynamic client registration (RFC 7591) and client management (RFC 7592) at routes.register (off by default).',
  properties: {
    enabled: { type: 'boolean', default: false, description: 'Serve the registration endpoint and list it in the metadata.' },
    initialAccessScope: {
      type: 'string',
      minLength: 1,
      default: 'client_registration',
      description: 'An access token of this server holding this scope may register clients (RFC 7591 §3: an initial access token); ' +
        'admin-issued initial access tokens work too.'
    },
    allowedScopes: {
      type: 'array', uniqueItems: true, default: [], items: { type: 'string', minLength: 1 },
      description: 'Scopes a dynamically registered client may ask for (each must exist in EG). A registration asking for any other ' +
        'scope is refused with invalid_client_metadata rather than quietly narrowed, so the client knows what it holds; ' +
        'one that asks for none gets none.'
    },
    maxClientsPerOwner: {
      type: 'integer', minimum: 1, maximum: 100000, default: 10,
      description: 'Most clients one owner may have registered dynamically with an access token as initial access token ' +
        '(admin-issued initial access tokens have their own number of uses instead); past it, 403 access_denied.'
    },
    maxBodyBytes: {
      type: 'integer', minimum: 1024, maximum: 1048576, default: 65536,
      description: 'Largest registration or update body read (a JWK Set can be a few kilobytes); a larger one is invalid_request.'
    }
  }
} as const;

/** dynamicRegistration once validated and defaulted. */
export interface DynamicRegistrationSettings {
  enabled: boolean;
  initialAccessScope: string;
  allowedScopes: string[];
  maxClientsPerOwner: number;
  maxBodyBytes: number;
}

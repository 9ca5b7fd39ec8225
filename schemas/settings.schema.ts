/**
 * JSON Schema of the plugin's settings (`plugins.oauth2` in system.config.yml).
 *
 * This is the only place where defaults live: the README's configuration
 * reference is read from it, and `lib/settings.ts` applies it.
 */
export const GRANT_TYPES = [
  'authorization_code',
  'implicit',
  'password',
  'client_credentials',
  'refresh_token'
] as const;

/** Every grant but `implicit`, which RFC 9700 §2.1.2 says not to use. */
export const DEFAULT_GRANTS = GRANT_TYPES.filter((grant) => grant !== 'implicit');

const duration = (defaultSeconds: number, description: string) => ({
  type: 'integer',
  minimum: 1,
  maximum: 31536000,
  default: defaultSeconds,
  description
});

const routePath = (defaultPath: string, description: string) => ({
  type: 'string',
  pattern: '^/[A-Za-z0-9._~!$&\'()*+,;=:@/-]*$',
  default: defaultPath,
  description
});

export const settingsSchema = {
  $id: 'https://express-gateway-plugin-oauth2/schemas/settings.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    package: {
      type: 'string',
      description: 'Where Express Gateway loads the plugin from (read by Express Gateway itself).'
    },
    issuer: {
      type: 'string',
      pattern: '^https?://[^?#]+$',
      description: 'Issuer identifier (RFC 8414 §2): an http(s) URL without query or fragment. ' +
        'Defaults to http://localhost:<gateway http port>.'
    },
    basePath: routePath('/oauth2', 'Path under which every endpoint of the plugin is mounted.'),
    routes: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Endpoint paths, relative to basePath.',
      properties: {
        token: routePath('/token', 'Token endpoint (RFC 6749 §3.2).')
      }
    },
    accessToken: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        ttl: duration(3600, 'Access token lifetime in seconds.'),
        format: {
          type: 'string',
          enum: ['opaque'],
          default: 'opaque',
          description: 'opaque: a random reference token, stored hashed.'
        }
      }
    },
    refreshToken: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        ttl: duration(1209600, 'Refresh token lifetime in seconds (default 14 days).'),
        rotate: {
          type: 'boolean',
          default: true,
          description: 'Issue a new refresh token on every use and retire the old one (RFC 9700 §4.14.2).'
        }
      }
    },
    authorizationCode: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        ttl: duration(60, 'Authorization code lifetime in seconds (RFC 6749 §4.1.2 advises at most 10 minutes).')
      }
    },
    grants: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', enum: [...GRANT_TYPES] },
      default: DEFAULT_GRANTS,
      description: 'Enabled grant types, by their RFC names.'
    },
    tokenEndpoint: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        maxBodyBytes: {
          type: 'integer',
          minimum: 256,
          maximum: 1048576,
          default: 16384,
          description: 'Largest request body the token endpoint reads; a larger one is invalid_request.'
        }
      }
    },
    store: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        keyPrefix: {
          type: 'string',
          minLength: 1,
          pattern: '^[A-Za-z0-9:_-]+$',
          description: 'Prefix of every Redis key the plugin writes. ' +
            'Defaults to "<db.redis.namespace>-oauth2-plugin:".'
        }
      }
    }
  }
} as const;

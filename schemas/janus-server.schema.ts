import { KEY_ALGORITHMS } from './settings.schema';
import { SERVER_NAME } from './server-name';
import { PROXY_METHODS } from './server.schema';

/**
 * A Janus proxy definition (motiv-labs/janus pkg/proxy/definition.go,
 * docs/proxy/*): how one OAuth endpoint is exposed and where it goes.
 */
const janusProxy = {
  type: 'object',
  additionalProperties: false,
  properties: {
    listen_path: {
      type: 'string',
      pattern: '^/[^\\s?#]*$',
      maxLength: 500,
      description: 'The path the gateway listens on; a trailing /* takes every path below.'
    },
    upstreams: {
      type: 'object',
      additionalProperties: false,
      properties: {
        balancing: { type: 'string', enum: ['roundrobin', 'rr', 'weight'], default: 'roundrobin' },
        targets: {
          type: 'array',
          minItems: 1,
          maxItems: 20,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['target'],
            properties: {
              target: { type: 'string', pattern: '^https?://[^\\s]+$', maxLength: 2000 },
              weight: { type: 'integer', minimum: 0, maximum: 1000 }
            }
          }
        }
      }
    },
    upstream_url: {
      type: 'string',
      pattern: '^https?://[^\\s]+$',
      maxLength: 2000,
      description: 'The older single upstream.'
    },
    strip_path: { type: 'boolean', default: false },
    append_path: { type: 'boolean', default: false },
    preserve_host: { type: 'boolean', default: false },
    methods: { type: 'array', maxItems: 10, items: { type: 'string', enum: [...PROXY_METHODS] } },
    hosts: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 255 } },
    insecure_skip_verify: {
      type: 'boolean',
      const: false,
      description: 'Accepted only false: the gateway always verifies upstream certificates.'
    },
    forwarding_timeouts: {
      type: 'object',
      additionalProperties: false,
      properties: {
        dial_timeout: { type: 'string', pattern: '^[0-9.]+(ns|us|µs|ms|s|m|h)$' },
        response_header_timeout: { type: 'string', pattern: '^[0-9.]+(ns|us|µs|ms|s|m|h)$' }
      }
    }
  }
} as const;

/** Janus's token_strategy.settings for introspection (pkg/plugin/oauth2/oauth.go IntrospectionSettings). */
export const janusIntrospectionSettings = {
  type: 'object',
  additionalProperties: false,
  properties: {
    use_custom_header: { type: 'boolean' },
    header_name: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' },
    use_auth_header: { type: 'boolean' },
    auth_header_type: { type: 'string', pattern: '^[A-Za-z0-9-]{1,32}$' },
    use_body: { type: 'boolean' },
    param_name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' }
  }
} as const;

/**
 * An external authorization server in Janus's shape (seed 000; Janus's
 * pkg/plugin/oauth2/oauth.go), as `/oauth/servers` on the admin API takes and
 * answers it. lib/servers/janus-entry.ts maps it to and from the registry's
 * own entry (schemas/server.schema.ts).
 */
export const janusServerSchema = {
  $id: 'https://express-gateway-plugin-oauth2/schemas/janus-server.json',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'token_strategy'],
  properties: {
    name: { type: 'string', pattern: SERVER_NAME.source },
    oauth_endpoints: {
      type: 'object',
      additionalProperties: false,
      properties: {
        authorize: janusProxy,
        token: janusProxy,
        introspect: janusProxy,
        introspection: janusProxy,
        revoke: janusProxy
      }
    },
    oauth_client_endpoints: {
      type: 'object',
      additionalProperties: false,
      properties: { create: janusProxy, remove: janusProxy }
    },
    allowed_access_types: {
      type: 'array',
      uniqueItems: true,
      maxItems: 10,
      items: { type: 'string', minLength: 1, maxLength: 100 }
    },
    allowed_authorize_types: {
      type: 'array',
      uniqueItems: true,
      maxItems: 2,
      items: { type: 'string', enum: ['code', 'token'] }
    },
    auth_login_redirect: { type: 'string', maxLength: 2000 },
    secrets: {
      type: 'object',
      maxProperties: 1000,
      propertyNames: { minLength: 1, maxLength: 200 },
      additionalProperties: { type: 'string', minLength: 1, maxLength: 500 }
    },
    token_strategy: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string', enum: ['jwt', 'introspection'] },
        settings: {
          oneOf: [
            {
              type: 'array',
              minItems: 1,
              maxItems: 20,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['alg', 'key'],
                properties: {
                  alg: { type: 'string', enum: [...KEY_ALGORITHMS] },
                  key: { type: 'string', minLength: 1, maxLength: 20000 }
                }
              }
            },
            {
              type: 'object',
              additionalProperties: false,
              required: ['secret'],
              properties: { secret: { type: 'string', minLength: 1, maxLength: 2000 } }
            },
            janusIntrospectionSettings
          ]
        },
        leeway: { type: 'integer', minimum: 0, maximum: 3600, default: 0 }
      }
    }
  }
} as const;

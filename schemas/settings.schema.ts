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
        token: routePath('/token', 'Token endpoint (RFC 6749 §3.2).'),
        authorize: routePath('/authorize', 'Authorization endpoint (RFC 6749 §3.1).'),
        decision: routePath('/authorize/decision', 'Where the consent form posts Allow or Deny.'),
        login: routePath('/login', 'Sign-in page of resource owners.'),
        logout: routePath('/logout', 'Sign-out page.'),
        assets: routePath('/assets', 'Static files of the pages (style sheet).')
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
    pkce: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Proof Key for Code Exchange (RFC 7636).',
      properties: {
        require: {
          type: 'string',
          enum: ['public-clients', 'required', 'optional'],
          default: 'public-clients',
          description: 'public-clients: required of public clients, honoured when confidential ones send it; ' +
            'required: of every client; optional: honoured when sent.'
        },
        allowPlain: {
          type: 'boolean',
          default: true,
          description: 'Accept code_challenge_method=plain. RFC 7636 §4.2 says clients able to use S256 must; turn off to insist.'
        }
      }
    },
    consent: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        remember: {
          type: 'boolean',
          default: true,
          description: 'Remember a user\'s consent per app and scopes, and do not ask again for the same or fewer scopes.'
        },
        ttl: duration(2592000, 'How long a remembered consent lasts, in seconds (default 30 days).')
      }
    },
    session: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Sessions of the login and consent pages (express-session, stored in the gateway\'s Redis).',
      properties: {
        secret: {
          type: 'string',
          minLength: 32,
          description: 'Signs the session cookie; at least 32 characters. Without it the gateway only starts on ' +
            'the emulated store (the demo), with a fixed demo secret.'
        },
        name: { type: 'string', pattern: '^[!#$%&\'*+.^_`|~0-9A-Za-z-]+$', default: 'oauth2.sid', description: 'Cookie name.' },
        ttl: duration(3600, 'Session lifetime in seconds.'),
        secure: {
          enum: ['auto', true, false],
          default: 'auto',
          description: 'Secure cookie flag; auto: set when the request came over HTTPS.'
        },
        sameSite: { type: 'string', enum: ['lax', 'strict'], default: 'lax', description: 'SameSite cookie attribute.' }
      }
    },
    login: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Throttling of failed sign-ins, counted in Redis so that it holds across gateway instances.',
      properties: {
        maxFailuresPerUser: { type: 'integer', minimum: 1, default: 5, description: 'Failed sign-ins per user name in a window before it is locked.' },
        maxFailuresPerIp: { type: 'integer', minimum: 1, default: 20, description: 'Failed sign-ins per client IP in a window before it is locked.' },
        window: duration(900, 'Length of the throttling window in seconds.')
      }
    },
    serviceName: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      default: 'Express Gateway',
      description: 'Name shown at the top of the sign-in and consent pages.'
    },
    scopeDescriptions: {
      type: 'object',
      additionalProperties: { type: 'string', maxLength: 500 },
      default: {},
      description: 'Human-readable text per scope, shown on the consent page (scope name -> description).'
    },
    views: {
      type: 'string',
      minLength: 1,
      description: 'A folder of pug templates replacing the default ones; a template missing there falls back to the default.'
    },
    assets: {
      type: 'string',
      minLength: 1,
      description: 'A folder of static files served under routes.assets instead of the default style sheet.'
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

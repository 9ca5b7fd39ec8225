import { dynamicRegistrationSchema } from './dynamic-registration.schema';
import { jwksCooldown, jwksTimeout } from './jwks-timing';

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
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:saml2-bearer',
  'urn:ietf:params:oauth:grant-type:device_code'
] as const;

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const SAML2_BEARER = 'urn:ietf:params:oauth:grant-type:saml2-bearer';
export const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * Grants RFC 9700 says must not (password, §2.4) or should not (implicit,
 * §2.1.2) be used: an operator may list them for clients of their own, never
 * are they on by default, and never are they granted to a client that
 * registered itself (pages or RFC 7591).
 */
export const DISCOURAGED_GRANTS: readonly string[] = ['implicit', 'password'];

/**
 * The grants enabled when `grants` is not set: every one but the discouraged
 * ones, and the SAML bearer grant, which trusts nobody until an identity
 * provider is configured (then it is added).
 */
export const DEFAULT_GRANTS = GRANT_TYPES.filter((grant) => !DISCOURAGED_GRANTS.includes(grant) && grant !== SAML2_BEARER);

/** JWS algorithms accepted for signing keys (RFC 7518, RFC 8037); never `none`. */
export const KEY_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'] as const;

const duration = (defaultSeconds: number, description: string) => ({
  type: 'integer',
  minimum: 1,
  maximum: 31536000,
  default: defaultSeconds,
  description
});

/** Who may present a trusted issuer's or identity provider's assertions. */
const allowedClients = {
  type: 'array',
  minItems: 1,
  items: { type: 'string', minLength: 1 },
  description: 'Client ids allowed to present its assertions; default: any client allowed the grant.'
};

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
      pattern: '^https?://[\\x21\\x24-\\x3E\\x40-\\x5B\\x5D-\\x7E]+$',
      description: 'Issuer identifier (RFC 8414 §2): an http(s) URL without query or fragment, in ASCII (a host name in its ' +
        'xn-- form): it is sent in headers (the Basic challenge\'s realm) as well as in tokens and metadata. ' +
        'Defaults to http://localhost:<gateway http port>.'
    },
    basePath: routePath('/oauth2', 'Path under which every endpoint of the plugin is mounted; any other path under it answers 404 ' +
      '(JSON, or the error page for a browser), never reaching a pipeline.'),
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
        assets: routePath('/assets', 'Static files of the pages (style sheet).'),
        revoke: routePath('/revoke', 'Token revocation endpoint (RFC 7009).'),
        introspect: routePath('/introspect', 'Token introspection endpoint (RFC 7662).'),
        tokeninfo: routePath('/tokeninfo', 'Token information for the token\'s own holder (GET, token in the Authorization header).'),
        jwks: routePath('/jwks', 'The public signing keys, as a JWK Set (RFC 7517).'),
        deviceAuthorization: routePath('/device_authorization', 'Device authorization endpoint (RFC 8628 §3.1).'),
        device: routePath('/device', 'Verification page where a user enters a device\'s user code (RFC 8628 §3.3).'),
        apps: routePath('/apps', 'Pages where signed-in users register and manage their own applications (see clientRegistration).'),
        register: routePath('/register', 'Dynamic client registration endpoint (RFC 7591; see dynamicRegistration).'),
        servers: routePath('/servers', 'Front proxy of the external authorization servers: <servers>/<name>/<endpoint>.')
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
          enum: ['opaque', 'jwt'],
          default: 'opaque',
          description: 'opaque: a random reference token, stored hashed. jwt: a signed JWT (RFC 9068 profile) ' +
            'signed with the first of `keys`; resource servers can verify it without a call.'
        },
        audience: {
          type: 'string',
          minLength: 1,
          description: 'The `aud` of JWT access tokens, which resource servers check. Defaults to the issuer.'
        }
      }
    },
    keys: {
      type: 'array',
      default: [],
      description: 'Keys of JWT access tokens: the first signs, all verify (rotate by putting a new key first). ' +
        'Public halves of asymmetric keys are published at routes.jwks.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kid', 'alg'],
        properties: {
          kid: { type: 'string', minLength: 1, maxLength: 100, description: 'Key id, sent in the JWT header.' },
          alg: { type: 'string', enum: [...KEY_ALGORITHMS], description: 'Signing algorithm.' },
          key: { type: 'string', minLength: 1, description: 'HMAC secret (HS*), or a PEM private key (a public key only verifies).' },
          keyFile: { type: 'string', minLength: 1, description: 'A file holding the key.' }
        }
      }
    },
    introspection: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Who may use the introspection endpoint (RFC 7662 §4).',
      properties: {
        scope: {
          type: 'string',
          minLength: 1,
          default: 'introspection',
          description: 'A client whose oauth2 credential holds this scope may introspect any token.'
        },
        ownTokens: {
          type: 'boolean',
          default: true,
          description: 'Any confidential client may introspect tokens issued to itself (others answer inactive).'
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
        },
        maxLifetime: duration(7776000, 'Absolute lifetime of a grant in seconds (default 90 days), counted from its first token ' +
          'response: no refresh works after it and no refresh token outlives it, however often it was rotated ' +
          '(RFC 9700 §4.14.2). There is no "forever": 0 is refused.'),
        rotationGracePeriod: {
          type: 'integer',
          minimum: 0,
          maximum: 60,
          default: 0,
          description: 'Seconds after a rotation during which the same client presenting the refresh token it just rotated ' +
            '(two tabs, a retry) gets new tokens of the same grant instead of having the grant revoked as a replay ' +
            '(RFC 9700 §4.14.2). A thief presenting it within them is not detected: keep it to a few seconds. 0: off.'
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
          default: 'required',
          description: 'required: of every client (RFC 9700 §2.1.1, OAuth 2.1: PKCE also stops code injection at confidential ' +
            'clients); public-clients: of public clients, honoured when confidential ones send it; optional: honoured when sent.'
        },
        allowPlain: {
          type: 'boolean',
          default: false,
          description: 'Accept code_challenge_method=plain, and a challenge without a method (which means plain, RFC 7636 §4.3). ' +
            'Off by default: RFC 9700 §2.1.1 asks for S256, which every client able to hash can use.'
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
        ttl: duration(2592000, 'How long a remembered consent lasts, in seconds (default 30 days).'),
        rememberPublicClients: {
          type: 'boolean',
          default: false,
          description: 'Also skip the consent page for public clients. Off by default: nothing proves a public client is who its ' +
            'client_id says, so RFC 6749 §10.2 and RFC 8252 §8.6 say to ask the user every time.'
        }
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
        visitorTtl: duration(600, 'Lifetime in seconds of a session without a signed-in user: the login form\'s CSRF token. ' +
          'Nothing at all is stored for a visitor until a form is shown.'),
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
    clientAuth: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Throttling of failed client authentications (client secrets at the token, revocation, introspection and device ' +
        'authorization endpoints), counted in Redis before any bcrypt, for all instances together, within login.window.',
      properties: {
        maxFailuresPerClient: {
          type: 'integer', minimum: 1, default: 10,
          description: 'Wrong secrets for one client_id in a window before it is locked: then every attempt, right or wrong, is refused ' +
            'without a bcrypt until the window passes without one.'
        },
        maxFailuresPerIp: { type: 'integer', minimum: 1, default: 50, description: 'Failed client authentications per client IP in a window before it is locked.' }
      }
    },
    bcrypt: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Where client secrets and passwords are checked: worker threads, so that bcrypt never holds up the event loop that serves API calls.',
      properties: {
        workers: {
          type: 'integer', minimum: 1, maximum: 64,
          description: 'Worker threads running bcrypt. Default: the CPU cores less one, at least 1 and at most 4.'
        },
        maxQueue: {
          type: 'integer', minimum: 0, maximum: 100000, default: 64,
          description: 'Checks that may wait for a worker; past that a check is answered 503 temporarily_unavailable with Retry-After ' +
            'at once. A secret proven right less than credentialCache.ttl ago needs no bcrypt and is never refused for this.'
        }
      }
    },
    trustProxy: {
      type: 'integer',
      minimum: 0,
      maximum: 10,
      default: 0,
      description: 'Reverse proxies (load balancers) in front of the gateway whose X-Forwarded-For entry is trusted: the client IP ' +
        'of the per-IP limits is the address that many hops back. 0: the address of the TCP peer.'
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
      description: 'Enabled grant types, by their RFC names. Default: all but implicit and password (RFC 9700 §2.1.2, §2.4), and ' +
        'the SAML bearer grant only when samlBearer.identityProviders lists one. Listed, implicit and password serve the ' +
        'operator\'s own apps only: self-registered and dynamically registered clients never get them.'
    },
    assertions: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Limits on every assertion: JWT bearer grants, JWT client authentication and SAML bearer grants.',
      properties: {
        leeway: { type: 'integer', minimum: 0, maximum: 300, default: 60, description: 'Seconds of clock skew tolerated on expiry, not-before and issue times.' },
        maxLifetime: duration(3600, 'Longest accepted span, in seconds, from an assertion\'s issue time to its expiry (RFC 7523 §3 item 4).')
      }
    },
    jwtBearer: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Trusted issuers of JWT bearer grant assertions (RFC 7523 §2.1). Apps may also register their own keys ' +
        '(app properties jwks or jwksUri) to assert themselves.',
      properties: {
        issuers: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['issuer'],
            properties: {
              issuer: { type: 'string', minLength: 1, maxLength: 500, description: 'The assertion\'s required iss.' },
              keys: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['alg'],
                  properties: {
                    kid: { type: 'string', minLength: 1, maxLength: 100 },
                    alg: { type: 'string', enum: [...KEY_ALGORITHMS] },
                    key: { type: 'string', minLength: 1, description: 'A PEM public key or certificate, or an HMAC secret.' },
                    keyFile: { type: 'string', minLength: 1 }
                  }
                },
                description: 'The issuer\'s verification keys.'
              },
              clients: allowedClients,
              jwksUri: { type: 'string', pattern: '^https?://', description: 'Or a JWK Set URL (https, or http on loopback only).' },
              jwksTimeout,
              jwksCooldown,
              algorithms: { type: 'array', minItems: 1, items: { type: 'string', enum: [...KEY_ALGORITHMS] }, description: 'Accepted algorithms; default: those of the keys.' }
            }
          }
        }
      }
    },
    samlBearer: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Trusted identity providers of SAML 2.0 bearer assertions (RFC 7522).',
      properties: {
        identityProviders: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['issuer'],
            properties: {
              issuer: { type: 'string', minLength: 1, maxLength: 500, description: 'The IdP\'s entity id: the assertion\'s <Issuer>.' },
              certificate: { type: 'string', minLength: 1, description: 'PEM signing certificate(s) or public key(s) of the IdP.' },
              certificateFile: { type: 'string', minLength: 1, description: 'Or a file holding them.' },
              clients: allowedClients
            }
          }
        }
      }
    },
    device: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Device authorization grant (RFC 8628).',
      properties: {
        ttl: duration(600, 'Lifetime of a device code and its user code, in seconds.'),
        interval: { type: 'integer', minimum: 1, maximum: 60, default: 5, description: 'Seconds a device must wait between polls (RFC 8628 §3.2).' },
        maxUserCodeFailures: {
          type: 'integer', minimum: 1, default: 5,
          description: 'Wrong user codes a signed-in user may enter per login window (and 4 times that per IP) before entry is locked (RFC 8628 §5.1).'
        },
        maxRequestsPerClient: {
          type: 'integer', minimum: 1, default: 120,
          description: 'Device authorization requests one client may make per minute; more are answered 429 slow_down.'
        },
        maxRequestsPerIp: {
          type: 'integer', minimum: 1, default: 30,
          description: 'Device authorization requests per client IP and minute; more are answered 429 slow_down.'
        }
      }
    },
    clientRegistration: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Web pages where signed-in users register their own applications (off by default).',
      properties: {
        enabled: { type: 'boolean', default: false, description: 'Serve the registration pages at routes.apps.' },
        selfServiceScopes: {
          type: 'array', uniqueItems: true, default: [], items: { type: 'string', minLength: 1 },
          description: 'Scopes a user may ask for on an app of their own (each must exist in EG).'
        },
        maxAppsPerUser: { type: 'integer', minimum: 1, maximum: 1000, default: 10, description: 'Most apps one user may register.' }
      }
    },
    dynamicRegistration: dynamicRegistrationSchema,
    clientUrls: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'URLs that clients supply and the gateway fetches (an app\'s jwks_uri, app property jwksUri). They must be https ' +
        'and are fetched only from public addresses, checked on the address connected to after DNS, with no redirect followed ' +
        'and at most 256 KiB read. URLs the operator configures (jwtBearer.issuers, the policy\'s jwt.jwksUri and ' +
        'introspection endpoint, the servers registry) are not concerned.',
      properties: {
        allowPrivateNetworks: {
          type: 'boolean',
          default: false,
          description: 'Also fetch from loopback, private (RFC 1918, unique local), link-local and other non-public addresses, ' +
            'and over plain http on loopback: for tests and deployments whose clients all live inside the network.'
        },
        timeout: {
          type: 'integer',
          minimum: 100,
          maximum: 60000,
          default: 5000,
          description: 'Milliseconds a fetch of a client\'s URL may take, DNS, connection and answer together.'
        },
        jwksCooldown: {
          ...jwksCooldown,
          description: 'Seconds after a fetch of an app\'s jwksUri (or a failed one) before an assertion naming an unknown kid may fetch it again.'
        }
      }
    },
    tokenCache: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Access tokens the oauth2 policy validated, kept in each gateway\'s memory so that a repeated token costs no Redis ' +
        'round trip. Revocations, and consumer changes made through EG\'s services (admin API, CLI), are announced over Redis ' +
        'pub/sub and drop entries at once on every instance; while that subscription is down nothing is served from memory.',
      properties: {
        ttl: {
          type: 'integer', minimum: 0, maximum: 3600, default: 30,
          description: 'Seconds a validated token is served from memory (never past its exp; 0: no cache). Bounds how long a ' +
            'change written to Redis by something else than the gateway (a script) takes to apply.'
        },
        maxEntries: { type: 'integer', minimum: 1, maximum: 10000000, default: 10000, description: 'Most tokens kept per gateway process (each takes one to a few kB with its consumer and headers).' }
      }
    },
    credentialCache: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Client secrets and user passwords the token endpoint verified with bcrypt, remembered as an HMAC (keyed ' +
        'with a random key of the process, never stored) of the secret and its stored hash, so that the next request with ' +
        'the same secret skips bcrypt. A changed, deactivated or removed credential, app or user no longer matches.',
      properties: {
        ttl: {
          type: 'integer', minimum: 0, maximum: 86400, default: 60,
          description: 'Seconds after a bcrypt check before the same secret is checked with bcrypt again (0: bcrypt every time).'
        },
        maxEntries: { type: 'integer', minimum: 1, maximum: 1000000, default: 10000, description: 'Most credentials remembered per gateway process.' }
      }
    },
    servers: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'The registry of external authorization servers (admin API /oauth2/servers and Janus\'s /oauth/servers).',
      properties: {
        strict: {
          type: 'boolean',
          default: false,
          description: 'Also refuse, through Janus\'s /oauth/servers, entries with a weakness (plain http off loopback, an HMAC key ' +
            'shorter than its hash, a jwt strategy without issuer or audience, a token sent in a URL), and stop using such entries ' +
            'already stored. /oauth2/servers always refuses them; Janus\'s path accepts them with warnings by default, since a ' +
            'partner\'s keys cannot be rotated on the day of a migration.'
        }
      }
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
        },
        acceptJson: {
          type: 'boolean',
          default: false,
          description: 'Compatibility with clients written for EG\'s built-in oauth2 policy, which took JSON bodies: also accept an ' +
            'application/json token request (a flat object of string values). RFC 6749 §3.2 says form bodies; leave it off unless ' +
            'such a client needs it.'
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
        },
        timeout: {
          type: 'integer',
          minimum: 100,
          maximum: 60000,
          default: 2000,
          description: 'Milliseconds a Redis command may take before the request it serves answers 503 ' +
            'temporarily_unavailable (set as ioredis commandTimeout on the gateway\'s connection). ' +
            'While Redis is unreachable requests fail at once instead of waiting for it.'
        }
      }
    }
  }
} as const;

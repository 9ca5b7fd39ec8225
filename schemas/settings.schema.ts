import { clientIdMetadataDocumentsSchema } from './client-id-metadata-documents.schema';
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
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:token-exchange'
] as const;

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const SAML2_BEARER = 'urn:ietf:params:oauth:grant-type:saml2-bearer' as const;
export const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange' as const;

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
 * provider is configured (then it is added). Token exchange is on, for the
 * clients tokenExchange.clients or an app's tokenExchangeAudiences names.
 */
export const DEFAULT_GRANTS = GRANT_TYPES.filter(
  (grant) => !DISCOURAGED_GRANTS.includes(grant) && grant !== SAML2_BEARER
);

/** The standard claims of OpenID Connect Core §5.1 but `sub`, which is always the user's id. */
export const STANDARD_CLAIMS = [
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'email_verified',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at'
] as const;

/** Where the standard claims come from when `oidc.claims` does not say: EG's default user model. */
export const BUILT_IN_CLAIMS: Readonly<Record<string, string>> = {
  preferred_username: 'username',
  given_name: 'firstname',
  family_name: 'lastname',
  email: 'email'
};

/** JWS algorithms accepted for signing keys (RFC 7518, RFC 8037); never `none`. */
export const KEY_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'EdDSA'
] as const;

const duration = (defaultSeconds: number, description: string) =>
  ({
    type: 'integer',
    minimum: 1,
    maximum: 31536000,
    default: defaultSeconds,
    description
  }) as const;

/** Who may present a trusted issuer's or identity provider's assertions. */
const allowedClients = {
  type: 'array',
  minItems: 1,
  items: { type: 'string', minLength: 1 },
  description: 'Client ids allowed to present its assertions; default: any client allowed the grant.'
} as const;

const routePath = (defaultPath: string, description: string) =>
  ({
    type: 'string',
    pattern: "^/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$",
    default: defaultPath,
    description
  }) as const;

/** One Redis node of a Sentinel group or a cluster. */
const redisNode = {
  type: 'object',
  additionalProperties: false,
  required: ['host', 'port'],
  properties: {
    host: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 1, maximum: 65535 }
  }
} as const;

export const settingsSchema = {
  $id: 'https://express-gateway-plugin-oauth2/schemas/settings.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    package: {
      type: 'string',
      description: 'Where EG loads the plugin from (read by EG itself).'
    },
    profile: {
      type: 'string',
      enum: ['oauth2', 'fapi2'],
      default: 'oauth2',
      description:
        '`fapi2`: the FAPI 2.0 Security Profile as rules: pushed requests and PKCE S256 required, confidential clients ' +
        "with `private_key_jwt` only (the issuer alone as its assertions' audience), DPoP-bound access tokens only, at " +
        'the token endpoint and the pipelines alike, PS256/ES256/EdDSA only, codes of at most 60 seconds, no ' +
        'refresh token rotation, no implicit or password grant. A setting against it stops the gateway naming the ' +
        'requirement (see [FAPI 2.0](#fapi-20-security-profile)).'
    },
    issuer: {
      type: 'string',
      pattern: '^https?://[\\x21\\x24-\\x3E\\x40-\\x5B\\x5D-\\x7E]+$',
      docDefault: '`http://localhost:<http port>`, emulated store only',
      description:
        'Issuer identifier (RFC 8414 §2): an http(s) URL without query or fragment, in ASCII (an international host in ' +
        'its `xn--` form: the issuer is also the realm of `WWW-Authenticate` challenges). **Required on a real Redis**: the ' +
        'gateway refuses to start without it there.'
    },
    basePath: routePath(
      '/oauth2',
      'Path every endpoint is mounted under; any other path under it answers 404 (JSON, or the error ' +
        'page for a browser), never reaching a pipeline.'
    ),
    routes: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Endpoint paths, relative to basePath.',
      properties: {
        token: routePath('/token', 'Token endpoint path, relative to `basePath` (so are all the `routes.*`).'),
        authorize: routePath('/authorize', 'Authorization endpoint.'),
        par: routePath(
          '/par',
          'Pushed authorization request endpoint (RFC 9126), served with the authorization endpoint.'
        ),
        decision: routePath('/authorize/decision', 'Where the consent form posts.'),
        login: routePath('/login', 'Sign-in page.'),
        logout: routePath('/logout', 'Sign-out page.'),
        assets: routePath('/assets', 'Style sheet and other static files of the pages.'),
        revoke: routePath('/revoke', 'Revocation endpoint (RFC 7009).'),
        introspect: routePath('/introspect', 'Introspection endpoint (RFC 7662).'),
        tokeninfo: routePath(
          '/tokeninfo',
          "Token info for the token's holder (`GET`, token in the Authorization header)."
        ),
        jwks: routePath(
          '/jwks',
          'Public signing keys as a JWK Set (RFC 7517), served when `keys` holds an asymmetric key.'
        ),
        deviceAuthorization: routePath('/device_authorization', 'Device authorization endpoint (RFC 8628 §3.1).'),
        device: routePath(
          '/device',
          "Verification page where users enter a device's code (RFC 8628 §3.3); the consent form posts " +
            'to `<routes.device>/decision`.'
        ),
        apps: routePath('/apps', 'Self-service app registration pages (with `clientRegistration.enabled`).'),
        connectedApps: routePath(
          '/connected-apps',
          "Where a signed-in user sees the apps they gave access to and revokes it, served with the plugin's other " +
            'pages (login, consent, device, apps).'
        ),
        userinfo: routePath('/userinfo', 'OpenID Connect UserInfo endpoint (with `oidc.enabled`).'),
        register: routePath(
          '/register',
          "Dynamic client registration endpoint; a client's configuration endpoint is " +
            '`<routes.register>/<client_id>` (with `dynamicRegistration.enabled`).'
        ),
        servers: routePath(
          '/servers',
          'Front proxy of the external authorization servers: `<routes.servers>/<name>/token` and so on ' +
            '(see [External authorization servers](#external-authorization-servers-admin-api)).'
        )
      }
    },
    accessToken: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        ttl: duration(3600, 'Access token lifetime, seconds.'),
        format: {
          type: 'string',
          enum: ['opaque', 'jwt'],
          default: 'opaque',
          description:
            '`opaque`: random reference tokens, stored hashed. `jwt`: JWTs (RFC 9068: `typ: at+jwt`, `iss`, `sub`, `aud`, ' +
            '`client_id`, `scope`, `jti`, `iat`, `exp`, and `gid`, the grant; `redirect_uri` when the grant had one), signed with the ' +
            'first of `keys`, not stored: resource servers can verify them without a call.'
        },
        audience: {
          type: 'string',
          minLength: 1,
          docDefault: 'the issuer',
          description: '`aud` of JWT access tokens (and of introspection answers).'
        }
      }
    },
    keys: {
      type: 'array',
      default: [],
      description:
        '`[{ kid, alg, key | keyFile }]`, each `kid` once: `alg` one of HS256/384/512 (secret of at least 32/48/64 bytes), ' +
        'RS256/384/512, PS256/384/512 (RSA ≥ 2048 bits), ES256, ES384, EdDSA (PEM). The first key signs and must be private or a ' +
        'secret; every key verifies (the public halves are published at `routes.jwks`), so rotate in three steps: add the new key ' +
        'last; once every resource server can have fetched it (the JWK Set is cached up to 5 minutes), put it first; drop the old ' +
        'one `accessToken.ttl` later. A key that does not fit its `alg` stops the gateway with its index named.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kid', 'alg'],
        properties: {
          kid: { type: 'string', minLength: 1, maxLength: 100, description: 'Key id, sent in the JWT header.' },
          alg: { type: 'string', enum: [...KEY_ALGORITHMS], description: 'Signing algorithm.' },
          key: {
            type: 'string',
            minLength: 1,
            description: 'HMAC secret (HS*), or a PEM private key (a public key only verifies).'
          },
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
          description: 'A client whose `oauth2` credential holds this scope may introspect any token.'
        },
        ownTokens: {
          type: 'boolean',
          default: true,
          description:
            'Any confidential client may introspect its own tokens; another client\'s token answers `{"active":false}`. ' +
            'With `false`, clients without the scope get `unauthorized_client`.'
        }
      }
    },
    refreshToken: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        ttl: { ...duration(1209600, 'Refresh token lifetime, seconds.'), docDefault: '`1209600` (14 days)' },
        rotate: {
          type: 'boolean',
          default: true,
          description:
            'New refresh token at every use (RFC 9700 §4.14.2); reuse of an old one revokes the grant (after ' +
            '`refreshToken.rotationGracePeriod`).'
        },
        maxLifetime: {
          ...duration(
            7776000,
            'Absolute lifetime of a grant, seconds from its first token response: no refresh works after it, and no ' +
              'refresh token outlives it (one issued near the end expires with the grant), however often it was rotated. Lower than ' +
              '`refreshToken.ttl` caps it. At least 1, at most a year: there is no "forever", and `0` stops the gateway.'
          ),
          docDefault: '`7776000` (90 days)'
        },
        rotationGracePeriod: {
          type: 'integer',
          minimum: 0,
          maximum: 60,
          default: 0,
          docDefault: '`0` (off)',
          description:
            'Seconds, at most 60, after a rotation during which the same client presenting the refresh token it just ' +
            'rotated (two tabs, a retry after a lost answer) gets new tokens of the same grant instead of a revocation. Never beyond ' +
            "the token's or the grant's life. A thief presenting the token within it is not detected: keep it to a few seconds."
        }
      }
    },
    authorizationCode: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        ttl: duration(60, 'Authorization code lifetime, seconds (RFC 6749 §4.1.2 advises at most 10 minutes).')
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
          description:
            '`required`: PKCE of every client (RFC 9700 §2.1.1, OAuth 2.1: it also stops code injection at confidential ' +
            'clients); `public-clients`: of public clients, honoured when confidential ones send it; `optional`: honoured when sent.'
        },
        allowPlain: {
          type: 'boolean',
          default: false,
          description:
            'Accept `code_challenge_method=plain` (and a challenge without a method, which means plain, RFC 7636 §4.3). ' +
            'Off: every client able to hash can use `S256`.'
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
          description: 'Remember a consent per user, app and scopes; the same or fewer scopes are not asked again.'
        },
        ttl: { ...duration(2592000, 'How long a consent is remembered, seconds.'), docDefault: '`2592000` (30 days)' },
        rememberPublicClients: {
          type: 'boolean',
          default: false,
          description:
            'Also remember consents to public clients. Off: nothing proves a public client is who its `client_id` says, ' +
            'so the user is asked every time (RFC 6749 §10.2, RFC 8252 §8.6).'
        }
      }
    },
    oidc: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'OpenID Connect (see [OpenID Connect](#openid-connect)).',
      properties: {
        enabled: {
          type: 'boolean',
          default: false,
          description:
            'Make the gateway an OpenID Provider: ID tokens for the `openid` scope, UserInfo, `/.well-known/openid-configuration`. ' +
            'Needs the `authorization_code` grant and an RS256 private key in `keys` (OpenID Connect Core §15.1). Off, nothing of it ' +
            'exists.'
        },
        idTokenTtl: duration(3600, 'ID token lifetime, seconds.'),
        pairwiseSecret: {
          type: 'string',
          minLength: 32,
          maxLength: 1000,
          description:
            'Offers pairwise subjects (OpenID Connect Core §8.1): an app whose `subjectType` is `pairwise` (or that registered ' +
            '`subject_type` `pairwise`) gets, as `sub`, an HMAC-SHA256 with this key of its sector and the user id, the same for ' +
            'every app of one sector and different across sectors, and opaque access tokens that hide the user id (OpenID Connect ' +
            'on or off). 32+ characters, the same on every instance; changing it ' +
            'changes every pairwise `sub`. Unset, apps are told the user id, and an app declaring pairwise is refused.'
        },
        claims: {
          type: 'object',
          additionalProperties: { type: 'string', minLength: 1, maxLength: 100 },
          propertyNames: { enum: [...STANDARD_CLAIMS] },
          default: {},
          docDefault:
            '`{}`, over `preferred_username: username`, `given_name: firstname`, `family_name: lastname`, `email: email`',
          description:
            'Standard claims (OpenID Connect Core §5.1) read from EG user properties, `{ <claim>: <user property> }`, over the built-in ' +
            'mapping; `name` is `given_name family_name` unless mapped. A user without the property has no such claim. `*_verified` ' +
            'claims are booleans (the property `true` or `false`), `updated_at` a number, `address` `{ formatted }`.'
        }
      }
    },
    session: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: "Sessions of the login and consent pages (express-session, stored in the gateway's Redis).",
      properties: {
        secret: {
          type: 'string',
          minLength: 32,
          docDefault: 'demo secret, emulated store only',
          description:
            'Signs the session cookie, 32+ characters. **Required on a real Redis**: the gateway refuses to start with the ' +
            'demo secret there.'
        },
        name: {
          type: 'string',
          pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
          default: 'oauth2.sid',
          description: 'Session cookie name (its path is `basePath`).'
        },
        ttl: duration(3600, 'Lifetime of a signed-in session, seconds.'),
        visitorTtl: duration(
          600,
          "Lifetime of a session without a signed-in user, which holds only a login form's CSRF token. A " +
            'visitor of the authorization, device or apps page stores nothing: where to come back after sign-in travels in the login ' +
            'URL (`return_to`, followed only to those pages).'
        ),
        secure: {
          enum: ['auto', true, false],
          default: 'auto',
          description: "Secure cookie flag; `auto` follows the request's scheme."
        },
        sameSite: {
          type: 'string',
          enum: ['lax', 'strict'],
          default: 'lax',
          description: 'SameSite cookie attribute: `lax` or `strict`.'
        }
      }
    },
    login: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Throttling of failed sign-ins, counted in Redis so that it holds across gateway instances.',
      properties: {
        maxFailuresPerUser: {
          type: 'integer',
          minimum: 1,
          default: 5,
          description:
            'Failed password checks per user name (login page and password grant together) before it is locked for ' +
            '`login.window`.'
        },
        maxFailuresPerIp: {
          type: 'integer',
          minimum: 1,
          default: 20,
          description: 'Failed password checks per client IP before it is locked.'
        },
        window: duration(
          900,
          'Seconds a lock lasts after the last attempt (of sign-ins and client authentications). Attempts are ' +
            'counted in Redis before the password is checked, so neither concurrency nor several instances get past the limit; a ' +
            'locked name refuses the right password too, even one proven moments before.'
        )
      }
    },
    clientAuth: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        'Throttling of failed client authentications (client secrets at the token, revocation, introspection and device ' +
        'authorization endpoints), counted in Redis before any bcrypt, for all instances together, within login.window.',
      properties: {
        maxFailuresPerClient: {
          type: 'integer',
          minimum: 1,
          default: 10,
          description:
            'Wrong client secrets for one `client_id` (token, revocation, introspection, device authorization and RFC 7592 ' +
            'endpoints together) within `login.window` before that client is locked: every attempt, right or wrong, is then ' +
            'answered 401 `invalid_client` with `Retry-After`, without a bcrypt. See [Guessing and rate limits](#guessing-and-rate-limits) ' +
            'for the trade-off.'
        },
        maxFailuresPerIp: {
          type: 'integer',
          minimum: 1,
          default: 50,
          description:
            'Failed client authentications per client IP (unknown `client_id`s included) before that address is locked.'
        }
      }
    },
    bcrypt: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        'Where client secrets and passwords are checked: worker threads, so that bcrypt never holds up the event loop that serves API calls.',
      properties: {
        workers: {
          type: 'integer',
          minimum: 1,
          maximum: 64,
          docDefault: 'cores − 1 (1 to 4)',
          description:
            'Worker threads that check client secrets and passwords, so that bcrypt never holds up the event loop serving ' +
            'API calls. They run below normal priority (nice 10 on Linux, no privilege needed): when cores are short, API calls come first.'
        },
        maxQueue: {
          type: 'integer',
          minimum: 0,
          maximum: 100000,
          default: 64,
          description:
            'Checks that may wait for a worker; past that a check is answered 503 `temporarily_unavailable` with ' +
            '`Retry-After: 1` at once. A secret proven right less than `credentialCache.ttl` ago needs no bcrypt and never waits.'
        }
      }
    },
    trustProxy: {
      type: 'integer',
      minimum: 0,
      maximum: 10,
      default: 0,
      description:
        "Proxies (load balancers) in front of the gateway that append the client's address to `X-Forwarded-For`: the " +
        "per-IP limits count the address that many entries from the end (an IPv6 client by its /64). `0`: the TCP peer's address, " +
        '`X-Forwarded-For` ignored. Behind a balancer set it, or every client counts as the balancer (see [Deployment](#deployment)); ' +
        'never higher than the proxies really there, or clients choose their own address.'
    },
    serviceName: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      default: 'Express Gateway',
      description:
        'Name at the top of the pages, in any language (it goes into pages only; challenges name the issuer as realm).'
    },
    scopeDescriptions: {
      type: 'object',
      additionalProperties: { type: 'string', maxLength: 500 },
      default: {},
      description: 'Text per scope for the consent page, e.g. `orders:read: Read your orders`.'
    },
    views: {
      type: 'string',
      minLength: 1,
      description:
        'A folder of pug templates that replace the default ones; a template missing there falls back to the default ' +
        '(see [Restyling the pages](#restyling-the-pages)).'
    },
    assets: {
      type: 'string',
      minLength: 1,
      description: 'A folder served under `routes.assets` instead of the default style sheet.'
    },
    grants: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', enum: [...GRANT_TYPES] },
      docDefault: 'all but `implicit` and `password`; SAML bearer once an IdP is configured',
      description:
        'Enabled grant types (RFC 9700 §2.1.2 and §2.4 advise against `implicit` and `password`: listed, they serve the ' +
        "operator's own apps only; self-registered and dynamically registered clients never get them): `authorization_code`, " +
        '`implicit`, `password`, `client_credentials`, `refresh_token`, `urn:ietf:params:oauth:grant-type:jwt-bearer`, ' +
        '`urn:ietf:params:oauth:grant-type:saml2-bearer`, `urn:ietf:params:oauth:grant-type:device_code`, ' +
        '`urn:ietf:params:oauth:grant-type:token-exchange`. Listing the SAML grant without `samlBearer.identityProviders` ' +
        'stops the gateway.'
    },
    tokenExchange: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Token exchange (RFC 8693): who may exchange tokens, and for which audiences.',
      properties: {
        clients: {
          type: 'array',
          default: [],
          description:
            'The clients that may use the grant, each with the audiences it may ask for: `[{ clientId, audiences }]`. An ' +
            'audience is a name or URL the upstream that takes the new token knows itself by (RFC 8693 §2.1 `audience`, or ' +
            '`resource`); the new token names it as its `aud`, and no pipeline of the gateway takes it unless that is its ' +
            'resource. An app may also be given its audiences by its `tokenExchangeAudiences` property; a client named neither ' +
            'way gets `unauthorized_client`.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['clientId', 'audiences'],
            properties: {
              clientId: { type: 'string', minLength: 1, maxLength: 200 },
              audiences: {
                type: 'array',
                minItems: 1,
                uniqueItems: true,
                items: { type: 'string', minLength: 1, maxLength: 2048, pattern: '^[\\x21-\\x7E]+$' }
              }
            }
          }
        }
      }
    },
    assertions: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Limits on every assertion: JWT bearer grants, JWT client authentication and SAML bearer grants.',
      properties: {
        leeway: {
          type: 'integer',
          minimum: 0,
          maximum: 300,
          default: 60,
          description: 'Seconds of clock skew tolerated on assertion times (JWT bearer, `private_key_jwt`, SAML).'
        },
        maxLifetime: duration(
          3600,
          "Longest accepted span from an assertion's issue time to its expiry, seconds (RFC 7523 §3 item 4)."
        )
      }
    },
    jwtBearer: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        'Trusted issuers of JWT bearer grant assertions (RFC 7523 §2.1). Apps may also register their own keys ' +
        '(app properties jwks or jwksUri) to assert themselves.',
      properties: {
        issuers: {
          type: 'array',
          default: [],
          description:
            'Trusted JWT bearer issuers: `[{ issuer, keys: [{ kid, alg, key | keyFile }], jwksUri, jwksTimeout, ' +
            'jwksCooldown, algorithms, clients }]` (keys or a JWKS, https; `jwksTimeout` ms, default `5000`, and `jwksCooldown` s, ' +
            "default `30`, as the policy's `jwt`). An assertion from one of them may name an EG user (username or id) as `sub`, or " +
            'the client itself. `clients`: the client ids that may present its assertions (default: any client allowed the grant).',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['issuer'],
            properties: {
              issuer: { type: 'string', minLength: 1, maxLength: 500, description: "The assertion's required iss." },
              keys: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['alg'],
                  properties: {
                    kid: { type: 'string', minLength: 1, maxLength: 100 },
                    alg: { type: 'string', enum: [...KEY_ALGORITHMS] },
                    key: {
                      type: 'string',
                      minLength: 1,
                      description: 'A PEM public key or certificate, or an HMAC secret.'
                    },
                    keyFile: { type: 'string', minLength: 1 }
                  }
                },
                description: "The issuer's verification keys."
              },
              clients: allowedClients,
              jwksUri: {
                type: 'string',
                pattern: '^https?://',
                description: 'Or a JWK Set URL (https, or http on loopback only).'
              },
              jwksTimeout,
              jwksCooldown,
              algorithms: {
                type: 'array',
                minItems: 1,
                items: { type: 'string', enum: [...KEY_ALGORITHMS] },
                description: 'Accepted algorithms; default: those of the keys.'
              }
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
          description:
            'Trusted SAML IdPs: `[{ issuer: <entity id>, certificate | certificateFile, clients }]`, PEM signing ' +
            'certificates or public keys (RSA ≥ 2048; rsa-sha256/512 signatures); `clients` as above.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['issuer'],
            properties: {
              issuer: {
                type: 'string',
                minLength: 1,
                maxLength: 500,
                description: "The IdP's entity id: the assertion's <Issuer>."
              },
              certificate: {
                type: 'string',
                minLength: 1,
                description: 'PEM signing certificate(s) or public key(s) of the IdP.'
              },
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
        ttl: duration(600, 'Lifetime of a device code and its user code, seconds.'),
        interval: {
          type: 'integer',
          minimum: 1,
          maximum: 60,
          default: 5,
          description: 'Seconds a device waits between polls (RFC 8628 §3.2); `slow_down` adds 5 for that device.'
        },
        maxUserCodeFailures: {
          type: 'integer',
          minimum: 1,
          default: 5,
          description:
            'Wrong user codes per signed-in user (and 4× per IP) within `login.window` before code entry is locked (429, ' +
            'RFC 8628 §5.1).'
        },
        maxRequestsPerClient: {
          type: 'integer',
          minimum: 1,
          default: 120,
          description:
            'Device authorization requests per client and minute (all instances together); more are answered `429` ' +
            '`slow_down` with `Retry-After`.'
        },
        maxRequestsPerIp: {
          type: 'integer',
          minimum: 1,
          default: 30,
          description: 'The same per client IP (see `trustProxy`).'
        }
      }
    },
    clientRegistration: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Web pages where signed-in users register their own applications (off by default).',
      properties: {
        enabled: {
          type: 'boolean',
          default: false,
          description:
            'Serve the self-service registration pages at `routes.apps` (see [Self-service app ' +
            'registration](#self-service-app-registration)).'
        },
        selfServiceScopes: {
          type: 'array',
          uniqueItems: true,
          default: [],
          items: { type: 'string', minLength: 1 },
          description: 'Scopes users may give their own apps, offered as checkboxes; each must exist in EG.'
        },
        maxAppsPerUser: {
          type: 'integer',
          minimum: 1,
          maximum: 1000,
          default: 10,
          description: 'Most apps one user may register on the pages.'
        }
      }
    },
    dynamicRegistration: dynamicRegistrationSchema,
    clientIdMetadataDocuments: clientIdMetadataDocumentsSchema,
    par: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        'Pushed authorization requests (RFC 9126): a client posts its authorization request to `routes.par` and sends ' +
        'the user with the `request_uri` it gets. Offered whenever the code or implicit grant is on.',
      properties: {
        required: {
          type: 'boolean',
          default: false,
          description:
            'Every authorization request must be pushed (`require_pushed_authorization_requests`); otherwise only those ' +
            'of apps whose `requirePushedAuthorizationRequests` property is `"true"`.'
        },
        ttl: {
          type: 'integer',
          minimum: 5,
          maximum: 600,
          default: 60,
          description:
            'Seconds a `request_uri` may be used in (`expires_in`), once; the user may then take as long as the ' +
            'sign-in and consent pages allow.'
        }
      }
    },
    dpop: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'DPoP (RFC 9449): tokens bound to a client key, taken only with a proof of that key.',
      properties: {
        origins: {
          type: 'array',
          uniqueItems: true,
          default: [],
          items: { type: 'string', pattern: '^https?://[^/?#\\s]+$' },
          description:
            "The public origins (`https://api.example.com`) clients call the gateway's APIs at, besides the issuer's: " +
            "a proof's `htu` must name one of them with the request's path. The Host header of a request is never " +
            'trusted for it.'
        },
        requireNonce: {
          type: 'boolean',
          default: false,
          description:
            'Every DPoP proof, at the token endpoint and at the resources, must carry a nonce this gateway gave ' +
            '(RFC 9449 §8, §9): a proof without one is answered `use_dpop_nonce` with the nonce in `DPoP-Nonce`. Nonces ' +
            "are derived from `session.secret`, so every instance takes the others', and change every two minutes. A " +
            'proof that names a nonce is held to it even when this is off.'
        }
      }
    },
    mtls: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        'Mutual TLS (RFC 8705): clients authenticate with a TLS client certificate (`tls_client_auth`, ' +
        '`self_signed_tls_client_auth`) and get access tokens bound to it (`cnf.x5t#S256`). The certificate comes from ' +
        "the gateway's own https server when its `https.options` set `requestCert: true`, or from `certificateHeader`. " +
        'See [Mutual TLS](#mutual-tls-rfc-8705).',
      properties: {
        certificateHeader: {
          type: 'string',
          pattern: '^[A-Za-z0-9-]*$',
          maxLength: 64,
          default: '',
          description:
            "The header a TLS terminator in front sets to the client's certificate, in the RFC 9440 `Client-Cert` form " +
            '(`:<base64 DER>:`), e.g. `Client-Cert`. Needs `trustProxy` of 1 or more: it is then taken from every request, ' +
            'so the terminator must replace whatever a client sends in it; the certificate of a TLS connection to the ' +
            "gateway itself is then ignored. Empty: the gateway's own TLS."
        },
        trustedProxies: {
          type: 'array',
          uniqueItems: true,
          maxItems: 100,
          default: [],
          items: { type: 'string', minLength: 2, maxLength: 45 },
          description:
            'The addresses the TLS terminators connect to the gateway from: `certificateHeader` is read only on their ' +
            'connections, and ignored on any other. Empty: on every connection, which then must all come through them.'
        },
        ca: {
          type: 'string',
          default: '',
          description:
            'A PEM file of the CA certificates that issue client certificates for `tls_client_auth` (an intermediate CA ' +
            'goes in as itself): a certificate is taken when one of them signed it and both are within their validity. ' +
            'Empty: `tls_client_auth` is not offered.'
        },
        endpointOrigin: {
          type: 'string',
          pattern: '^(https://[^/?#@\\s]+)?$',
          default: '',
          description:
            'The origin (`https://mtls.example.com`) where clients present certificates, when it is not the ' +
            "issuer's: the metadata names the endpoints there as `mtls_endpoint_aliases` (RFC 8705 §5), and DPoP proofs " +
            'and client assertions may name its URLs.'
        }
      }
    },
    clientUrls: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        "URLs that clients supply and the gateway fetches (an app's jwks_uri, app property jwksUri). They must be https " +
        'and are fetched only from public addresses, checked on the address connected to after DNS, with no redirect followed ' +
        "and at most 256 KiB read. URLs the operator configures (jwtBearer.issuers, the policy's jwt.jwksUri and " +
        'introspection endpoint, the servers registry) are not concerned.',
      properties: {
        allowPrivateNetworks: {
          type: 'boolean',
          default: false,
          description:
            'URLs clients supply (`jwks_uri`, app property `jwksUri`) are fetched over https, only from public addresses ' +
            '(checked after DNS, no redirect followed); `true` also allows loopback, private and link-local ones, and plain http on ' +
            'loopback (tests, all-internal deployments). `timeout`: milliseconds a fetch may take in all. `jwksCooldown`: seconds ' +
            "before an app's `jwksUri` may be fetched again for an unknown `kid`."
        },
        timeout: {
          type: 'integer',
          minimum: 100,
          maximum: 60000,
          default: 5000,
          docJoin: true,
          description: "Milliseconds a fetch of a client's URL may take, DNS, connection and answer together."
        },
        jwksCooldown: {
          ...jwksCooldown,
          docJoin: true,
          description:
            "Seconds after a fetch of an app's jwksUri (or a failed one) before an assertion naming an unknown kid may fetch it again."
        }
      }
    },
    tokenCache: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        "Access tokens the oauth2 policy validated, kept in each gateway's memory so that a repeated token costs no Redis " +
        "round trip. Revocations, and consumer changes made through EG's services (admin API, CLI), are announced over Redis " +
        'pub/sub and drop entries at once on every instance; while that subscription is down nothing is served from memory.',
      properties: {
        ttl: {
          type: 'integer',
          minimum: 0,
          maximum: 3600,
          default: 30,
          description:
            "Seconds an access token the policy (or introspection, token info) validated is served from the instance's " +
            'memory, never past its `exp` (0: no cache), and the most kept per process. A revocation, or a change to an app, user ' +
            "or credential made through EG's services (admin API, `eg` CLI, this plugin's pages) is announced over Redis pub/sub " +
            "and drops entries at once on every instance; while an instance's subscription is down it serves nothing from memory. " +
            'Only a change written straight into Redis by something else waits for `ttl`.'
        },
        maxEntries: {
          type: 'integer',
          minimum: 1,
          maximum: 10000000,
          default: 10000,
          docJoin: true,
          description:
            'Most tokens kept per gateway process (each takes one to a few kB with its consumer and headers).'
        }
      }
    },
    credentialCache: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        'Client secrets and user passwords the token endpoint verified with bcrypt, remembered as an HMAC (keyed ' +
        'with a random key of the process, never stored) of the secret and its stored hash, so that the next request with ' +
        'the same secret skips bcrypt. A changed, deactivated or removed credential, app or user no longer matches.',
      properties: {
        ttl: {
          type: 'integer',
          minimum: 0,
          maximum: 86400,
          default: 60,
          description:
            'Seconds after a successful bcrypt check of a client secret or user password before that same secret is ' +
            'checked with bcrypt again (0: every time), and the most kept per process. What is kept is an HMAC-SHA256 of the secret ' +
            'and its stored hash under a random key of the process (never written anywhere), compared in constant time; a changed ' +
            'secret, or an inactive app, credential or user, is refused at once since every request reads them.'
        },
        maxEntries: {
          type: 'integer',
          minimum: 1,
          maximum: 1000000,
          default: 10000,
          docJoin: true,
          description: 'Most credentials remembered per gateway process.'
        }
      }
    },
    servers: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        "The registry of external authorization servers (admin API /oauth2/servers and Janus's /oauth/servers).",
      properties: {
        strict: {
          type: 'boolean',
          default: false,
          description:
            "Also refuse, through Janus's `/oauth/servers`, entries with a weakness (plain http off loopback, an HMAC key " +
            'shorter than its hash, a jwt strategy without issuer or audience, a token sent in a URL), and stop using such entries ' +
            "already stored. `/oauth2/servers` always refuses them; Janus's path accepts them with warnings by default, since a " +
            "partner's keys cannot be rotated on the day of a migration."
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
          description:
            'Largest token request body (and form body through the front proxy); larger is `invalid_request`.'
        },
        acceptJson: {
          type: 'boolean',
          default: false,
          description:
            "Compatibility with clients written for EG's built-in oauth2 policy, which took JSON bodies: also accept an " +
            '`application/json` token request (a flat object of string values). RFC 6749 §3.2 says form bodies; leave it off unless ' +
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
          docDefault: '`<db.redis.namespace>-oauth2-plugin:`',
          description: 'Prefix of every Redis key the plugin writes.'
        },
        redis: {
          docDefault: "EG's `db.redis`",
          description:
            'Where the plugin keeps its own data (tokens, grants, codes, sessions, device codes, throttles, the server registry, ' +
            'replay sets, change feeds): a `redis://` or `rediss://` URL; `{ sentinels: [{ host, port }, …], name }` for a ' +
            'Sentinel group (with `password`, `sentinelPassword`, `db`, `tls`); or `{ cluster: [{ host, port }, …] }` for a Redis ' +
            "Cluster (some of its nodes: the rest are found; with `username`, `password`, `tls`). EG's users, apps and credentials stay " +
            "on EG's `db.redis`. See [Scaling out](#scaling-out).",
          oneOf: [
            { type: 'string', pattern: '^rediss?://[^\\s]+$' },
            {
              type: 'object',
              additionalProperties: false,
              required: ['sentinels', 'name'],
              properties: {
                sentinels: { type: 'array', minItems: 1, items: redisNode },
                name: { type: 'string', minLength: 1 },
                db: { type: 'integer', minimum: 0 },
                username: { type: 'string', minLength: 1 },
                password: { type: 'string', minLength: 1 },
                sentinelPassword: { type: 'string', minLength: 1 },
                tls: { type: 'boolean' }
              }
            },
            {
              type: 'object',
              additionalProperties: false,
              required: ['cluster'],
              properties: {
                cluster: { type: 'array', minItems: 1, items: redisNode },
                username: { type: 'string', minLength: 1 },
                password: { type: 'string', minLength: 1 },
                tls: { type: 'boolean' }
              }
            }
          ]
        },
        timeout: {
          type: 'integer',
          minimum: 100,
          maximum: 60000,
          default: 2000,
          description:
            'Milliseconds a Redis command may take before its request answers 503 `temporarily_unavailable` (see ' +
            '[When Redis is down](#when-redis-is-down)).'
        }
      }
    }
  }
} as const;

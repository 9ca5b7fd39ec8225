import type { egAuthSchema } from './eg-auth.schema';
import type { FromSchema } from './from-schema';
import { jwksCooldown, jwksTimeout } from './jwks-timing';
import { KEY_ALGORITHMS } from './settings.schema';
import { SERVER_NAME } from './server-name';

/** How many answers a strategy's cache keeps (shown in the row of its cacheTtl). */
const maxCacheEntries = (description: string) =>
  ({ type: 'integer', minimum: 1, maximum: 1000000, default: 10000, docJoin: true, description }) as const;

const keySpec = {
  type: 'object',
  additionalProperties: false,
  required: ['alg'],
  properties: {
    kid: {
      type: 'string',
      minLength: 1,
      description: 'Key id: when set, only tokens naming it in their header use this key.'
    },
    alg: { type: 'string', enum: [...KEY_ALGORITHMS], description: 'The only algorithm this key verifies.' },
    key: { type: 'string', minLength: 1, description: 'HMAC secret, or PEM public key or certificate.' },
    keyFile: { type: 'string', minLength: 1, description: 'A file holding the key.' }
  }
} as const;

export const jwtStrategy = {
  type: 'object',
  additionalProperties: false,
  required: ['issuer', 'audience'],
  description: "tokenStrategy jwt: another issuer's JWT access tokens.",
  properties: {
    keys: {
      description:
        "Verification keys `[{ alg, key | keyFile, kid? }]` (Janus's format; PEM public keys or certificates, or HMAC " +
        'secrets), or the legacy `{ secret }` meaning one HS256 key. A key verifies only its own `alg`; with a `kid` only tokens naming it.',
      oneOf: [
        { type: 'array', minItems: 1, items: keySpec },
        {
          type: 'object',
          additionalProperties: false,
          required: ['secret'],
          properties: { secret: { type: 'string', minLength: 1 } }
        }
      ]
    },
    jwksUri: {
      type: 'string',
      pattern: '^https?://',
      description:
        "The issuer's JWK Set (https, or http on loopback only), fetched when needed, kept 10 minutes and fetched again " +
        'for an unknown `kid`, at most once per `jwt.jwksCooldown` seconds (failed fetches included). When a fetch fails the keys ' +
        'fetched before stay in use; the failure is logged.'
    },
    jwksTimeout,
    jwksCooldown,
    typ: {
      type: 'string',
      default: 'at+jwt',
      description:
        'Required `typ` header (RFC 9068 §2.1, RFC 8725 §3.11: an ID token is not an access token). `""` accepts any, for ' +
        'issuers that do not type their access tokens (Janus-style HS256 tokens, for instance).'
    },
    issuer: {
      type: 'string',
      minLength: 1,
      description: '`iss` must equal `issuer`; `aud` must name `audience` (a string or a list).'
    },
    audience: {
      docJoin: 'full',
      description: 'Required `aud`: the token must name this audience (or one of these).',
      oneOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }
      ]
    },
    algorithms: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', enum: [...KEY_ALGORITHMS] },
      docDefault: 'those of the keys (with a JWKS: every asymmetric one)',
      description: 'Accepted algorithms; `none` never is.'
    },
    leeway: {
      type: 'integer',
      minimum: 0,
      maximum: 3600,
      default: 0,
      description: 'Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. `exp` is required.'
    },
    cacheTtl: {
      type: 'integer',
      minimum: 0,
      maximum: 3600,
      default: 30,
      description:
        'A verified token is accepted again for `cacheTtl` seconds without checking its signature (never past its `exp`; ' +
        '0: no cache), and at most `maxCacheEntries` are kept. `cacheTtl` also bounds how long a key removed from `keys` or from ' +
        'the JWK Set keeps its tokens accepted.'
    },
    maxCacheEntries: maxCacheEntries('Most verified tokens kept.')
  }
} as const;

export const introspectionStrategy = {
  type: 'object',
  additionalProperties: false,
  required: ['endpoint'],
  description: "tokenStrategy introspection: another authorization server's RFC 7662 endpoint.",
  properties: {
    endpoint: {
      type: 'string',
      pattern: '^https?://',
      description: "The other server's introspection endpoint (https, or http on loopback only)."
    },
    audience: {
      type: 'string',
      minLength: 1,
      description:
        "When set, the answer's `aud` must name `audience` and its `iss` must equal `issuer` (tokens the server issued " +
        'for other resource servers are refused).'
    },
    issuer: { type: 'string', minLength: 1, docJoin: true, description: "When set, the answer's iss must equal it." },
    clientId: {
      type: 'string',
      minLength: 1,
      description:
        "This gateway's credentials there (Basic, form-encoded per RFC 6749 §2.3.1, or `client_secret_post`)."
    },
    clientSecret: { type: 'string', minLength: 1, docJoin: true, description: 'Its client secret.' },
    authMethod: {
      type: 'string',
      enum: ['client_secret_basic', 'client_secret_post'],
      default: 'client_secret_basic',
      docJoin: true,
      description: 'How the client credentials are sent.'
    },
    timeout: {
      type: 'integer',
      minimum: 100,
      maximum: 60000,
      default: 3000,
      description:
        'Milliseconds to wait; a slow, failing or nonsensical endpoint makes the token refused (401 `invalid_token`, ' +
        '"could not be validated") and is logged. `passThrough` does not forgive such a token, nor one whose JWKS cannot be fetched.'
    },
    cacheTtl: {
      type: 'integer',
      minimum: 0,
      maximum: 3600,
      default: 60,
      description:
        "Active answers are reused for `cacheTtl` seconds, never past the token's `exp` (0: no cache), and at most " +
        "`maxCacheEntries` are kept; revocations published in the gateway's Redis drop entries on every instance."
    },
    maxCacheEntries: maxCacheEntries('Most answers kept.')
  }
} as const;

/**
 * Parameters of the `oauth2` policy in a pipeline (`- oauth2: - action: {...}`).
 * The root stays open: EG mixes its own action helpers into the same object.
 * EG's common auth parameters come in by `$ref` (./eg-auth.schema.ts).
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
          enum: ['local', 'jwt', 'introspection'],
          default: 'local',
          description:
            "`local`: tokens of this plugin, opaque or JWT. `jwt`: another issuer's JWTs (needs `jwt`). " +
            "`introspection`: tokens checked at another server's RFC 7662 endpoint (needs `introspection`)."
        },
        jwt: jwtStrategy,
        introspection: introspectionStrategy,
        server: {
          type: 'string',
          pattern: SERVER_NAME.source,
          description:
            'The name of an external authorization server registered over the admin API (see [External authorization ' +
            "servers](#external-authorization-servers-admin-api)): its tokens are checked with that entry's `tokenStrategy`, which " +
            'then replaces `tokenStrategy` here. An admin change applies to the next request, on every instance. While no entry ' +
            'has the name, every token is refused (401) and a warning is logged.'
        },
        resource: {
          type: 'string',
          pattern: '^https?://[^#\\s]+$',
          maxLength: 2048,
          description:
            "This pipeline's resource identifier (RFC 8707, RFC 9728): an http(s) URL without a fragment. Its metadata is served " +
            'at `/.well-known/oauth-protected-resource` with the path inserted (RFC 9728 §3.1), and only tokens whose audience ' +
            "names it are accepted. Without it, the API endpoint's public URL names the pipeline (the issuer's origin, or " +
            'its own `host`, and the literal start of its paths), and tokens requested for no resource are accepted too; a ' +
            '`hostRegex`, `pathRegex` or wildcard `host` names none.',
          docDefault: "derived from the API endpoint's URL"
        },
        exchange: {
          type: 'object',
          additionalProperties: false,
          required: ['audience'],
          description:
            "Exchange the caller's token for one meant for the upstream alone before proxying (RFC 8693): same user, client " +
            "and scopes, `aud` the `audience` given, `act` naming this gateway, joined to the caller's grant (revoking it " +
            "revokes both) and living no longer than the caller's token. The upstream gets it as `Authorization: Bearer`, " +
            "never the caller's. One is minted per token and kept until it expires. Only with this plugin's own tokens.",
          properties: {
            audience: {
              type: 'string',
              minLength: 1,
              maxLength: 2048,
              pattern: '^[\\x21-\\x7E]+$',
              description: 'The audience the upstream knows itself by (a name or URL), as its token check expects.'
            }
          }
        },
        realm: {
          type: 'string',
          pattern: '^[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]*$',
          default: 'express-gateway',
          description:
            'Realm of the `WWW-Authenticate` challenges (RFC 6750 §3): printable ASCII without `"` or `\\` (RFC 9110 §11.2).'
        },
        hideCredentials: {
          type: 'boolean',
          default: true,
          description: 'Remove the token (header, query or body) before proxying.'
        },
        identityHeaders: {
          type: 'boolean',
          default: true,
          description:
            'Send the `eg-token-*` and `eg-consumer-*` headers upstream. `false`: the upstream learns nothing of the token ' +
            '(later policies still see `req.user`), and each call costs less: in `BENCH.md`, (g) is (b) with it off.'
        },
        allowBodyToken: {
          type: 'boolean',
          default: false,
          description: 'Accept `access_token` in a form body (RFC 6750 §2.2).'
        },
        allowQueryToken: {
          type: 'boolean',
          default: false,
          description: 'Accept `access_token` in the query (RFC 6750 §2.3; ends up in logs).'
        },
        maxBodyBytes: {
          type: 'integer',
          minimum: 256,
          default: 1048576,
          description: 'With `allowBodyToken`: the largest form body read.'
        }
      }
    }
  ]
} as const;

/** The policy parameters once EG has validated and defaulted them (EG's common auth parameters included). */
export type PolicyParams = FromSchema<typeof policySchema, true> & FromSchema<typeof egAuthSchema, true>;

/**
 * tokenStrategy jwt, defaulted; a registry entry may leave issuer and audience out (Janus checks neither), with a
 * warning.
 */
export type JwtStrategyParams = Omit<FromSchema<typeof jwtStrategy, true>, 'issuer' | 'audience'> &
  Partial<Pick<FromSchema<typeof jwtStrategy, true>, 'issuer' | 'audience'>>;

/** tokenStrategy introspection, defaulted. */
export type IntrospectionStrategyParams = FromSchema<typeof introspectionStrategy, true> & {
  /** A registry entry in Janus's shape: the token goes in a GET this way instead of RFC 7662's form POST. */
  tokenIn?: { authorization?: string; header?: string; query?: string };
};

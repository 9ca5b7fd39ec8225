import { jwksCooldown, jwksTimeout } from './jwks-timing';
import { KEY_ALGORITHMS } from './settings.schema';
import { SERVER_NAME } from './server-name';

const keySpec = {
  type: 'object',
  additionalProperties: false,
  required: ['alg'],
  properties: {
    kid: { type: 'string', minLength: 1, description: 'Key id: when set, only tokens naming it in their header use this key.' },
    alg: { type: 'string', enum: [...KEY_ALGORITHMS], description: 'The only algorithm this key verifies.' },
    key: { type: 'string', minLength: 1, description: 'HMAC secret, or PEM public key or certificate.' },
    keyFile: { type: 'string', minLength: 1, description: 'A file holding the key.' }
  }
};

export const jwtStrategy = {
  type: 'object',
  additionalProperties: false,
  required: ['issuer', 'audience'],
  description: 'tokenStrategy jwt: another issuer\'s JWT access tokens.',
  properties: {
    keys: {
      description: 'Verification keys [{ alg, key | keyFile, kid? }] (Janus\'s format), or the legacy { secret } meaning one HS256 key.',
      oneOf: [
        { type: 'array', minItems: 1, items: keySpec },
        { type: 'object', additionalProperties: false, required: ['secret'], properties: { secret: { type: 'string', minLength: 1 } } }
      ]
    },
    jwksUri: { type: 'string', pattern: '^https?://', description: 'The issuer\'s JWK Set, cached and fetched again for an unknown kid.' },
    jwksTimeout,
    jwksCooldown,
    typ: {
      type: 'string',
      default: 'at+jwt',
      description: 'Required typ header (RFC 9068 §2.1, RFC 8725 §3.11: an ID token is not an access token); "" to accept any, for issuers that do not type their tokens.'
    },
    issuer: { type: 'string', minLength: 1, description: 'Required iss.' },
    audience: {
      description: 'Required aud: the token must name this audience (or one of these).',
      oneOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }]
    },
    algorithms: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', enum: [...KEY_ALGORITHMS] },
      description: 'Accepted algorithms; defaults to those of the keys (with a jwksUri: every asymmetric one).'
    },
    leeway: { type: 'integer', minimum: 0, maximum: 3600, default: 0, description: 'Seconds of clock skew tolerated on exp, nbf and iat.' },
    cacheTtl: {
      type: 'integer',
      minimum: 0,
      maximum: 3600,
      default: 30,
      description: 'Seconds a verified token is accepted again without checking its signature (never past its exp; 0: no cache). ' +
        'Bounds how long a key removed from keys or from the JWK Set keeps accepting the tokens it signed.'
    },
    maxCacheEntries: { type: 'integer', minimum: 1, maximum: 1000000, default: 10000, description: 'Most verified tokens kept.' }
  }
};

export const introspectionStrategy = {
  type: 'object',
  additionalProperties: false,
  required: ['endpoint'],
  description: 'tokenStrategy introspection: another authorization server\'s RFC 7662 endpoint.',
  properties: {
    endpoint: { type: 'string', pattern: '^https?://', description: 'The introspection endpoint.' },
    clientId: { type: 'string', minLength: 1, description: 'This resource server\'s client id at that server.' },
    clientSecret: { type: 'string', minLength: 1, description: 'Its client secret.' },
    authMethod: {
      type: 'string',
      enum: ['client_secret_basic', 'client_secret_post'],
      default: 'client_secret_basic',
      description: 'How the client credentials are sent.'
    },
    timeout: { type: 'integer', minimum: 100, maximum: 60000, default: 3000, description: 'Milliseconds to wait for an answer.' },
    cacheTtl: {
      type: 'integer',
      minimum: 0,
      maximum: 3600,
      default: 60,
      description: 'Seconds an active answer is reused (never past the token\'s exp; 0: no cache). Revocations announced ' +
        'in the gateway\'s Redis drop entries at once.'
    },
    maxCacheEntries: { type: 'integer', minimum: 1, maximum: 1000000, default: 10000, description: 'Most answers kept.' },
    audience: { type: 'string', minLength: 1, description: 'When set, the answer\'s aud must name it (tokens the server issued for other resource servers are refused).' },
    issuer: { type: 'string', minLength: 1, description: 'When set, the answer\'s iss must equal it.' }
  }
};

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
          enum: ['local', 'jwt', 'introspection'],
          default: 'local',
          description: 'local: tokens issued by this plugin (opaque or JWT); jwt: another issuer\'s JWTs (see jwt); ' +
            'introspection: tokens checked at another server\'s introspection endpoint (see introspection).'
        },
        jwt: jwtStrategy,
        introspection: introspectionStrategy,
        server: {
          type: 'string',
          pattern: SERVER_NAME.source,
          description: 'The name of an external authorization server registered over the admin API (/oauth2/servers): ' +
            'its tokens are checked with that entry\'s tokenStrategy, which replaces tokenStrategy here. Admin changes apply to the next request.'
        },
        realm: {
          type: 'string',
          pattern: '^[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]*$',
          default: 'express-gateway',
          description: 'The realm named in WWW-Authenticate challenges (RFC 6750 §3): printable ASCII without " or \\ (RFC 9110 §11.2).'
        },
        hideCredentials: {
          type: 'boolean',
          default: true,
          description: 'Remove the access token from the request before it goes upstream.'
        },
        identityHeaders: {
          type: 'boolean',
          default: true,
          description: 'Send the eg-token-* and eg-consumer-* headers upstream. Off, the upstream learns nothing of the token ' +
            '(later policies still see the consumer and its token), and each call costs less: the headers are most of what ' +
            'the policy adds to a proxied call (see BENCH.md).'
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
  tokenStrategy: 'local' | 'jwt' | 'introspection';
  jwt?: JwtStrategyParams;
  introspection?: IntrospectionStrategyParams;
  server?: string;
  realm: string;
  hideCredentials: boolean;
  identityHeaders: boolean;
  allowBodyToken: boolean;
  allowQueryToken: boolean;
  maxBodyBytes: number;
}

export interface JwtStrategyParams {
  keys?: Array<{ kid?: string; alg: typeof KEY_ALGORITHMS[number]; key?: string; keyFile?: string }> | { secret: string };
  jwksUri?: string;
  jwksTimeout: number;
  jwksCooldown: number;
  typ: string;
  /** Required in a pipeline's parameters; a registry entry may leave it out (Janus checks none), with a warning. */
  issuer?: string;
  audience?: string | string[];
  algorithms?: Array<typeof KEY_ALGORITHMS[number]>;
  leeway: number;
  cacheTtl: number;
  maxCacheEntries: number;
}

export interface IntrospectionStrategyParams {
  endpoint: string;
  clientId?: string;
  clientSecret?: string;
  authMethod: 'client_secret_basic' | 'client_secret_post';
  timeout: number;
  cacheTtl: number;
  maxCacheEntries: number;
  audience?: string;
  issuer?: string;
  /** A registry entry in Janus's shape: the token goes in a GET this way instead of RFC 7662's form POST. */
  tokenIn?: { authorization?: string; header?: string; query?: string };
}

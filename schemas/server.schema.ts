import { GRANT_TYPES } from './settings.schema';
import { introspectionStrategy, jwtStrategy } from './policy.schema';
import { SERVER_NAME } from './server-name';

const URL_PATTERN = '^https?://[^\\s]+$';

/** The methods a Janus proxy definition may list (ALL: any). */
export const PROXY_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'ALL'] as const;

/**
 * One upstream endpoint of an external authorization server, proxied by the gateway; Janus's proxy definition in this
 * schema's words.
 */
const upstream = (description: string) => ({
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  description,
  properties: {
    url: {
      type: 'string',
      pattern: URL_PATTERN,
      maxLength: 2000,
      description: 'The upstream URL (with targets: the first of them).'
    },
    timeout: {
      type: 'integer',
      minimum: 100,
      maximum: 60000,
      default: 5000,
      description: 'Milliseconds to wait for the upstream.'
    },
    targets: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['url'],
        properties: {
          url: { type: 'string', pattern: URL_PATTERN, maxLength: 2000 },
          weight: { type: 'integer', minimum: 0, maximum: 1000 }
        }
      },
      description: 'Janus upstreams.targets: every upstream of the endpoint, url first.'
    },
    balancing: {
      type: 'string',
      enum: ['roundrobin', 'weight'],
      description: 'Janus upstreams.balancing over targets.'
    },
    listenPath: {
      type: 'string',
      pattern: '^/[^\\s?#]*$',
      maxLength: 500,
      description:
        'Janus listen_path: where the endpoint also answers on the gateway port (`/x/*`: /x and below; see the README).'
    },
    stripPath: {
      type: 'boolean',
      description: 'Janus strip_path: the upstream gets what lies below the listen path, joined to the target path.'
    },
    appendPath: {
      type: 'boolean',
      description: 'Janus append_path: the upstream gets the whole request path, joined to the target path.'
    },
    preserveHost: { type: 'boolean', description: "Janus preserve_host: the upstream gets the client's Host header." },
    methods: {
      type: 'array',
      maxItems: 10,
      items: { type: 'string', enum: [...PROXY_METHODS] },
      description: "Janus methods taken on the listen path (ALL: any); left out, the endpoint's own."
    },
    hosts: {
      type: 'array',
      maxItems: 20,
      items: { type: 'string', minLength: 1, maxLength: 255 },
      description: 'Janus hosts: the Host headers the listen path answers (* is one or more characters).'
    }
  }
});

/**
 * tokenStrategy jwt of a registry entry: issuer and audience may be left out (Janus checks neither), with a warning.
 */
const serverJwtStrategy = { ...jwtStrategy, required: [] as string[] };

/** tokenStrategy introspection of a registry entry: also Janus's way of sending the token. */
const serverIntrospectionStrategy = {
  ...introspectionStrategy,
  properties: {
    ...introspectionStrategy.properties,
    tokenIn: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      description:
        "Janus's introspection settings: the endpoint is asked with a GET carrying the token in an Authorization header of this " +
        'scheme, in this header, or in this query parameter, and only its boolean "active" is read (RFC 7662\'s form POST otherwise).',
      properties: {
        authorization: { type: 'string', pattern: '^[A-Za-z0-9-]{1,32}$' },
        header: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' },
        query: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' }
      }
    }
  }
};

/**
 * An external authorization server registered over the admin API (what
 * Janus keeps under /oauth/servers, in this project's naming). The only
 * place its defaults live.
 */
export const serverSchema = {
  $id: 'https://express-gateway-plugin-oauth2/schemas/server.json',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'tokenStrategy'],
  properties: {
    name: {
      type: 'string',
      pattern: SERVER_NAME.source,
      description: "Unique name: used in proxy paths and in the policy's server parameter."
    },
    endpoints: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        authorize: upstream('Authorization endpoint (RFC 6749 §3.1).'),
        token: upstream('Token endpoint (RFC 6749 §3.2).'),
        introspection: upstream('Introspection endpoint (RFC 7662).'),
        revoke: upstream('Revocation endpoint (RFC 7009).'),
        createClient: upstream('Client registration endpoint.'),
        removeClient: upstream('Client removal endpoint.')
      }
    },
    allowedGrants: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', enum: [...GRANT_TYPES] },
      description: 'Grant types the gateway lets through to the token endpoint; default: all.'
    },
    allowedResponseTypes: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', enum: ['code', 'token'] },
      description: 'Response types the gateway lets through to the authorization endpoint; default: all.'
    },
    browserEndpoints: {
      type: 'string',
      enum: ['redirect', 'sandbox'],
      default: 'redirect',
      description:
        'How browsers reach the authorization endpoint. redirect: once the gateway has checked the request, it sends ' +
        "the browser to endpoints.authorize on the upstream's own origin (302 for GET, 307 for POST, which re-posts the form), " +
        "so no page of the upstream runs on the gateway's origin. sandbox: for upstreams browsers cannot reach; the page is " +
        'proxied under Content-Security-Policy: sandbox allow-forms allow-scripts, so its scripts run in an opaque origin and ' +
        "can neither read the gateway's pages nor send its cookies."
    },
    loginRedirect: {
      type: 'string',
      pattern: '^https?://[^\\s]+$',
      maxLength: 2000,
      description: "Where the server's login page is."
    },
    secrets: {
      type: 'object',
      maxProperties: 1000,
      propertyNames: { minLength: 1, maxLength: 200 },
      additionalProperties: { type: 'string', minLength: 1, maxLength: 500 },
      default: {},
      description:
        'client_id -> client_secret: added as client authentication for clients that send only their client_id.'
    },
    tokenStrategy: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      description: "How pipelines with `server: <name>` validate this server's tokens.",
      properties: {
        name: { type: 'string', enum: ['jwt', 'introspection'] },
        jwt: serverJwtStrategy,
        introspection: serverIntrospectionStrategy
      }
    }
  }
} as const;

import type { Param } from './encodings';
import { FuzzMaterial, SERVERS } from './material';
import { goodOr, maybeMutated, mutateString, nastyString, randomJsonValue } from './nasty-values';
import {
  accessToken,
  anyToken,
  clientId,
  dynamicMetadata,
  Gen,
  GRANTS,
  redirectUri,
  revocableToken,
  scope,
  scratchName,
  segment,
  serverEntry,
  state,
  tokenParams,
  username
} from './parameters';
import type { Random } from './random';

/** Who the request claims to be: decides the Authorization and Cookie headers the generator sends. */
export type Credentials =
  'client' | 'bearer' | 'initial-access' | 'registration-access' | 'session' | 'anonymous-session' | 'none';

/** One endpoint of the plugin, with the parameters a good request would carry. */
export interface Endpoint {
  name: string;
  target: 'gateway' | 'admin';
  /** How often it is picked, relative to the others. */
  weight: number;
  methods: readonly string[];
  path: Gen;
  params: (r: Random, m: FuzzMaterial) => Param[];
  carrier: 'form' | 'json' | 'query' | 'none';
  credentials: Credentials;
  /** A 400 or 401 must be RFC 6749 §5.2 JSON with a string `error`. */
  rfcErrors?: boolean;
  /** Never sent with another method: one that changes state would change what the fuzz relies on. */
  fixedMethods?: boolean;
}

/**
 * A server name for the admin API that changes nothing the fuzz relies on: never the two in use, and never a
 * name the proxy requests use (an entry made here may point at an upstream that is down, a legitimate 503 there).
 */
const scratchServer = (r: Random) => r.pick(['fuzz-scratch', `fuzz-scratch-${r.int(5)}`, scratchName(r)]);
const proxiedServer = (r: Random) => r.pick([...SERVERS, SERVERS[0], 'unknown', nastyString(r)]);

const API_PATHS = [
  '/api',
  '/api/read/x',
  '/api-write',
  '/api-loose',
  '/api-loose/x',
  '/api-pass',
  '/api-branch',
  '/api-partner',
  '/api-introspected'
];

/** Every route the plugin mounts (manifest.ts, routes/*.ts) and the API pipelines of its policy. */
export const ENDPOINTS: readonly Endpoint[] = [
  {
    name: 'token',
    target: 'gateway',
    weight: 22,
    methods: ['POST'],
    path: () => '/oauth2/token',
    params: tokenParams,
    carrier: 'form',
    credentials: 'client',
    rfcErrors: true
  },
  {
    name: 'authorize',
    target: 'gateway',
    weight: 7,
    methods: ['GET', 'GET', 'GET', 'POST'],
    path: () => '/oauth2/authorize',
    carrier: 'query',
    credentials: 'session',
    params: (r, m) =>
      [
        ['response_type', goodOr(r, r.pick(['code', 'code', 'token']), ['code token', 'id_token', 'none'])],
        [
          'client_id',
          goodOr(r, r.pick([m.confidential.id, m.publicClient.id]), [m.keyClient.id, m.dynamic.id, 'unknown'])
        ],
        ['redirect_uri', redirectUri(r)],
        ['scope', scope(r)],
        ['state', state(r)],
        ['code_challenge', maybeMutated(r, 'c'.repeat(43))],
        ['code_challenge_method', goodOr(r, r.pick(['S256', 'plain']), ['s256', 'S512'])],
        ['response_mode', goodOr(r, 'query', ['fragment', 'form_post', 'jwt'])],
        ['nonce', nastyString(r)]
      ].filter(() => r.chance(1 - 0.4 * r.rate)) as Param[]
  },
  {
    name: 'decision',
    target: 'gateway',
    weight: 3,
    methods: ['POST'],
    path: () => '/oauth2/authorize/decision',
    carrier: 'form',
    credentials: 'session',
    params: (r, m) => [
      ['_csrf', maybeMutated(r, m.session.csrf)],
      ['transaction_id', maybeMutated(r, m.session.transactionId)],
      [r.pick(['allow', 'cancel']), r.pick(['Allow', 'Deny', ''])]
    ]
  },
  {
    name: 'login',
    target: 'gateway',
    weight: 4,
    methods: ['GET', 'POST'],
    path: () => '/oauth2/login',
    carrier: 'form',
    credentials: 'anonymous-session',
    params: (r, m) => [
      ['_csrf', maybeMutated(r, m.anonymous.csrf)],
      ['username', username(r, m)],
      ['password', maybeMutated(r, m.fuzzUser.password)]
    ]
  },
  {
    name: 'logout',
    target: 'gateway',
    weight: 2,
    methods: ['GET', 'POST'],
    path: () => '/oauth2/logout',
    carrier: 'form',
    credentials: 'anonymous-session',
    params: (r, m) => [['_csrf', maybeMutated(r, m.anonymous.csrf)]]
  },
  {
    name: 'revoke',
    target: 'gateway',
    weight: 5,
    methods: ['POST'],
    path: () => '/oauth2/revoke',
    carrier: 'form',
    credentials: 'client',
    rfcErrors: true,
    params: (r, m) => [
      ['token', revocableToken(r, m)],
      ...(r.chance(0.4)
        ? [['token_type_hint', maybeMutated(r, r.pick(['access_token', 'refresh_token']))] as Param]
        : [])
    ]
  },
  {
    name: 'introspect',
    target: 'gateway',
    weight: 6,
    methods: ['POST'],
    path: () => '/oauth2/introspect',
    carrier: 'form',
    credentials: 'client',
    rfcErrors: true,
    params: (r, m) => [
      ['token', anyToken(r, m)],
      ...(r.chance(0.4)
        ? [['token_type_hint', maybeMutated(r, r.pick(['access_token', 'refresh_token']))] as Param]
        : [])
    ]
  },
  {
    name: 'tokeninfo',
    target: 'gateway',
    weight: 4,
    methods: ['GET'],
    path: () => '/oauth2/tokeninfo',
    params: () => [],
    carrier: 'query',
    credentials: 'bearer'
  },
  {
    name: 'metadata',
    target: 'gateway',
    weight: 2,
    methods: ['GET'],
    carrier: 'query',
    credentials: 'none',
    params: () => [],
    path: (r) =>
      r.pick([
        '/.well-known/oauth-authorization-server',
        '/.well-known/oauth-authorization-server',
        '/.well-known/oauth-authorization-server/oauth2',
        '/.well-known/openid-configuration'
      ])
  },
  {
    name: 'assets',
    target: 'gateway',
    weight: 1,
    methods: ['GET'],
    carrier: 'query',
    credentials: 'none',
    params: () => [],
    path: (r) =>
      `/oauth2/assets/${r.pick(['style.css', '../../package.json', '..%2f..%2fpackage.json', '%2e%2e/%2e%2e/package.json', '....//....//etc/passwd', '', segment(nastyString(r))])}`
  },
  {
    name: 'jwks',
    target: 'gateway',
    weight: 2,
    methods: ['GET'],
    path: () => '/oauth2/jwks',
    params: () => [],
    carrier: 'query',
    credentials: 'none'
  },
  {
    name: 'device_authorization',
    target: 'gateway',
    weight: 5,
    methods: ['POST'],
    path: () => '/oauth2/device_authorization',
    carrier: 'form',
    credentials: 'client',
    rfcErrors: true,
    params: (r) => (r.chance(0.6) ? [['scope', scope(r)]] : [])
  },
  {
    name: 'device',
    target: 'gateway',
    weight: 4,
    methods: ['GET', 'POST'],
    carrier: 'form',
    credentials: 'session',
    path: (r) => r.pick(['/oauth2/device', '/oauth2/device/decision']),
    params: (r, m) => [
      ['_csrf', maybeMutated(r, m.session.csrf)],
      [
        'user_code',
        maybeMutated(r, r.pick([m.device.userCode, m.device.userCode.toLowerCase().replace('-', ''), 'BCDF-GHJK']))
      ],
      ...(r.chance(0.5) ? [[r.pick(['allow', 'cancel']), 'x'] as Param] : [])
    ]
  },
  {
    name: 'register',
    target: 'gateway',
    weight: 6,
    methods: ['POST'],
    path: () => '/oauth2/register',
    carrier: 'json',
    credentials: 'initial-access',
    rfcErrors: true,
    params: (r) => dynamicMetadata(r)
  },
  {
    name: 'client configuration',
    target: 'gateway',
    weight: 4,
    methods: ['GET', 'PUT'],
    fixedMethods: true,
    carrier: 'json',
    credentials: 'registration-access',
    rfcErrors: true,
    path: (r, m) => `/oauth2/register/${segment(maybeMutated(r, m.dynamic.id))}`,
    params: (r, m) => [['client_id', maybeMutated(r, m.dynamic.id)], ...dynamicMetadata(r)]
  },
  {
    // Deletes a client of its own: the one the other requests use stays.
    name: 'client deletion',
    target: 'gateway',
    weight: 1,
    methods: ['DELETE'],
    fixedMethods: true,
    carrier: 'none',
    credentials: 'registration-access',
    rfcErrors: true,
    path: (r, m) => `/oauth2/register/${segment(maybeMutated(r, m.doomed.id))}`,
    params: () => []
  },
  {
    name: 'apps',
    target: 'gateway',
    weight: 4,
    methods: ['GET', 'POST'],
    carrier: 'form',
    credentials: 'session',
    path: (r, m) =>
      r.pick([
        '/oauth2/apps',
        '/oauth2/apps/credentials',
        `/oauth2/apps/${segment(clientId(r, m))}/${r.pick(['delete', 'rotate'])}`
      ]),
    params: (r, m) => [
      ['_csrf', maybeMutated(r, m.session.csrf)],
      ['name', nastyString(r)],
      ['redirect_uris', redirectUri(r)],
      ['type', maybeMutated(r, r.pick(['confidential', 'public']))],
      ['scope', scope(r)],
      ...(r.chance(0.3) ? [['scope', scope(r)] as Param] : [])
    ]
  },
  {
    name: 'server proxy',
    target: 'gateway',
    weight: 5,
    methods: ['GET', 'POST', 'DELETE'],
    carrier: 'form',
    credentials: 'client',
    path: (r) =>
      `/oauth2/servers/${segment(proxiedServer(r))}/${r.pick(['authorize', 'token', 'introspect', 'revoke', 'login', 'clients', `clients/${segment(r.pick(['c1', '..', '.', nastyString(r)]))}`])}`,
    params: (r, m) =>
      [
        ['grant_type', r.pick([...GRANTS, 'nope'])],
        ['response_type', r.pick(['code', 'token'])],
        ['client_id', r.pick(['known-client', clientId(r, m)])],
        ['scope', scope(r)]
      ].filter(() => r.chance(0.7)) as Param[]
  },
  {
    name: 'protected api',
    target: 'gateway',
    weight: 14,
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    carrier: 'form',
    credentials: 'bearer',
    path: (r) => r.pick(API_PATHS),
    params: (r, m) => (r.chance(0.3) ? [['access_token', accessToken(r, m)]] : [])
  },
  {
    name: 'admin servers',
    target: 'admin',
    weight: 4,
    methods: ['POST', 'PUT', 'DELETE'],
    carrier: 'json',
    credentials: 'none',
    path: (r) => r.pick(['/oauth2/servers', `/oauth2/servers/${segment(scratchServer(r))}`]),
    params: (r) => serverEntry(r, scratchServer(r))
  },
  {
    name: 'admin servers (read)',
    target: 'admin',
    weight: 1,
    methods: ['GET'],
    fixedMethods: true,
    carrier: 'query',
    credentials: 'none',
    params: () => [],
    path: (r) => r.pick(['/oauth2/servers', `/oauth2/servers/${segment(proxiedServer(r))}`])
  },
  {
    name: 'admin registration tokens',
    target: 'admin',
    weight: 2,
    methods: ['POST'],
    carrier: 'json',
    credentials: 'none',
    path: () => '/oauth2/registration-tokens',
    params: (r, m) =>
      [
        ['owner', username(r, m)],
        [
          'ttl',
          r.chance(1 - r.rate)
            ? r.pick([60, 3600])
            : r.pick([0, -1, 1e12, 1.5, '60', nastyString(r), randomJsonValue(r)])
        ],
        ['uses', r.chance(1 - r.rate) ? r.pick([1, 5]) : r.pick([0, -1, 1000000, 1.5, '1', randomJsonValue(r)])]
      ].filter(() => r.chance(1 - 0.3 * r.rate)) as Param[]
  },
  {
    // Never the initial access token the register requests use: only near misses and junk.
    name: 'admin registration token withdrawal',
    target: 'admin',
    weight: 1,
    methods: ['DELETE'],
    carrier: 'none',
    credentials: 'none',
    params: () => [],
    path: (r, m) =>
      `/oauth2/registration-tokens/${segment(r.chance(0.5) ? mutateString(r, m.initialAccessToken) : nastyString(r))}`
  },
  {
    name: 'admin revocation',
    target: 'admin',
    weight: 2,
    methods: ['DELETE'],
    carrier: 'none',
    credentials: 'none',
    params: () => [],
    path: (r, m) =>
      `/oauth2/${r.pick(['apps', 'users'])}/${segment(r.pick([m.publicClient.id, m.dynamic.id, 'nobody', nastyString(r)]))}/tokens`
  }
];

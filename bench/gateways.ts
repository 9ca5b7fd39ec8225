import type { GatewayOptions } from '../support/gateway';
import type { Store } from './stores';

/**
 * The gateways compared, all proxying /api/* to the same echo backend:
 * (a) `open`: proxy only, the physical limit; (b) `opaque`: this plugin, opaque
 * access tokens; (c) `jwt`: this plugin, JWT access tokens; (d) `external`:
 * this plugin checking another issuer's JWTs (tokenStrategy jwt); (e)
 * `builtin`: Express Gateway's own oauth2 policy, without the plugin; (f)
 * `noop`: the open pipeline plus EG's own `headers` policy forwarding
 * nothing, a reference: what a second policy costs in EG before it does anything;
 * (g) `opaque-bare`: (b) with `identityHeaders: false`, to show what the identity headers cost;
 * (h)–(j) `opaque-proxied`: (b) behind one trusted proxy (`trustProxy: 1`), so that a flood of
 * wrong client secrets can come from as many addresses as it names in X-Forwarded-For;
 * (k) introspects on `opaque`, (l) on `opaque-uncached`: (b)'s gateway with `tokenCache.ttl: 0`, so that
 * every introspection reads the store; (m) calls `opaque` with a DPoP-bound token (DPoP needs no setting).
 */
export type GatewayKind =
  'open' | 'opaque' | 'jwt' | 'external' | 'builtin' | 'noop' | 'opaque-bare' | 'opaque-proxied' | 'opaque-uncached';

/** HS256 secret of the plugin's JWT access tokens in (c). */
export const ACCESS_TOKEN_KEY = 'bench access token signing secret, 32+ bytes long';

/** The outside issuer of (d): the bench signs its tokens. */
export const EXTERNAL_ISSUER = {
  issuer: 'https://issuer.bench.example',
  audience: 'bench-api',
  key: 'bench outside issuer HS256 secret, 32+ bytes long'
};

/** The scope every protected call needs, so each policy also runs its scope check. */
export const API_SCOPE = 'read';

/**
 * EG's own defaults (bcrypt cost 10), not the tests' cheap hashes: what a
 * deployment runs, and what makes client and password checks cost what they
 * cost. The session and token lifetimes are what EG's built-in oauth2 policy
 * reads from the system config.
 */
const SYSTEM = {
  crypto: { cipherKey: 'bench-cipher-key', algorithm: 'aes256', saltRounds: 10 },
  session: { secret: 'bench session secret of EG built-in oauth2', resave: false, saveUninitialized: false },
  accessTokens: { timeToExpiry: 3600000 },
  refreshTokens: { timeToExpiry: 1209600000 },
  authorizationCodes: { timeToExpiry: 600000 }
};

function oauth2Action(kind: GatewayKind): Record<string, unknown> {
  if (kind === 'opaque-bare') return { identityHeaders: false };
  if (kind !== 'external') return {};
  const { issuer, audience, key } = EXTERNAL_ISSUER;
  return { tokenStrategy: 'jwt', jwt: { issuer, audience, keys: [{ alg: 'HS256', key }] } };
}

/**
 * The sign-in throttle counts an attempt before checking the password and
 * takes it back after, so more than maxFailuresPerUser (5) concurrent
 * password grants of one user, or maxFailuresPerIp (20) from one address,
 * are refused even with the right password. The load generator is one user
 * on one address at 32 connections: the limits are raised out of its way.
 */
const LOGIN = { maxFailuresPerUser: 100000, maxFailuresPerIp: 100000 };

/**
 * The grants the bench uses, listed rather than left to the default: every
 * protected call carries a token of the password grant, which RFC 9700 §2.4
 * says not to use and a default that follows it leaves out.
 */
const GRANTS = ['authorization_code', 'password', 'client_credentials', 'refresh_token'];

function pluginSettings(kind: GatewayKind): Record<string, unknown> {
  if (kind === 'jwt')
    return {
      grants: GRANTS,
      login: LOGIN,
      accessToken: { format: 'jwt' },
      keys: [{ kid: 'bench', alg: 'HS256', key: ACCESS_TOKEN_KEY }]
    };
  // One refresh token serves the whole refresh run; codes are fetched before the run that spends them.
  const opaque = { grants: GRANTS, login: LOGIN, refreshToken: { rotate: false }, authorizationCode: { ttl: 600 } };
  // clientAuth and bcrypt stay at their defaults: the floods measure the defences a deployment gets.
  if (kind === 'opaque-uncached') return { ...opaque, tokenCache: { ttl: 0 } };
  return kind === 'opaque-proxied' ? { ...opaque, trustProxy: 1 } : opaque;
}

export interface GatewayExtras {
  /** Node flags of the gateway process (--cpu-prof). */
  nodeArgs?: string[];
  /** bcrypt cost of the seeded credentials, when their cost is beside the point (memory measurement). */
  saltRounds?: number;
}

/** startGateway options for one kind of gateway on one store. */
export function gatewayOptions(
  kind: GatewayKind,
  backendUrl: string,
  store: Store,
  namespace: string,
  extras: GatewayExtras = {}
): GatewayOptions {
  const open = kind === 'open';
  const proxy = { proxy: [{ action: { serviceEndpoint: 'backend' } }] };
  const first =
    kind === 'noop'
      ? { headers: [{ action: { headersPrefix: '', forwardHeaders: {} } }] }
      : { oauth2: [{ action: oauth2Action(kind) }] };
  const policies = open ? [proxy] : [first, proxy];
  return {
    namespace,
    withoutPlugin: open || kind === 'builtin' || kind === 'noop',
    redis: store.db(namespace),
    system: extras.saltRounds ? { ...SYSTEM, crypto: { ...SYSTEM.crypto, saltRounds: extras.saltRounds } } : SYSTEM,
    // The store's own settings (where the plugin keeps its data) over the kind's.
    settings: { ...pluginSettings(kind), ...store.pluginSettings },
    nodeArgs: extras.nodeArgs,
    gateway: {
      apiEndpoints: { api: { host: '*', paths: ['/api', '/api/*'], ...(open ? {} : { scopes: [API_SCOPE] }) } },
      serviceEndpoints: { backend: { url: backendUrl } },
      policies: open ? ['proxy'] : [kind === 'noop' ? 'headers' : 'oauth2', 'proxy'],
      pipelines: { api: { apiEndpoints: ['api'], policies } }
    }
  };
}

import Ajv from 'ajv';
import { janusServerSchema } from '../../schemas/janus-server.schema';
import { describeSchemaError, firstError } from '../schema-errors';
import { InvalidRequest } from '../errors';
import { JWT_BEARER } from '../../schemas/settings.schema';
import { introspectionStrategy, jwtStrategy } from '../../schemas/policy.schema';
import type { EndpointName, ServerEntry, Upstream } from './server-entry';

/** A Janus proxy definition (motiv-labs/janus pkg/proxy/definition.go). */
interface JanusProxy {
  listen_path?: string;
  upstreams?: { balancing?: 'roundrobin' | 'rr' | 'weight'; targets?: Array<{ target: string; weight?: number }> };
  upstream_url?: string;
  strip_path?: boolean;
  append_path?: boolean;
  preserve_host?: boolean;
  methods?: string[];
  hosts?: string[];
  insecure_skip_verify?: boolean;
  forwarding_timeouts?: { dial_timeout?: string; response_header_timeout?: string };
}

interface JanusIntrospectionSettings {
  use_custom_header?: boolean;
  header_name?: string;
  use_auth_header?: boolean;
  auth_header_type?: string;
  use_body?: boolean;
  param_name?: string;
}

type JanusSettings = Array<{ alg: string; key: string }> | { secret: string } | JanusIntrospectionSettings;

/** An entry in Janus's shape (schemas/janus-server.schema.ts). */
export interface JanusEntry {
  name: string;
  oauth_endpoints?: Partial<Record<'authorize' | 'token' | 'introspect' | 'introspection' | 'revoke', JanusProxy>>;
  oauth_client_endpoints?: Partial<Record<'create' | 'remove', JanusProxy>>;
  allowed_access_types?: string[];
  allowed_authorize_types?: string[];
  auth_login_redirect?: string;
  secrets?: Record<string, string>;
  token_strategy: { name: 'jwt' | 'introspection'; settings?: JanusSettings; leeway: number };
}

const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: true, verbose: true });
const validate = ajv.compile(janusServerSchema);

/**
 * Janus's endpoint keys and ours. Janus's JSON says `introspect`; seed 000's table says `introspection`: both are read.
 */
const ENDPOINTS: Array<[EndpointName, 'oauth_endpoints' | 'oauth_client_endpoints', string]> = [
  ['authorize', 'oauth_endpoints', 'authorize'],
  ['token', 'oauth_endpoints', 'token'],
  ['introspection', 'oauth_endpoints', 'introspect'],
  ['revoke', 'oauth_endpoints', 'revoke'],
  ['createClient', 'oauth_client_endpoints', 'create'],
  ['removeClient', 'oauth_client_endpoints', 'remove']
];

/** Janus's grant names (osin's access request types) that are not the RFC's. */
const JANUS_GRANTS: Record<string, string> = { __implicit: 'implicit', assertion: JWT_BEARER };
const OUR_GRANTS = Object.fromEntries(Object.entries(JANUS_GRANTS).map(([janus, ours]) => [ours, janus]));

/** A Go time.Duration ("30s", "1m30s", "250ms") in milliseconds. */
function milliseconds(duration: string): number {
  const units: Record<string, number> = { h: 3600000, m: 60000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  let total = 0;
  for (const [, value, unit] of duration.matchAll(/([0-9.]+)(ns|us|µs|ms|s|m|h)/g))
    total += Number(value) * (units[unit ?? ''] ?? 0);
  return Math.round(total);
}

function fromProxy(proxy: JanusProxy, where: string): Record<string, unknown> {
  const targets = proxy.upstreams?.targets ?? (proxy.upstream_url ? [{ target: proxy.upstream_url }] : []);
  const [first] = targets;
  if (!first) throw new InvalidRequest(`${where} needs upstreams.targets or upstream_url`);
  const timeout = proxy.forwarding_timeouts?.response_header_timeout
    ? milliseconds(proxy.forwarding_timeouts.response_header_timeout)
    : undefined;
  const upstream: Record<string, unknown> = {
    url: first.target,
    targets: targets.map(({ target, weight }) => (weight === undefined ? { url: target } : { url: target, weight })),
    balancing: proxy.upstreams?.balancing === 'weight' ? 'weight' : 'roundrobin',
    stripPath: proxy.strip_path,
    appendPath: proxy.append_path,
    preserveHost: proxy.preserve_host
  };
  if (timeout !== undefined) upstream.timeout = Math.min(60000, Math.max(100, timeout));
  if (proxy.listen_path !== undefined) upstream.listenPath = proxy.listen_path;
  if (proxy.methods) upstream.methods = proxy.methods;
  if (proxy.hosts) upstream.hosts = proxy.hosts;
  return upstream;
}

function toProxy(upstream: Upstream): JanusProxy {
  const targets = upstream.targets ?? [{ url: upstream.url }];
  const proxy: JanusProxy = {
    upstreams: {
      balancing: upstream.balancing ?? 'roundrobin',
      targets: targets.map(({ url, weight }) => (weight === undefined ? { target: url } : { target: url, weight }))
    },
    strip_path: upstream.stripPath ?? false,
    append_path: upstream.appendPath ?? false,
    preserve_host: upstream.preserveHost ?? false,
    forwarding_timeouts: { response_header_timeout: `${upstream.timeout}ms` }
  };
  if (upstream.listenPath !== undefined) proxy.listen_path = upstream.listenPath;
  if (upstream.methods) proxy.methods = upstream.methods;
  if (upstream.hosts) proxy.hosts = upstream.hosts;
  return proxy;
}

function fromIntrospectionSettings(settings: JanusIntrospectionSettings): Record<string, string> {
  if (settings.use_auth_header) return { authorization: settings.auth_header_type ?? 'Bearer' };
  if (settings.use_custom_header) {
    if (!settings.header_name)
      throw new InvalidRequest('token_strategy.settings.header_name is required with use_custom_header');
    return { header: settings.header_name };
  }
  return { query: settings.param_name ?? 'access_token' };
}

function toIntrospectionSettings(
  tokenIn: { authorization?: string; header?: string; query?: string } | undefined
): JanusIntrospectionSettings {
  if (tokenIn?.authorization) return { use_auth_header: true, auth_header_type: tokenIn.authorization };
  if (tokenIn?.header) return { use_custom_header: true, header_name: tokenIn.header };
  return { use_body: true, param_name: tokenIn?.query ?? 'token' };
}

function fromTokenStrategy(
  janus: JanusEntry,
  endpoints: Record<string, Record<string, unknown>>
): Record<string, unknown> {
  const { name, settings, leeway } = janus.token_strategy;
  if (name === 'jwt') {
    const keys = Array.isArray(settings)
      ? settings.map(({ alg, key }) => ({ alg, key }))
      : settings && 'secret' in settings
        ? { secret: settings.secret }
        : undefined;
    if (!keys)
      throw new InvalidRequest(
        'token_strategy.settings must hold the jwt keys: [{ "alg": ..., "key": ... }] or { "secret": ... }'
      );
    // Janus checks the signature and the dates only: no typ, issuer or audience (each a warning, see
    // server-weaknesses.ts).
    return { name, jwt: { keys, leeway, typ: '' } };
  }
  if (Array.isArray(settings) || (settings && 'secret' in settings)) {
    throw new InvalidRequest(
      'token_strategy.settings of an introspection strategy names how the token is sent (use_auth_header, use_custom_header, use_body)'
    );
  }
  const endpoint = endpoints.introspection?.url;
  if (typeof endpoint !== 'string')
    throw new InvalidRequest('token_strategy introspection needs oauth_endpoints.introspect, the endpoint it asks');
  return { name, introspection: { endpoint, tokenIn: fromIntrospectionSettings(settings ?? {}) } };
}

/**
 * An entry sent in Janus's shape, as the registry's own (to be checked and
 * defaulted by parseServerEntry).
 * @throws InvalidRequest naming the Janus field.
 */
export function fromJanus(body: unknown): Record<string, unknown> {
  const janus = structuredClone(body ?? {}) as JanusEntry;
  if (typeof janus !== 'object' || Array.isArray(janus))
    throw new InvalidRequest('The server entry must be a JSON object');
  if (!validate(janus))
    throw new InvalidRequest(
      describeSchemaError(firstError(validate.errors), 'the entry')
        .replace(/^the entry\./, '')
        .replace(/^unknown setting (the entry\.)?/, 'unknown field ')
    );
  const endpoints: Record<string, Record<string, unknown>> = {};
  for (const [ours, group, key] of ENDPOINTS) {
    const proxies = (janus[group] ?? {}) as Record<string, JanusProxy | undefined>;
    const proxy = proxies[key] ?? (ours === 'introspection' ? proxies.introspection : undefined);
    if (proxy) endpoints[ours] = fromProxy(proxy, `${group}.${key}`);
  }
  const unknownGrant = janus.allowed_access_types?.find(
    (type) => !(type in JANUS_GRANTS) && !/^[a-z_]+$|^urn:/.test(type)
  );
  if (unknownGrant)
    throw new InvalidRequest(`allowed_access_types: "${unknownGrant.slice(0, 100)}" is not a grant type`);
  const entry: Record<string, unknown> = {
    name: janus.name,
    endpoints,
    secrets: janus.secrets ?? {},
    tokenStrategy: fromTokenStrategy(janus, endpoints)
  };
  if (janus.allowed_access_types)
    entry.allowedGrants = janus.allowed_access_types.map((type) => JANUS_GRANTS[type] ?? type);
  if (janus.allowed_authorize_types) entry.allowedResponseTypes = janus.allowed_authorize_types;
  if (janus.auth_login_redirect) entry.loginRedirect = janus.auth_login_redirect;
  return entry;
}

/** A registry entry (already masked, for an answer) in Janus's shape. */
export function toJanus(entry: ServerEntry): JanusEntry {
  const janus: JanusEntry = { name: entry.name, token_strategy: { name: entry.tokenStrategy.name, leeway: 0 } };
  for (const [ours, group, key] of ENDPOINTS) {
    const upstream = entry.endpoints[ours];
    if (!upstream) continue;
    const proxies = (janus[group] ??= {}) as Record<string, JanusProxy>;
    proxies[key] = toProxy(upstream);
  }
  if (entry.allowedGrants) janus.allowed_access_types = entry.allowedGrants.map((grant) => OUR_GRANTS[grant] ?? grant);
  if (entry.allowedResponseTypes) janus.allowed_authorize_types = entry.allowedResponseTypes;
  if (entry.loginRedirect) janus.auth_login_redirect = entry.loginRedirect;
  janus.secrets = entry.secrets;
  const { jwt, introspection } = entry.tokenStrategy;
  if (jwt) {
    janus.token_strategy.settings = Array.isArray(jwt.keys)
      ? jwt.keys.map(({ alg, key }) => ({ alg, key: key ?? '' }))
      : jwt.keys
        ? { secret: jwt.keys.secret }
        : [];
    janus.token_strategy.leeway = jwt.leeway;
  }
  if (introspection) janus.token_strategy.settings = toIntrospectionSettings(introspection.tokenIn);
  return janus;
}

/**
 * What an entry holds that Janus's shape has no place for: written back
 * through /oauth/servers, each would be lost (an issuer check dropped, an
 * introspection client's credentials gone), so such an entry is changed
 * through /oauth2/servers only.
 */
export function beyondJanus(entry: ServerEntry): string[] {
  const beyond: string[] = [];
  const { jwt, introspection } = entry.tokenStrategy;
  if (jwt) {
    for (const field of ['issuer', 'audience', 'jwksUri', 'algorithms'] as const)
      if (jwt[field] !== undefined) beyond.push(`tokenStrategy.jwt.${field}`);
    if (jwt.typ !== '') beyond.push('tokenStrategy.jwt.typ');
    // Janus has no place for these either: a value other than the default would go back to it.
    for (const field of ['jwksTimeout', 'jwksCooldown', 'cacheTtl', 'maxCacheEntries'] as const) {
      if (jwt[field] !== jwtStrategy.properties[field].default) beyond.push(`tokenStrategy.jwt.${field}`);
    }
  }
  if (introspection) {
    if (!introspection.tokenIn) beyond.push('tokenStrategy.introspection (RFC 7662)');
    for (const field of ['clientId', 'clientSecret', 'audience', 'issuer'] as const)
      if (introspection[field] !== undefined) beyond.push(`tokenStrategy.introspection.${field}`);
    for (const field of ['authMethod', 'timeout', 'cacheTtl', 'maxCacheEntries'] as const) {
      if (introspection[field] !== introspectionStrategy.properties[field].default)
        beyond.push(`tokenStrategy.introspection.${field}`);
    }
  }
  if (entry.browserEndpoints !== 'redirect') beyond.push('browserEndpoints');
  return beyond;
}

import Ajv, { ErrorObject } from 'ajv';
import type { IntrospectionStrategyParams, JwtStrategyParams } from '../../schemas/policy.schema';
import { DOC_KEYWORDS } from '../../schemas/doc-keywords';
import { serverSchema } from '../../schemas/server.schema';
import { InvalidRequest } from '../errors';
import { firstError } from '../schema-errors';

/** One proxied endpoint; the optional fields are Janus's proxy definition (see schemas/server.schema.ts). */
export interface Upstream {
  url: string;
  timeout: number;
  targets?: Array<{ url: string; weight?: number }>;
  balancing?: 'roundrobin' | 'weight';
  listenPath?: string;
  stripPath?: boolean;
  appendPath?: boolean;
  preserveHost?: boolean;
  methods?: string[];
  hosts?: string[];
}

export type EndpointName = 'authorize' | 'token' | 'introspection' | 'revoke' | 'createClient' | 'removeClient';

/** An external authorization server, validated and defaulted. */
export interface ServerEntry {
  name: string;
  endpoints: Partial<Record<EndpointName, Upstream>>;
  allowedGrants?: string[];
  allowedResponseTypes?: string[];
  browserEndpoints: 'redirect' | 'sandbox';
  loginRedirect?: string;
  secrets: Record<string, string>;
  tokenStrategy: {
    name: 'jwt' | 'introspection';
    jwt?: JwtStrategyParams;
    introspection?: IntrospectionStrategyParams;
  };
}

const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: true, keywords: [...DOC_KEYWORDS] });
const validate = ajv.compile(serverSchema);

function describe(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const extra = 'additionalProperty' in error.params ? `.${error.params.additionalProperty}` : '';
  const allowed = 'allowedValues' in error.params ? ` (one of: ${error.params.allowedValues.join(', ')})` : '';
  return `${path || 'the entry'}${extra} ${error.message}${allowed}`;
}

/**
 * Checks a server entry sent to the admin API and fills in its defaults.
 * @throws InvalidRequest naming the first bad field.
 */
export function parseServerEntry(body: unknown): ServerEntry {
  const entry = structuredClone(body ?? {}) as Record<string, unknown>;
  if (typeof entry !== 'object' || Array.isArray(entry))
    throw new InvalidRequest('The server entry must be a JSON object');
  if (!validate(entry)) throw new InvalidRequest(describe(firstError(validate.errors)));
  const parsed = entry as unknown as ServerEntry;
  const strategy = parsed.tokenStrategy;
  if (!strategy[strategy.name])
    throw new InvalidRequest(`tokenStrategy.${strategy.name} is required when tokenStrategy.name is ${strategy.name}`);
  for (const [name, upstream] of Object.entries(parsed.endpoints)) {
    if (upstream.targets && upstream.targets[0]?.url !== upstream.url)
      throw new InvalidRequest(`endpoints.${name}.targets must start with endpoints.${name}.url`);
    // Janus's weight balancer never picks a target of weight 0 (or none): with no weight at all, nothing could be
    // reached.
    if (upstream.balancing === 'weight' && !(upstream.targets ?? []).some(({ weight }) => (weight ?? 0) > 0)) {
      throw new InvalidRequest(`endpoints.${name}.balancing weight needs a target with a weight above 0`);
    }
  }
  return parsed;
}

/**
 * An entry as stored in Redis. One written before a field with a default
 * existed gets that default, from the schema, as a new entry would.
 */
export function storedEntry(json: string): ServerEntry {
  const entry = JSON.parse(json) as ServerEntry;
  entry.browserEndpoints ??= serverSchema.properties.browserEndpoints.default;
  return entry;
}

/** The last 4 characters at most, and only of a long value: enough to recognise a secret, not to use it. */
export function mask(secret: string): string {
  return secret.length >= 16 ? `****${secret.slice(-4)}` : '****';
}

function maskStrategy(strategy: ServerEntry['tokenStrategy']): ServerEntry['tokenStrategy'] {
  const masked = structuredClone(strategy);
  if (masked.introspection?.clientSecret) masked.introspection.clientSecret = mask(masked.introspection.clientSecret);
  const keys = masked.jwt?.keys;
  if (keys && !Array.isArray(keys)) keys.secret = mask(keys.secret);
  if (Array.isArray(keys)) for (const key of keys) if (key.alg.startsWith('HS') && key.key) key.key = mask(key.key);
  return masked;
}

/** The entry as the admin API shows it: secrets masked, never in clear. */
export function maskedEntry(entry: ServerEntry): ServerEntry {
  const secrets = Object.fromEntries(
    Object.entries(entry.secrets).map(([clientId, secret]) => [clientId, mask(secret)])
  );
  return { ...entry, secrets, tokenStrategy: maskStrategy(entry.tokenStrategy) };
}

/** Each string of `incoming` that is the masked form of the value at the same place in `stored` becomes that value. */
function restoreMasked(incoming: unknown, stored: unknown): unknown {
  if (typeof incoming === 'string') return typeof stored === 'string' && incoming === mask(stored) ? stored : incoming;
  if (Array.isArray(incoming))
    return incoming.map((item, index) => restoreMasked(item, Array.isArray(stored) ? stored[index] : undefined));
  if (incoming && typeof incoming === 'object') {
    const old = (stored && typeof stored === 'object' ? stored : {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(incoming).map(([key, value]) => [key, restoreMasked(value, old[key])]));
  }
  return incoming;
}

/** A value shaped like what mask() answers. */
const MASKED = /^\*{4}.{0,4}$/s;

/**
 * Secrets of an entry about to be written that are still in their masked
 * form: keepMaskedSecrets found no stored value at the same place (an entry
 * copied under a new name, a key list reordered). Taken as they are, `****`
 * would become an HMAC key anyone can sign with.
 */
export function maskedSecretsLeft(entry: ServerEntry): string[] {
  const left = Object.entries(entry.secrets)
    .filter(([, secret]) => MASKED.test(secret))
    .map(([clientId]) => `secrets.${clientId}`);
  const { jwt, introspection } = entry.tokenStrategy;
  if (jwt?.keys && !Array.isArray(jwt.keys) && MASKED.test(jwt.keys.secret)) left.push('tokenStrategy.jwt.keys.secret');
  if (Array.isArray(jwt?.keys))
    jwt!.keys.forEach((key, index) => {
      if (key.key !== undefined && MASKED.test(key.key)) left.push(`tokenStrategy.jwt.keys.${index}.key`);
    });
  if (introspection?.clientSecret !== undefined && MASKED.test(introspection.clientSecret))
    left.push('tokenStrategy.introspection.clientSecret');
  return left;
}

/**
 * A secret sent back in its masked form (after a GET) keeps the stored
 * value, so that an entry can be read, edited and written back.
 */
export function keepMaskedSecrets(incoming: unknown, stored: ServerEntry): unknown {
  return restoreMasked(incoming, stored);
}

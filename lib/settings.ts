import Ajv, { ErrorObject } from 'ajv';
import os from 'os';
import { DOC_KEYWORDS } from '../schemas/doc-keywords';
import { DEFAULT_GRANTS, SAML2_BEARER, settingsSchema } from '../schemas/settings.schema';
import { didYouMean } from './did-you-mean';
import { isEmulatedStore } from './eg/emulated-store';
import type { GatewayConfig, SystemConfig } from './eg/types';
import type { KeySpec } from './keys/key-entry';
import type { DynamicRegistrationSettings } from '../schemas/dynamic-registration.schema';

export type GrantType = typeof settingsSchema.properties.grants.items.enum[number];

/** The plugin's settings once validated and defaulted: every field is present. */
export interface Settings {
  issuer: string;
  basePath: string;
  routes: {
    token: string; authorize: string; decision: string; login: string; logout: string; assets: string;
    revoke: string; introspect: string; tokeninfo: string; jwks: string; deviceAuthorization: string; device: string;
    apps: string; register: string; servers: string;
  };
  pkce: { require: 'public-clients' | 'required' | 'optional'; allowPlain: boolean };
  consent: { remember: boolean; ttl: number; rememberPublicClients: boolean };
  session: { secret: string; name: string; ttl: number; visitorTtl: number; secure: 'auto' | boolean; sameSite: 'lax' | 'strict' };
  login: { maxFailuresPerUser: number; maxFailuresPerIp: number; window: number };
  clientAuth: { maxFailuresPerClient: number; maxFailuresPerIp: number };
  bcrypt: { workers: number; maxQueue: number };
  /** Proxies whose X-Forwarded-For entry is trusted (see lib/http/client-ip.ts). */
  trustProxy: number;
  serviceName: string;
  scopeDescriptions: Record<string, string>;
  views?: string;
  assets?: string;
  accessToken: { ttl: number; format: 'opaque' | 'jwt'; audience: string };
  keys: KeySpec[];
  introspection: { scope: string; ownTokens: boolean };
  refreshToken: { ttl: number; rotate: boolean; maxLifetime: number; rotationGracePeriod: number };
  authorizationCode: { ttl: number };
  grants: GrantType[];
  assertions: { leeway: number; maxLifetime: number };
  jwtBearer: { issuers: TrustedJwtIssuer[] };
  samlBearer: { identityProviders: { issuer: string; certificate?: string; certificateFile?: string; clients?: string[] }[] };
  device: { ttl: number; interval: number; maxUserCodeFailures: number; maxRequestsPerClient: number; maxRequestsPerIp: number };
  clientRegistration: { enabled: boolean; selfServiceScopes: string[]; maxAppsPerUser: number };
  dynamicRegistration: DynamicRegistrationSettings;
  /** URLs supplied by clients (jwks_uri), fetched only from public addresses unless allowPrivateNetworks. */
  clientUrls: { allowPrivateNetworks: boolean; timeout: number; jwksCooldown: number };
  tokenEndpoint: { maxBodyBytes: number; acceptJson: boolean };
  servers: { strict: boolean };
  tokenCache: { ttl: number; maxEntries: number };
  credentialCache: { ttl: number; maxEntries: number };
  store: { keyPrefix: string; timeout: number };
}

/** An issuer of JWT bearer grant assertions trusted in settings (RFC 7523 §3 item 1). */
export interface TrustedJwtIssuer {
  issuer: string; keys?: KeySpec[]; jwksUri?: string; jwksTimeout: number; jwksCooldown: number; algorithms?: KeySpec['alg'][]; clients?: string[];
}

/** A setting that does not validate; the message names its path. */
export class SettingsError extends TypeError {
  override name = 'SettingsError';
}

// verbose: an unknown key's error carries the schema that lists the known ones (for "did you mean").
const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: true, verbose: true, keywords: [...DOC_KEYWORDS] });
const validate = ajv.compile(settingsSchema);

/** An Ajv error as one line naming the key: `plugins.oauth2.accessToken.ttl must be >= 1`. */
export function describeSchemaError(error: ErrorObject, root: string): string {
  const where = [root, ...error.instancePath.split('/').slice(1)].join('.');
  if (error.keyword === 'additionalProperties') {
    const typed = String(error.params.additionalProperty);
    const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    return `unknown setting ${where}.${typed}${didYouMean(typed, known)}`;
  }
  const allowed = 'allowedValues' in error.params ? ` (one of: ${error.params.allowedValues.join(', ')})` : '';
  return `${where} ${error.message}${allowed}`;
}

/** Browser sessions need a secret; only the emulated store (the demo) may run on a fixed one. */
const DEMO_SESSION_SECRET = 'express-gateway-plugin-oauth2 demo session secret: never use it in production';

function demoSessionSecret(system: SystemConfig): string {
  if (!isEmulatedStore(system)) {
    throw new SettingsError('plugins.oauth2.session.secret is required (32 characters or more) when the gateway runs on a real Redis; ' +
      'the built-in demo secret is only accepted on the emulated store');
  }
  return DEMO_SESSION_SECRET;
}

/**
 * The issuer goes into every token, the metadata and the device URLs, and
 * other instances must agree on it: guessing it is only safe for the demo's
 * single emulated process. On a real Redis it must be set.
 */
function defaultIssuer(system: SystemConfig, gateway: GatewayConfig): string {
  if (!isEmulatedStore(system)) {
    throw new SettingsError('plugins.oauth2.issuer is required when the gateway runs on a real Redis: the public https URL clients reach ' +
      'the gateway at (it goes into tokens, the metadata and the device URLs); http://localhost:<port> is only assumed on the emulated store');
  }
  return `http://localhost:${gateway.http?.port ?? 8080}`;
}

/** The SAML bearer grant joins the defaults once an identity provider is trusted. */
function defaultGrants(settings: Settings): GrantType[] {
  return settings.samlBearer.identityProviders.length > 0 ? [...DEFAULT_GRANTS, SAML2_BEARER] : [...DEFAULT_GRANTS];
}

/** A grant that trusts nobody would refuse every request: say so at start instead. */
function checkAssertionTrust(settings: Settings): void {
  if (settings.grants.includes(SAML2_BEARER) && settings.samlBearer.identityProviders.length === 0) {
    throw new SettingsError(`plugins.oauth2.grants lists ${SAML2_BEARER}, which needs samlBearer.identityProviders`);
  }
  settings.jwtBearer.issuers.forEach((entry, index) => {
    if (!entry.jwksUri && !entry.keys?.length) {
      throw new SettingsError(`plugins.oauth2.jwtBearer.issuers.${index} needs keys or a jwksUri`);
    }
    // An HMAC key fetched from a URL would be a published secret.
    if (entry.jwksUri && entry.algorithms?.some((alg) => alg.startsWith('HS'))) {
      throw new SettingsError(`plugins.oauth2.jwtBearer.issuers.${index}.algorithms cannot list HS* with a jwksUri`);
    }
  });
  const issuers = settings.jwtBearer.issuers.map((entry) => entry.issuer);
  const twice = issuers.find((issuer, index) => issuers.indexOf(issuer) !== index);
  if (twice) throw new SettingsError(`plugins.oauth2.jwtBearer.issuers: the issuer "${twice}" is listed twice`);
}

/**
 * Validates the raw plugin settings and fills in every default.
 * Values the schema cannot default on its own (they depend on the gateway's
 * configuration) are derived here.
 * @throws SettingsError naming the offending key.
 */
export function resolveSettings(raw: unknown, system: SystemConfig, gateway: GatewayConfig): Settings {
  const settings = structuredClone(raw ?? {}) as Record<string, unknown>;
  if (!validate(settings)) {
    throw new SettingsError(describeSchemaError(validate.errors![0], 'plugins.oauth2'));
  }
  const resolved = settings as unknown as Settings;
  const egNamespace = system.db?.redis?.namespace ?? 'EG';
  resolved.store.keyPrefix ??= `${egNamespace}-oauth2-plugin:`;
  resolved.issuer ??= defaultIssuer(system, gateway);
  resolved.issuer = resolved.issuer.replace(/\/+$/, '');
  resolved.basePath = resolved.basePath.replace(/\/+$/, '');
  resolved.session.secret ??= demoSessionSecret(system);
  resolved.accessToken.audience ??= resolved.issuer;
  const kids = resolved.keys.map((key) => key.kid);
  const repeated = kids.find((kid, index) => kids.indexOf(kid) !== index);
  if (repeated) throw new SettingsError(`plugins.oauth2.keys: the kid "${repeated}" is used twice`);
  resolved.grants ??= defaultGrants(resolved);
  resolved.bcrypt.workers ??= Math.max(1, Math.min(4, os.availableParallelism() - 1));
  checkAssertionTrust(resolved);
  if (resolved.accessToken.format === 'jwt' && resolved.keys.length === 0) {
    throw new SettingsError('plugins.oauth2.keys must hold a signing key when accessToken.format is jwt');
  }
  return resolved;
}

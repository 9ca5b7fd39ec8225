import Ajv, { ErrorObject } from 'ajv';
import { settingsSchema } from '../schemas/settings.schema';
import { isEmulatedStore } from './eg/emulated-store';
import type { GatewayConfig, SystemConfig } from './eg/types';
import type { KeySpec } from './keys/key-entry';

export type GrantType = typeof settingsSchema.properties.grants.items.enum[number];

/** The plugin's settings once validated and defaulted: every field is present. */
export interface Settings {
  issuer: string;
  basePath: string;
  routes: {
    token: string; authorize: string; decision: string; login: string; logout: string; assets: string;
    revoke: string; introspect: string; tokeninfo: string; jwks: string;
  };
  pkce: { require: 'public-clients' | 'required' | 'optional'; allowPlain: boolean };
  consent: { remember: boolean; ttl: number };
  session: { secret: string; name: string; ttl: number; secure: 'auto' | boolean; sameSite: 'lax' | 'strict' };
  login: { maxFailuresPerUser: number; maxFailuresPerIp: number; window: number };
  serviceName: string;
  scopeDescriptions: Record<string, string>;
  views?: string;
  assets?: string;
  accessToken: { ttl: number; format: 'opaque' | 'jwt'; audience: string };
  keys: KeySpec[];
  introspection: { scope: string; ownTokens: boolean };
  refreshToken: { ttl: number; rotate: boolean };
  authorizationCode: { ttl: number };
  grants: GrantType[];
  tokenEndpoint: { maxBodyBytes: number };
  store: { keyPrefix: string };
}

/** A setting that does not validate; the message names its path. */
export class SettingsError extends TypeError {
  override name = 'SettingsError';
}

const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: true });
const validate = ajv.compile(settingsSchema);

function describe(error: ErrorObject): string {
  const where = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const key = 'additionalProperty' in error.params
    ? [where, error.params.additionalProperty].filter(Boolean).join('.')
    : where;
  const allowed = 'allowedValues' in error.params ? ` (one of: ${error.params.allowedValues.join(', ')})` : '';
  return `plugins.oauth2${key ? '.' + key : ''} ${error.message}${allowed}`;
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
 * Validates the raw plugin settings and fills in every default.
 * Values the schema cannot default on its own (they depend on the gateway's
 * configuration) are derived here.
 * @throws SettingsError naming the offending key.
 */
export function resolveSettings(raw: unknown, system: SystemConfig, gateway: GatewayConfig): Settings {
  const settings = structuredClone(raw ?? {}) as Record<string, unknown>;
  if (!validate(settings)) {
    throw new SettingsError(describe(validate.errors![0]));
  }
  const resolved = settings as unknown as Settings;
  const egNamespace = system.db?.redis?.namespace ?? 'EG';
  resolved.store.keyPrefix ??= `${egNamespace}-oauth2-plugin:`;
  resolved.issuer ??= `http://localhost:${gateway.http?.port ?? 8080}`;
  resolved.issuer = resolved.issuer.replace(/\/+$/, '');
  resolved.basePath = resolved.basePath.replace(/\/+$/, '');
  resolved.session.secret ??= demoSessionSecret(system);
  resolved.accessToken.audience ??= resolved.issuer;
  const kids = resolved.keys.map((key) => key.kid);
  const repeated = kids.find((kid, index) => kids.indexOf(kid) !== index);
  if (repeated) throw new SettingsError(`plugins.oauth2.keys: the kid "${repeated}" is used twice`);
  if (resolved.accessToken.format === 'jwt' && resolved.keys.length === 0) {
    throw new SettingsError('plugins.oauth2.keys must hold a signing key when accessToken.format is jwt');
  }
  return resolved;
}

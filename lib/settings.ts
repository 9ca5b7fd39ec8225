import Ajv from 'ajv';
import { applyFapi2Profile } from './fapi/fapi2-profile';
import os from 'os';
import { isIP } from 'net';
import { DOC_KEYWORDS } from '../schemas/doc-keywords';
import type { FromSchema } from '../schemas/from-schema';
import { DEFAULT_GRANTS, SAML2_BEARER, settingsSchema } from '../schemas/settings.schema';
import { describeSchemaError, firstError } from './schema-errors';
import { isEmulatedStore } from './eg/emulated-store';
import type { GatewayConfig, SystemConfig } from './eg/types';

export type GrantType = (typeof settingsSchema.properties.grants.items.enum)[number];

/** The settings as written, once Ajv has filled in every schema default. */
type SchemaFilled = FromSchema<typeof settingsSchema, true>;

/**
 * The plugin's settings once validated and defaulted: every field is present.
 * Derived from the schema, their only home; the few defaults that depend on
 * the gateway (its port, its store, the machine's cores) are computed here
 * at load, so those fields are present too.
 */
export type Settings = Omit<
  SchemaFilled,
  'package' | 'issuer' | 'grants' | 'accessToken' | 'session' | 'bcrypt' | 'store'
> & {
  issuer: string;
  grants: GrantType[];
  accessToken: SchemaFilled['accessToken'] & { audience: string };
  session: SchemaFilled['session'] & { secret: string };
  bcrypt: SchemaFilled['bcrypt'] & { workers: number };
  store: SchemaFilled['store'] & { keyPrefix: string };
};

/** A setting that does not validate; the message names its path. */
export class SettingsError extends TypeError {
  override name = 'SettingsError';
}

// verbose: an unknown key's error carries the schema that lists the known ones (for "did you mean").
const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: true, verbose: true, keywords: [...DOC_KEYWORDS] });
const validate = ajv.compile(settingsSchema);

/** Browser sessions need a secret; only the emulated store (the demo) may run on a fixed one. */
const DEMO_SESSION_SECRET = 'express-gateway-plugin-oauth2 demo session secret: never use it in production';

function demoSessionSecret(system: SystemConfig): string {
  if (!isEmulatedStore(system)) {
    throw new SettingsError(
      'plugins.oauth2.session.secret is required (32 characters or more) when the gateway runs on a real Redis; ' +
        'the built-in demo secret is only accepted on the emulated store'
    );
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
    throw new SettingsError(
      'plugins.oauth2.issuer is required when the gateway runs on a real Redis: the public https URL clients reach ' +
        'the gateway at (it goes into tokens, the metadata and the device URLs); http://localhost:<port> is only assumed on the emulated store'
    );
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

/** Headers the gateway or the client's own request already means something by: never a certificate. */
const NOT_CERTIFICATE_HEADERS = ['authorization', 'cookie', 'dpop', 'host', 'content-type', 'content-length'];

/**
 * Mutual TLS settings that cannot work: a certificate header from a client nobody vouches for (RFC 9440 §2.4: only a
 * terminator the gateway trusts may set it), or an alias origin that is the issuer's own.
 */
function checkMtls(settings: Settings): void {
  const { certificateHeader, endpointOrigin } = settings.mtls;
  const header = certificateHeader.toLowerCase();
  if (header && settings.trustProxy === 0)
    throw new SettingsError(
      'plugins.oauth2.mtls.certificateHeader needs trustProxy of 1 or more: the header is taken only from a TLS ' +
        'terminator in front, and with trustProxy 0 any client could name its own certificate'
    );
  if (NOT_CERTIFICATE_HEADERS.includes(header) || header.startsWith('eg-') || header.startsWith('x-forwarded-'))
    throw new SettingsError(
      `plugins.oauth2.mtls.certificateHeader cannot be ${certificateHeader}: it means something else`
    );
  if (endpointOrigin && !URL.canParse(endpointOrigin))
    throw new SettingsError(`plugins.oauth2.mtls.endpointOrigin is not an origin: ${endpointOrigin}`);
  if (endpointOrigin && new URL(endpointOrigin).origin === new URL(settings.issuer).origin)
    throw new SettingsError(
      "plugins.oauth2.mtls.endpointOrigin is the issuer's origin: leave it empty when clients present certificates there"
    );
  settings.mtls.trustedProxies.forEach((address, index) => {
    if (!isIP(address))
      throw new SettingsError(`plugins.oauth2.mtls.trustedProxies.${index} is not an IP address: ${address}`);
  });
  if (settings.mtls.trustedProxies.length && !header)
    throw new SettingsError('plugins.oauth2.mtls.trustedProxies needs mtls.certificateHeader, the header they set');
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
    throw new SettingsError(describeSchemaError(firstError(validate.errors), 'plugins.oauth2'));
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
  if (resolved.oidc.enabled && !resolved.grants.includes('authorization_code')) {
    throw new SettingsError('plugins.oauth2.oidc.enabled needs authorization_code in plugins.oauth2.grants');
  }
  const documents = resolved.clientIdMetadataDocuments;
  if (documents.minCacheSeconds > documents.maxCacheSeconds) {
    throw new SettingsError(
      'plugins.oauth2.clientIdMetadataDocuments.minCacheSeconds must not exceed maxCacheSeconds ' +
        `(${documents.minCacheSeconds} > ${documents.maxCacheSeconds})`
    );
  }
  checkMtls(resolved);
  applyFapi2Profile((raw ?? {}) as Record<string, unknown>, resolved);
  if (resolved.accessToken.format === 'jwt' && resolved.keys.length === 0) {
    throw new SettingsError('plugins.oauth2.keys must hold a signing key when accessToken.format is jwt');
  }
  return resolved;
}

import Ajv, { ErrorObject } from 'ajv';
import { clientMetadataSchema, DEFAULT_AUTH_METHOD } from '../../schemas/client-metadata.schema';
import { ClientUrlRules, clientUrlProblem } from '../client-urls/client-url-rule';
import type { ClientAuthMethod } from '../clients/client';
import { DYNAMIC_FLAGS } from '../clients/client-registrar';
import { InvalidClientMetadata } from '../errors';
import { keysFromJwkSet } from '../keys/jwk-set';
import { firstError } from '../schema-errors';
import { isValidScopeParam } from '../scopes';
import { checkFlows } from './grant-types';
import { OpenIdClientMetadata, parseOpenIdClientMetadata } from './openid-client-metadata';
import { checkRedirectUris } from './redirect-uris';

const AUTH_METHODS: readonly ClientAuthMethod[] = [
  'none',
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt'
];

/** Fields kept only to be shown back (RFC 7591 §2): nothing here decides what the client may do. */
const DESCRIPTIVE = [
  'client_uri',
  'logo_uri',
  'tos_uri',
  'policy_uri',
  'contacts',
  'software_id',
  'software_version'
] as const;
const WEB_PAGES = ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri'] as const;

/** A registration request, checked and defaulted. */
export interface ClientMetadata {
  redirectUris: string[];
  grantTypes: string[];
  responseTypes: string[];
  authMethod: ClientAuthMethod;
  clientName?: string;
  scopes: string[];
  jwks?: object;
  jwksUri?: string;
  /** The DYNAMIC_FLAGS registered true (DPoP-bound tokens only, pushed requests only), by app property name. */
  flags: string[];
  /** The descriptive fields, by their RFC 7591 names. */
  about: Record<string, unknown>;
  /** With OpenID Connect on: its client metadata (without, those fields are ignored, as RFC 7591 §2 allows). */
  openId?: OpenIdClientMetadata | undefined;
}

/** What a registration may ask for on this server. */
export interface RegistrationPolicy {
  grants: readonly string[];
  allowedScopes: string[];
  /** The scopes that exist in EG: a client's credential can only hold those. */
  knownScopes: string[];
  /** What a jwks_uri (and a backchannel_logout_uri) may point at. */
  clientUrls: ClientUrlRules;
  /** Whether OpenID Connect is on, and so its client metadata read. */
  openId: boolean;
  /** oidc.pairwiseSecret: set, clients may register pairwise subjects (OpenID Connect Core §8.1). */
  pairwiseSecret?: string | undefined;
  /** The token_endpoint_auth_method values a client may register (FAPI 2.0: private_key_jwt alone); default all. */
  authMethods?: readonly ClientAuthMethod[] | undefined;
}

const ajv = new Ajv({ allErrors: false, strict: true });
const validateShape = ajv.compile(clientMetadataSchema);

function describe(error: ErrorObject): string {
  const field = error.instancePath
    .replace(/^\//, '')
    .replace(/\/(\d+)/g, '[$1]')
    .replace(/\//g, '.');
  return field ? `${field} ${error.message}` : 'The request body must be a JSON object';
}

function checkScopes(scope: string | undefined, policy: RegistrationPolicy): string[] {
  if (scope === undefined) return [];
  if (!isValidScopeParam(scope)) throw new InvalidClientMetadata('scope is malformed (RFC 6749 §3.3)');
  const scopes = [...new Set(scope.split(' '))];
  for (const name of scopes) {
    if (!policy.allowedScopes.includes(name)) throw new InvalidClientMetadata(`scope: "${name}" may not be registered`);
    if (!policy.knownScopes.includes(name)) {
      throw new InvalidClientMetadata(
        `scope: "${name}" is not available`,
        `"${name}" is in dynamicRegistration.allowedScopes but not in EG (eg scopes create)`
      );
    }
  }
  return scopes;
}

/**
 * RFC 7591 §2: private_key_jwt needs keys; jwks and jwks_uri are never both
 * given; a jwks_uri must be one the gateway will fetch (clientUrlProblem;
 * its host name is resolved by the next step, checkClientUrlHosts).
 */
function checkKeys(
  jwks: object | undefined,
  jwksUri: string | undefined,
  authMethod: ClientAuthMethod,
  urls: ClientUrlRules
): void {
  if (jwks && jwksUri) throw new InvalidClientMetadata('jwks and jwks_uri must not both be given');
  if (authMethod === 'private_key_jwt' && !jwks && !jwksUri)
    throw new InvalidClientMetadata('private_key_jwt needs jwks or jwks_uri');
  const problem = jwksUri && clientUrlProblem(jwksUri, urls);
  if (problem) throw new InvalidClientMetadata(`jwks_uri ${problem}`);
  if (jwks) {
    try {
      keysFromJwkSet(JSON.stringify(jwks));
    } catch (err) {
      throw new InvalidClientMetadata(`jwks: ${(err as Error).message}`);
    }
  }
}

/** Pages shown to users must be web pages, never `javascript:` or `data:`. */
function checkWebPage(field: string, value: unknown): void {
  if (value === undefined) return;
  try {
    if (['http:', 'https:'].includes(new URL(value as string).protocol)) return;
  } catch {
    /* answered below */
  }
  throw new InvalidClientMetadata(`${field} must be an absolute http or https URL`);
}

/**
 * Reads a registration request (RFC 7591 §2, §3.1). Unknown fields are
 * ignored; a known field of the wrong type is refused, naming it.
 * @throws InvalidRedirectUri or InvalidClientMetadata
 */
export function parseClientMetadata(body: unknown, policy: RegistrationPolicy): ClientMetadata {
  if (!validateShape(body)) throw new InvalidClientMetadata(describe(firstError(validateShape.errors)));
  const fields = body as Record<string, any>;
  const offered = policy.authMethods ?? AUTH_METHODS;
  const authMethod = (fields.token_endpoint_auth_method ??
    (offered.includes(DEFAULT_AUTH_METHOD) ? DEFAULT_AUTH_METHOD : offered[0])) as ClientAuthMethod;
  if (!offered.includes(authMethod)) {
    throw new InvalidClientMetadata(
      `token_endpoint_auth_method: "${authMethod}" is not supported (${offered.join(', ')})`
    );
  }
  const flows = checkFlows(fields.grant_types, fields.response_types, policy.grants, authMethod === 'none');
  const redirectUris = checkRedirectUris(
    fields.redirect_uris,
    flows.grantTypes.includes('authorization_code') || flows.grantTypes.includes('implicit')
  );
  checkKeys(fields.jwks, fields.jwks_uri, authMethod, policy.clientUrls);
  for (const field of WEB_PAGES) checkWebPage(field, fields[field]);
  const about = Object.fromEntries(
    DESCRIPTIVE.filter((field) => fields[field] !== undefined).map((field) => [field, fields[field]])
  );
  return {
    ...flows,
    redirectUris,
    authMethod,
    clientName: fields.client_name,
    scopes: checkScopes(fields.scope, policy),
    jwks: fields.jwks,
    jwksUri: fields.jwks_uri,
    // Registered clients never get the implicit grant, the one whose tokens no DPoP proof could bind.
    flags: Object.entries(DYNAMIC_FLAGS).flatMap(([field, property]) => (fields[field] === true ? [property] : [])),
    about,
    openId: policy.openId
      ? parseOpenIdClientMetadata(fields, {
          urls: policy.clientUrls,
          pairwiseSecret: policy.pairwiseSecret,
          redirectUris,
          grantTypes: flows.grantTypes
        })
      : undefined
  };
}

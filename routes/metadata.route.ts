import { OPENID_RESPONSE_TYPES } from '../lib/oidc/response-types';
import type { Request, Response, Router } from 'express';
import type { EgLogger, EgServices } from '../lib/eg/types';
import { methodNotAllowed } from '../lib/http/method-not-allowed';
import { sendOAuthError } from '../lib/http/send-oauth-error';
import type { Settings } from '../lib/settings';
import { atMtlsOrigin, endpointUrl } from '../lib/endpoint-url';
import { DEVICE_CODE, KEY_ALGORITHMS } from '../schemas/settings.schema';
import { dpopAlgorithms, FAPI2_ALGORITHMS, isFapi2 } from '../lib/fapi/fapi2-profile';

/** What private_key_jwt assertions may be signed with: the asymmetric algorithms (app keys are public keys). */
const ASYMMETRIC_ALGORITHMS = KEY_ALGORITHMS.filter((alg) => !alg.startsWith('HS'));

/** What the metadata document depends on beyond the settings. */
interface Deps {
  settings: Settings;
  services: EgServices;
  publishesJwks: boolean;
  /** The resources tokens may be requested for (RFC 8707), listed as RFC 9728 §4 says. */
  protectedResources: string[];
  /** The TLS client authentication methods offered (RFC 8705 §2); none: no certificate can reach the gateway. */
  mtlsMethods: readonly string[];
  logger: EgLogger;
}

/**
 * RFC 8705 §5: where the endpoints that read a client certificate are, at mtls.endpointOrigin; undefined when clients
 * present certificates at the issuer's own origin.
 */
export function mtlsEndpointAliases(
  settings: Settings,
  endpoints: Record<string, string | undefined>
): Record<string, string> | undefined {
  if (!settings.mtls.endpointOrigin) return undefined;
  const aliases = Object.entries(endpoints).flatMap(([name, url]) =>
    url ? [[name, atMtlsOrigin(settings, url)]] : []
  );
  return Object.fromEntries(aliases);
}

/**
 * The authorization server metadata (RFC 8414 §2), describing exactly what is
 * enabled: endpoints of disabled flows, grants and methods are left out.
 */
export function metadataDocument(
  settings: Settings,
  publishesJwks: boolean,
  protectedResources: string[],
  mtlsMethods: readonly string[]
): Record<string, unknown> {
  const url = (route: string) => endpointUrl(settings, route);
  const grants = settings.grants;
  const browser = grants.includes('authorization_code') || grants.includes('implicit');
  // FAPI 2.0 (§5.3.2.1): confidential clients with private_key_jwt or mTLS alone, signing with its algorithms alone.
  const fapi2 = isFapi2(settings);
  const clientAuth = [
    ...(fapi2 ? ['private_key_jwt'] : ['client_secret_basic', 'client_secret_post', 'private_key_jwt']),
    ...mtlsMethods
  ];
  const signing = fapi2 ? [...FAPI2_ALGORITHMS] : ASYMMETRIC_ALGORITHMS;
  // Public clients (client_id only) exist for the code flow with PKCE and for devices.
  const publicClients = !fapi2 && (grants.includes('authorization_code') || grants.includes(DEVICE_CODE));
  const responseTypes = [
    ...(grants.includes('authorization_code') ? ['code'] : []),
    ...(grants.includes('implicit') ? ['token'] : []),
    // OpenID Connect's (Core §3.2, §3.3): served with the implicit grant (and OpenID Connect needs the code grant).
    ...(grants.includes('implicit') && settings.oidc.enabled ? OPENID_RESPONSE_TYPES : [])
  ];
  const document: Record<string, unknown> = {
    issuer: settings.issuer,
    authorization_endpoint: browser ? url(settings.routes.authorize) : undefined,
    token_endpoint: url(settings.routes.token),
    // RFC 9126 §5: where requests are pushed, and whether every one must be.
    pushed_authorization_request_endpoint: browser ? url(settings.routes.par) : undefined,
    require_pushed_authorization_requests: browser ? settings.par.required : undefined,
    // RFC 9101 §10.1: request objects by value, signed with one of these algorithms by a key the client registered.
    request_parameter_supported: browser ? true : undefined,
    request_object_signing_alg_values_supported: browser ? signing : undefined,
    jwks_uri: publishesJwks ? url(settings.routes.jwks) : undefined,
    response_types_supported: responseTypes,
    response_modes_supported: browser
      ? [
          ...(grants.includes('authorization_code') ? ['query'] : []),
          ...(grants.includes('implicit') ? ['fragment'] : [])
        ]
      : undefined,
    grant_types_supported: grants,
    token_endpoint_auth_methods_supported: publicClients ? [...clientAuth, 'none'] : clientAuth,
    token_endpoint_auth_signing_alg_values_supported: signing,
    revocation_endpoint: url(settings.routes.revoke),
    revocation_endpoint_auth_methods_supported: publicClients ? [...clientAuth, 'none'] : clientAuth,
    revocation_endpoint_auth_signing_alg_values_supported: signing,
    introspection_endpoint: url(settings.routes.introspect),
    introspection_endpoint_auth_methods_supported: clientAuth,
    introspection_endpoint_auth_signing_alg_values_supported: signing,
    device_authorization_endpoint: grants.includes(DEVICE_CODE) ? url(settings.routes.deviceAuthorization) : undefined,
    registration_endpoint: settings.dynamicRegistration.enabled ? url(settings.routes.register) : undefined,
    // RFC 9449 §5.1: the algorithms of the DPoP proofs this server takes.
    dpop_signing_alg_values_supported: [...dpopAlgorithms(settings)],
    // RFC 8705 §3.3: access tokens bound to the client's certificate, wherever one can reach the gateway.
    tls_client_certificate_bound_access_tokens: mtlsMethods.length ? true : undefined,
    mtls_endpoint_aliases: mtlsEndpointAliases(settings, {
      token_endpoint: url(settings.routes.token),
      revocation_endpoint: url(settings.routes.revoke),
      introspection_endpoint: url(settings.routes.introspect),
      pushed_authorization_request_endpoint: browser ? url(settings.routes.par) : undefined,
      device_authorization_endpoint: grants.includes(DEVICE_CODE) ? url(settings.routes.deviceAuthorization) : undefined
    }),
    // draft-ietf-oauth-client-id-metadata-document §6: an https URL may be a client_id.
    client_id_metadata_document_supported: settings.clientIdMetadataDocuments.enabled ? true : undefined,
    authorization_response_iss_parameter_supported: browser ? true : undefined,
    code_challenge_methods_supported: grants.includes('authorization_code')
      ? settings.pkce.allowPlain
        ? ['S256', 'plain']
        : ['S256']
      : undefined,
    // RFC 9728 §4: the resources (RFC 8707 resource values) this server issues tokens for.
    protected_resources: protectedResources.length ? protectedResources : undefined
  };
  return Object.fromEntries(Object.entries(document).filter(([, value]) => value !== undefined));
}

/** The issuer's path, where RFC 8414 §3.1 puts it: after the well-known segment. */
export function metadataPaths(issuer: string): string[] {
  const issuerPath = new URL(issuer).pathname.replace(/\/+$/, '');
  const base = '/.well-known/oauth-authorization-server';
  return issuerPath ? [`${base}${issuerPath}`, base] : [base];
}

/**
 * GET /.well-known/oauth-authorization-server (at the root of the gateway,
 * not under basePath). scopes_supported lists the scopes registered in EG
 * but for the plugin's internal ones.
 */
export function mountMetadataRoute(
  router: Router,
  { settings, services, publishesJwks, protectedResources, mtlsMethods, logger }: Deps
): void {
  const document = metadataDocument(settings, publishesJwks, protectedResources, mtlsMethods);

  function metadata(_req: Request, res: Response): void {
    publicScopes(services, settings).then(
      (scopes) => {
        res.set('Cache-Control', 'public, max-age=60').json({ ...document, scopes_supported: scopes });
      },
      (err) => sendOAuthError(res, err, logger)
    );
  }

  for (const path of metadataPaths(settings.issuer)) {
    router.get(path, metadata);
    router.all(path, methodNotAllowed('GET'));
  }
}

/**
 * The scopes registered in EG but for the plugin's internal ones: scopes that open the plugin's own services are
 * granted by the operator, never asked for by a client (issue 15, item 23).
 */
export async function publicScopes(services: EgServices, settings: Settings): Promise<string[]> {
  const internal = new Set([settings.introspection.scope, settings.dynamicRegistration.initialAccessScope]);
  return ((await services.credential.getAllScopes()) ?? []).filter((scope) => !internal.has(scope));
}

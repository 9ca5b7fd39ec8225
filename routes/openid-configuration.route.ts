import type { Request, Response, Router } from 'express';
import type { EgLogger, EgServices } from '../lib/eg/types';
import { endpointUrl } from '../lib/endpoint-url';
import { methodNotAllowed } from '../lib/http/method-not-allowed';
import { sendOAuthError } from '../lib/http/send-oauth-error';
import type { IdTokens } from '../lib/oidc/id-tokens';
import { IDENTITY_SCOPES } from '../lib/oidc/oidc-scopes';
import { availableClaims } from '../lib/oidc/user-claims';
import { openIdConfigurationPaths } from '../lib/oidc/configuration-paths';
import type { Settings } from '../lib/settings';
import { metadataDocument, mtlsEndpointAliases, publicScopes } from './metadata.route';

interface Deps {
  settings: Settings;
  services: EgServices;
  idTokens: IdTokens;
  /** The resources tokens may be requested for (RFC 8707, RFC 9728 §4). */
  protectedResources: string[];
  /** The TLS client authentication methods offered (RFC 8705 §2). */
  mtlsMethods: readonly string[];
  logger: EgLogger;
}

/** The claims of every ID token and UserInfo answer (Core §2, §5.1): the user's and the token's own. */
const TOKEN_CLAIMS = ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'azp', 'at_hash', 'sid'];

/**
 * OpenID Provider Metadata (OpenID Connect Discovery 1.0 §3): the RFC 8414
 * document, which it extends, plus what OpenID Connect adds, exactly as
 * enabled. What is not supported is said where Discovery's default would
 * claim it (request_uri_parameter_supported defaults to true).
 */
export function openIdConfiguration(
  settings: Settings,
  idTokens: IdTokens,
  protectedResources: string[],
  mtlsMethods: readonly string[]
): Record<string, unknown> {
  const base = metadataDocument(settings, true, protectedResources, mtlsMethods);
  const userinfo = endpointUrl(settings, settings.routes.userinfo);
  const aliases = base.mtls_endpoint_aliases && mtlsEndpointAliases(settings, { userinfo_endpoint: userinfo });
  return {
    ...base,
    ...(aliases ? { mtls_endpoint_aliases: { ...(base.mtls_endpoint_aliases as object), ...aliases } } : {}),
    userinfo_endpoint: userinfo,
    end_session_endpoint: endpointUrl(settings, settings.routes.logout),
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    subject_types_supported: idTokens.subjects.offered,
    id_token_signing_alg_values_supported: idTokens.algorithms,
    userinfo_signing_alg_values_supported: idTokens.algorithms,
    claim_types_supported: ['normal'],
    claims_supported: [...new Set([...TOKEN_CLAIMS, ...availableClaims(settings.oidc.claims)])],
    claims_parameter_supported: true,
    // Request objects by value (RFC 9101) are read; a request_uri only as the PAR endpoint gives it (RFC 9126).
    request_uri_parameter_supported: false
  };
}

/** GET <issuer>/.well-known/openid-configuration, with oidc.enabled. */
export function mountOpenIdConfigurationRoute(
  router: Router,
  { settings, services, idTokens, protectedResources, mtlsMethods, logger }: Deps
): void {
  const document = openIdConfiguration(settings, idTokens, protectedResources, mtlsMethods);

  function configuration(_req: Request, res: Response): void {
    publicScopes(services, settings).then(
      (scopes) =>
        res
          .set('Cache-Control', 'public, max-age=60')
          .json({ ...document, scopes_supported: [...new Set([...IDENTITY_SCOPES, ...scopes])] }),
      (err) => sendOAuthError(res, err, logger)
    );
  }

  for (const path of openIdConfigurationPaths(settings.issuer)) {
    router.get(path, configuration);
    router.all(path, methodNotAllowed('GET'));
  }
}

import type { Settings } from './settings';

/** The absolute URL of one of the plugin's endpoints, as clients and assertions name it. */
export function endpointUrl(settings: Settings, route: string): string {
  return `${settings.issuer}${settings.basePath}${route}`;
}

/**
 * What an assertion (JWT or SAML, grant or client authentication) may name
 * as its audience to mean this server (RFC 7523 §3 item 3, RFC 7522 §3
 * item 2): the issuer identifier, or the URL of one of the endpoints that
 * take assertions. The token endpoint is always accepted, as RFC 7523
 * suggests, also for client assertions sent to the other endpoints.
 */
export function assertionAudiences(settings: Settings): string[] {
  const { routes } = settings;
  return [
    settings.issuer,
    // RFC 9126 §2: the PAR endpoint's URL too.
    ...[routes.token, routes.par, routes.revoke, routes.introspect, routes.deviceAuthorization].map((route) =>
      endpointUrl(settings, route)
    )
  ];
}

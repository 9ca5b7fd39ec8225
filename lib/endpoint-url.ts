import type { Settings } from './settings';

/** The absolute URL of one of the plugin's endpoints, as clients and assertions name it. */
export function endpointUrl(settings: Settings, route: string): string {
  return `${settings.issuer}${settings.basePath}${route}`;
}

/** A URL of the issuer's origin as at `mtls.endpointOrigin`, where clients present certificates (RFC 8705 §5). */
export function atMtlsOrigin(settings: Settings, url: string): string {
  const { pathname, search } = new URL(url);
  return `${settings.mtls.endpointOrigin}${pathname}${search}`;
}

/** The URLs an endpoint is reached at: the issuer's, and its mTLS alias when there is one (RFC 8705 §5). */
export function endpointUrls(settings: Settings, route: string): string[] {
  const url = endpointUrl(settings, route);
  return settings.mtls.endpointOrigin ? [url, atMtlsOrigin(settings, url)] : [url];
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
    // RFC 9126 §2: the PAR endpoint's URL too; each also at its mTLS alias (RFC 8705 §5).
    ...[routes.token, routes.par, routes.revoke, routes.introspect, routes.deviceAuthorization].flatMap((route) =>
      endpointUrls(settings, route)
    )
  ];
}

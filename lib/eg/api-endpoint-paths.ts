import type { GatewayConfig } from './types';

/** Every path of gateway.config's apiEndpoints (EG takes one path or a list), as written. */
export function apiEndpointPaths(gateway: GatewayConfig & { apiEndpoints?: Record<string, unknown> }): string[] {
  return Object.values(gateway.apiEndpoints ?? {}).flatMap((endpoint) => {
    const list = Array.isArray(endpoint) ? endpoint : [endpoint];
    return list.flatMap((one) => {
      const paths = (one as { paths?: unknown } | null)?.paths;
      return (Array.isArray(paths) ? paths : [paths]).filter((path): path is string => typeof path === 'string');
    });
  });
}

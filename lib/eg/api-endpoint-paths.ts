import type { GatewayConfig } from './types';

/** Every express path EG mounts a pipeline on (`*` for an API endpoint without paths); pathRegex ones are left out. */
export function apiEndpointPaths(gateway: GatewayConfig & { apiEndpoints?: Record<string, unknown> }): string[] {
  return apiEndpointRoutes(gateway).flatMap((route) => route.path ?? []);
}

/** One path EG mounts a pipeline on: an express path, or a pathRegex. */
export interface ApiEndpointRoute {
  name: string;
  path?: string;
  pathRegex?: string;
}

/**
 * Every path EG mounts for gateway.config's apiEndpoints, as its
 * lib/gateway/pipelines.js does: `pathRegex`, else `paths` (or `path`),
 * else `*`, every call.
 */
export function apiEndpointRoutes(
  gateway: GatewayConfig & { apiEndpoints?: Record<string, unknown> }
): ApiEndpointRoute[] {
  return Object.entries(gateway.apiEndpoints ?? {}).flatMap(([name, endpoint]) =>
    (Array.isArray(endpoint) ? endpoint : [endpoint]).flatMap((one): ApiEndpointRoute[] => {
      const route = (one ?? {}) as { paths?: unknown; path?: unknown; pathRegex?: unknown };
      if (typeof route.pathRegex === 'string') return [{ name, pathRegex: route.pathRegex }];
      const paths = [route.paths ?? route.path ?? []].flat().filter((path): path is string => typeof path === 'string');
      return (paths.length > 0 ? paths : ['*']).map((path) => ({ name, path }));
    })
  );
}

import { InvalidRequest } from '../errors';
import type { EndpointName } from './server-entry';

/**
 * A Janus listen path as the gateway matches it (motiv-labs/janus
 * pkg/proxy/register.go): `/auth/token` is that path alone; `/auth/*` is
 * `/auth` and every path below it. Matching is by exact characters, case
 * included, as Janus's router matches.
 */
export interface ListenPath {
  /** The path without its trailing `/*`. */
  prefix: string;
  wildcard: boolean;
}

export function parseListenPath(listenPath: string): ListenPath {
  const wildcard = /\/\*$/.test(listenPath) || listenPath === '/*';
  const prefix = wildcard ? listenPath.replace(/\/\*$/, '') : listenPath;
  return { prefix: prefix === '' ? '/' : prefix, wildcard };
}

/**
 * What of `path` lies below the listen path (`''` for the listen path itself), or null when it is not the listen
 * path's.
 */
export function pathBelow({ prefix, wildcard }: ListenPath, path: string): string | null {
  if (path === prefix) return '';
  if (!wildcard) return null;
  if (prefix === '/') return path;
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : null;
}

/** Whether some request path would match both listen paths. */
export function overlap(a: ListenPath, b: ListenPath): boolean {
  return pathBelow(a, b.prefix) !== null || pathBelow(b, a.prefix) !== null;
}

/** Go's httputil singleJoiningSlash, as Janus's director joins the target path and the request path. */
function joinPaths(a: string, b: string): string {
  const aSlash = a.endsWith('/');
  const bSlash = b.startsWith('/');
  if (aSlash && bSlash) return a + b.slice(1);
  if (!aSlash && !bSlash) return `${a}/${b}`;
  return a + b;
}

/**
 * `.`, `..` (however percent-encoded, and with a `;` path parameter, which
 * Tomcat and Spring drop before resolving), an encoded `/`, a backslash or a NUL:
 * what a server upstream resolves into another path.
 */
const LEAVES_ITS_PATH = /(^|\/)(\.|%2e){1,2}(;[^/]*)?(\/|$)|%2f|%5c|%00|\\/i;

/**
 * The upstream path of a request, with Janus's semantics
 * (pkg/proxy/reverse_proxy.go createDirector): the target's own path;
 * with append_path the request path joined to it; with strip_path the
 * request path without the listen path joined to it, and a trailing slash
 * the target's path lacks dropped.
 * @throws InvalidRequest when the request path would leave the target's path upstream.
 */
export function upstreamPath(
  targetPath: string,
  listen: ListenPath,
  requestPath: string,
  { stripPath, appendPath }: { stripPath?: boolean; appendPath?: boolean }
): string {
  if (!stripPath && !appendPath) return targetPath;
  const below = pathBelow(listen, requestPath) ?? '';
  // The target's path is all of the upstream this endpoint may reach: no dot segment may climb out of it.
  if (LEAVES_ITS_PATH.test(requestPath))
    throw new InvalidRequest('The request path must not hold dot segments, an encoded slash or a backslash');
  if (!stripPath) return joinPaths(targetPath, requestPath);
  const joined = joinPaths(targetPath, below);
  return !targetPath.endsWith('/') && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}

/**
 * The methods of an endpoint whose proxy definition lists none: what its
 * RFC uses (and GET at the token endpoint, as Janus's own examples call it).
 * Janus registers no route at all then, which no operator wants.
 */
export const DEFAULT_METHODS: Record<EndpointName, string[]> = {
  authorize: ['GET', 'POST'],
  token: ['POST', 'GET'],
  introspection: ['POST'],
  revoke: ['POST'],
  createClient: ['POST'],
  removeClient: ['DELETE']
};

/** The methods a listen path takes: null for any (Janus's ALL). */
export function methodsOf(endpoint: EndpointName, listed: string[] | undefined): Set<string> | null {
  const methods = listed && listed.length > 0 ? listed : DEFAULT_METHODS[endpoint];
  return methods.includes('ALL') ? null : new Set(methods);
}

/** Whether one request method is taken by both. */
export function shareAMethod(a: Set<string> | null, b: Set<string> | null): boolean {
  return a === null || b === null || [...a].some((method) => b.has(method));
}

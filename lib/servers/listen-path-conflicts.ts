import type { ApiEndpointRoute } from '../eg/api-endpoint-paths';
import type { Settings } from '../settings';
import { ListenPath, methodsOf, overlap, parseListenPath, pathBelow, shareAMethod } from './listen-path';
import type { EndpointName, ServerEntry } from './server-entry';

/** A path someone else answers on the gateway port, and who. */
export interface ReservedPath { owner: string; collides(listen: ListenPath): boolean }

/** Some path below `prefix` (a path that starts with it) is one the listen path matches. */
function sharesPrefix(prefix: string, { prefix: listen, wildcard }: ListenPath): boolean {
  if (listen.startsWith(prefix)) return true;
  return wildcard && (listen === '/' || prefix.startsWith(`${listen}/`));
}

/**
 * An API endpoint's path as EG mounts it (express paths; none is `*`): a
 * literal path, or everything from its first `*` or `:` on taken as a
 * prefix, a pathRegex tried on the listen path. Erring towards a collision:
 * a listen path must never take calls an API's pipeline (and its policies)
 * was configured for.
 */
function apiReservation({ name, path, pathRegex }: ApiEndpointRoute): ReservedPath {
  const owner = `apiEndpoints.${name}${path !== undefined ? ` (${path})` : ' (pathRegex)'}`;
  if (pathRegex !== undefined) {
    const regex = new RegExp(pathRegex);
    return { owner, collides: (listen) => regex.test(listen.prefix) || (listen.wildcard && regex.test(`${listen.prefix.replace(/\/$/, '')}/x`)) };
  }
  const special = path!.search(/[*:(?+]/);
  if (special < 0) {
    return { owner, collides: (listen) => pathBelow(listen, path!) !== null || pathBelow(listen, `${path!.replace(/\/$/, '')}/`) !== null || pathBelow(listen, path!.replace(/(.)\/$/, '$1')) !== null };
  }
  const prefix = path!.slice(0, special).replace(/(.)\/$/, '$1');
  return { owner, collides: (listen) => sharesPrefix(prefix, listen) };
}

/**
 * What listen paths may not take: every API endpoint path of
 * gateway.config, the plugin's own routes (all of basePath, or each route
 * when basePath is empty) and `/.well-known/`, where RFC 8414 metadata lives.
 */
export function reservedPaths(settings: Settings, apiRoutes: ApiEndpointRoute[]): ReservedPath[] {
  const own = settings.basePath === '' ? Object.values(settings.routes) : [settings.basePath];
  const plugin = [...own, '/.well-known'].map((path) => ({
    owner: `this plugin's ${path}`,
    collides: (listen: ListenPath) => overlap(listen, { prefix: path, wildcard: true })
  }));
  return [...apiRoutes.map(apiReservation), ...plugin];
}

/** One listen path of an entry, where it is written. */
export interface EntryListenPath { entry: ServerEntry; endpoint: EndpointName; listen: ListenPath; methods: Set<string> | null; written: string }

export function listenPathsOf(entry: ServerEntry): EntryListenPath[] {
  return Object.entries(entry.endpoints).flatMap(([name, upstream]) => {
    if (upstream.listenPath === undefined) return [];
    const endpoint = name as EndpointName;
    return [{ entry, endpoint, listen: parseListenPath(upstream.listenPath), methods: methodsOf(endpoint, upstream.methods), written: upstream.listenPath }];
  });
}

/** Some request (path and method) both would take. */
const clash = (a: EntryListenPath, b: EntryListenPath) => overlap(a.listen, b.listen) && shareAMethod(a.methods, b.methods);

/**
 * Why the entry's listen paths cannot be mounted: each one that meets a
 * reserved path, or takes a request (path and method) another of its own or
 * of another entry takes (longest prefix first would settle which, but one
 * entry would then take another's calls). Janus's create and remove client
 * endpoints share a path and differ by method: that is no collision.
 * @returns one sentence per collision; none when all are free.
 */
export function listenPathConflicts(entry: ServerEntry, others: ServerEntry[], reserved: ReservedPath[]): string[] {
  const mine = listenPathsOf(entry);
  const theirs = others.filter((other) => other.name !== entry.name).flatMap(listenPathsOf);
  const found: string[] = [];
  mine.forEach((one, index) => {
    const where = `endpoints.${one.endpoint}.listenPath ${one.written}`;
    for (const path of reserved) if (path.collides(one.listen)) found.push(`${where} meets ${path.owner}`);
    for (const other of mine.slice(index + 1)) if (clash(one, other)) found.push(`${where} meets endpoints.${other.endpoint}.listenPath ${other.written}`);
    for (const other of theirs) if (clash(one, other)) found.push(`${where} meets ${other.written} of the server ${other.entry.name}`);
  });
  return found;
}

import type { ApiEndpointRoute } from '../eg/api-endpoint-paths';
import type { Settings } from '../settings';
import { openIdConfigurationPaths } from '../oidc/configuration-paths';
import { ListenPath, methodsOf, overlap, parseListenPath, pathBelow, shareAMethod } from './listen-path';
import { ListenPathIndex } from './listen-path-index';
import type { EndpointName, ServerEntry } from './server-entry';

/** A path someone else answers on the gateway port, and who. */
export interface ReservedPath {
  owner: string;
  collides(listen: ListenPath): boolean;
}

/** Some path below `prefix` (a path that starts with it) is one the listen path matches. */
function sharesPrefix(prefix: string, { prefix: listen, wildcard }: ListenPath): boolean {
  if (listen.startsWith(prefix)) return true;
  return wildcard && (listen === '/' || prefix.startsWith(`${listen}/`));
}

/** A listen path as EG's routers would compare it: they ignore case (express's default). */
const caseless = ({ prefix, wildcard }: ListenPath): ListenPath => ({ prefix: prefix.toLowerCase(), wildcard });

/**
 * What a pathRegex must start with, when anchored with `^`: its literal characters up to the first special one ('' when
 * unanchored).
 */
function literalStart(pathRegex: string): string {
  if (!pathRegex.startsWith('^')) return '';
  const body = pathRegex.slice(1);
  const special = body.search(/[.*+?()[\]{}|\\$^]/);
  if (special < 0) return body.toLowerCase();
  // A quantifier makes the character before it optional (`?`, `*`, `{0,}`): it is not part of every match.
  const literal = '?*{'.includes(body.charAt(special))
    ? body.slice(0, Math.max(0, special - 1))
    : body.slice(0, special);
  return literal.toLowerCase();
}

/**
 * An API endpoint's path as EG mounts it (express paths on case-insensitive
 * routers; none is `*`): a literal path, or everything from its first `*` or
 * `:` on taken as a prefix; a pathRegex reserves every path below its
 * literal start (all of them when it is not anchored with `^`). Erring
 * towards a collision: a listen path must never take calls an API's
 * pipeline (and its policies) was configured for.
 */
function apiReservation({ name, path, pathRegex }: ApiEndpointRoute): ReservedPath {
  const owner = `apiEndpoints.${name}${path !== undefined ? ` (${path})` : ' (pathRegex)'}`;
  if (pathRegex !== undefined) {
    const start = literalStart(pathRegex);
    return {
      owner,
      collides: (listen) => start === '' || sharesPrefix(start.replace(/(.)\/$/, '$1'), caseless(listen))
    };
  }
  const lowered = path!.toLowerCase();
  const special = lowered.search(/[*:(?+]/);
  if (special < 0) {
    const literal = lowered.replace(/(.)\/$/, '$1');
    return {
      owner,
      collides: (listen) =>
        pathBelow(caseless(listen), literal) !== null || pathBelow(caseless(listen), `${literal}/`) !== null
    };
  }
  const prefix = lowered.slice(0, special).replace(/(.)\/$/, '$1');
  return { owner, collides: (listen) => sharesPrefix(prefix, caseless(listen)) };
}

/**
 * What listen paths may not take: every API endpoint path of
 * gateway.config, the plugin's own routes (all of basePath, or each route
 * when basePath is empty) and `/.well-known/`, where RFC 8414 metadata lives.
 */
export function reservedPaths(settings: Settings, apiRoutes: ApiEndpointRoute[]): ReservedPath[] {
  // The UserInfo route exists only with OpenID Connect on, and then so may a configuration under the issuer's path.
  const routes = Object.entries(settings.routes).filter(([name]) => name !== 'userinfo' || settings.oidc.enabled);
  const own = settings.basePath === '' ? routes.map(([, path]) => path) : [settings.basePath];
  const discovery = settings.oidc.enabled
    ? openIdConfigurationPaths(settings.issuer).filter((path) => !path.startsWith('/.well-known/'))
    : [];
  const plugin = [...own, ...discovery, '/.well-known'].map((path) => ({
    owner: `this plugin's ${path}`,
    collides: (listen: ListenPath) => overlap(listen, { prefix: path, wildcard: true })
  }));
  return [...apiRoutes.map(apiReservation), ...plugin];
}

/** One listen path of an entry, where it is written. */
export interface EntryListenPath {
  entry: ServerEntry;
  endpoint: EndpointName;
  listen: ListenPath;
  methods: Set<string> | null;
  written: string;
}

export function listenPathsOf(entry: ServerEntry): EntryListenPath[] {
  return Object.entries(entry.endpoints).flatMap(([name, upstream]) => {
    if (upstream.listenPath === undefined) return [];
    const endpoint = name as EndpointName;
    return [
      {
        entry,
        endpoint,
        listen: parseListenPath(upstream.listenPath),
        methods: methodsOf(endpoint, upstream.methods),
        written: upstream.listenPath
      }
    ];
  });
}

/** Some request (path and method) both would take. */
const clash = (a: EntryListenPath, b: EntryListenPath) =>
  overlap(a.listen, b.listen) && shareAMethod(a.methods, b.methods);

/** Every listen path of these entries, by first segment. */
export function indexOf(entries: ServerEntry[]): ListenPathIndex<EntryListenPath> {
  const index = new ListenPathIndex<EntryListenPath>();
  for (const entry of entries) for (const one of listenPathsOf(entry)) index.add(one);
  return index;
}

/**
 * Why the entry's listen paths cannot be mounted: each one that meets a
 * reserved path, or takes a request (path and method) another of its own or
 * of another entry takes (longest prefix first would settle which, but one
 * entry would then take another's calls). Janus's create and remove client
 * endpoints share a path and differ by method: that is no collision.
 * @param others the other entries' listen paths (an entry of the same name is the entry itself, before the change).
 * @returns one sentence per collision; none when all are free.
 */
export function listenPathConflicts(
  entry: ServerEntry,
  others: ListenPathIndex<EntryListenPath>,
  reserved: ReservedPath[]
): string[] {
  const mine = listenPathsOf(entry);
  const found: string[] = [];
  mine.forEach((one, index) => {
    const where = `endpoints.${one.endpoint}.listenPath ${one.written}`;
    for (const path of reserved) if (path.collides(one.listen)) found.push(`${where} meets ${path.owner}`);
    for (const other of mine.slice(index + 1))
      if (clash(one, other)) found.push(`${where} meets endpoints.${other.endpoint}.listenPath ${other.written}`);
    for (const other of others.meeting(one.listen)) {
      if (other.entry.name !== entry.name && clash(one, other))
        found.push(`${where} meets ${other.written} of the server ${other.entry.name}`);
    }
  });
  return found;
}

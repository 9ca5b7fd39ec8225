import { EntryListenPath, listenPathConflicts, listenPathsOf, ReservedPath } from './listen-path-conflicts';
import { pathBelow } from './listen-path';
import type { ServerEntry } from './server-entry';

/** A mounted listen path: the endpoint it reaches, and Janus's `hosts` filter (null: any host). */
export interface ListenRoute extends EntryListenPath { acceptsHost: ((host: string) => boolean) | null }

/** What a request finds: its route, or the methods its path takes when its own is not one of them. */
export type Found = { route: ListenRoute } | { allowed: string[] } | null;

/** Janus's host matcher (pkg/middleware/host_matcher.go): the Host header exactly, or a pattern where `*` is one or more characters. */
function hostFilter(hosts: string[] | undefined): ListenRoute['acceptsHost'] {
  if (!hosts || hosts.length === 0) return null;
  const patterns = hosts.map((host) => new RegExp(`^${host.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`, 'i'));
  return (host) => patterns.some((pattern) => pattern.test(host));
}

/**
 * Every listen path of the registry as one instance mounts it, longest
 * first (Janus's router takes the most specific route). An entry whose
 * listen paths collide (with an API endpoint, the plugin's routes, or an
 * entry written at the same time on another instance) is left out whole,
 * and said why: a pipeline's policies are never bypassed.
 */
/** A path's first segment: every path a listen path matches shares its prefix's, but for `/*` (which meets the plugin's routes, so never mounts). */
const firstSegment = (path: string) => path.slice(1).split('/', 1)[0];
const EVERY_PATH = '/*';

export class ListenPathTable {
  /** By first segment: an API call looks at the few listen paths that could match it, however many servers there are. */
  private readonly bySegment = new Map<string, ListenRoute[]>();

  private constructor(routes: ListenRoute[], readonly skipped: Map<string, string[]>) {
    for (const route of routes) {
      const segment = route.listen.prefix === '/' && route.listen.wildcard ? EVERY_PATH : firstSegment(route.listen.prefix);
      this.bySegment.set(segment, [...(this.bySegment.get(segment) ?? []), route]);
    }
  }

  static readonly EMPTY = new ListenPathTable([], new Map());

  /** @param entries in name order: of two that collide, the first keeps its paths. */
  static build(entries: ServerEntry[], reserved: ReservedPath[]): ListenPathTable {
    const mounted: ServerEntry[] = [];
    const skipped = new Map<string, string[]>();
    for (const entry of entries) {
      const conflicts = listenPathConflicts(entry, mounted, reserved);
      if (conflicts.length > 0) skipped.set(entry.name, conflicts);
      else mounted.push(entry);
    }
    const routes = mounted.flatMap(listenPathsOf).map((one) => ({ ...one, acceptsHost: hostFilter(one.entry.endpoints[one.endpoint]!.hosts) }));
    routes.sort((a, b) => b.listen.prefix.length - a.listen.prefix.length || Number(a.listen.wildcard) - Number(b.listen.wildcard));
    return new ListenPathTable(routes, skipped);
  }

  get empty(): boolean {
    return this.bySegment.size === 0;
  }

  find(method: string, host: string, path: string): Found {
    let allowed: string[] | null = null;
    const own = this.bySegment.get(firstSegment(path)) ?? [];
    const everyPath = this.bySegment.get(EVERY_PATH);
    const candidates = everyPath ? [...own, ...everyPath] : own;
    for (const route of candidates) {
      if (pathBelow(route.listen, path) === null || (route.acceptsHost && !route.acceptsHost(host))) continue;
      if (route.methods === null || route.methods.has(method)) return { route };
      allowed = [...(allowed ?? []), ...route.methods];
    }
    return allowed ? { allowed: [...new Set(allowed)] } : null;
  }
}

import { hostMatcher } from './host-pattern';
import { EntryListenPath, listenPathConflicts, listenPathsOf, ReservedPath } from './listen-path-conflicts';
import { ListenPathIndex } from './listen-path-index';
import { pathBelow } from './listen-path';
import type { ServerEntry } from './server-entry';

/** A mounted listen path: the endpoint it reaches, and Janus's `hosts` filter (null: any host). */
export interface ListenRoute extends EntryListenPath {
  acceptsHost: ((host: string) => boolean) | null;
}

/** What a request finds: its route, or the methods its path takes when its own is not one of them. */
export type Found = { route: ListenRoute } | { allowed: string[] } | null;

/** RFC 9110 §9.3.2: HEAD is GET without the body; a path that takes GET takes HEAD. */
const takes = (methods: Set<string> | null, method: string) =>
  methods === null || methods.has(method) || (method === 'HEAD' && methods.has('GET'));

/**
 * Every listen path of the registry as one instance mounts it, longest
 * first (Janus's router takes the most specific route). An entry whose
 * listen paths collide (with an API endpoint, the plugin's routes, or an
 * entry written at the same time on another instance) is left out whole,
 * and said why: a pipeline's policies are never bypassed.
 */
export class ListenPathTable {
  private constructor(
    private readonly routes: ListenPathIndex<ListenRoute>,
    readonly skipped: Map<string, string[]>
  ) {}

  static readonly EMPTY = new ListenPathTable(new ListenPathIndex(), new Map());

  /** @param entries in name order: of two that collide, the first keeps its paths. */
  static build(entries: ServerEntry[], reserved: ReservedPath[]): ListenPathTable {
    const mounted = new ListenPathIndex<EntryListenPath>();
    const routes = new ListenPathIndex<ListenRoute>();
    const skipped = new Map<string, string[]>();
    for (const entry of entries) {
      const conflicts = listenPathConflicts(entry, mounted, reserved);
      if (conflicts.length > 0) {
        skipped.set(entry.name, conflicts);
        continue;
      }
      for (const one of listenPathsOf(entry)) {
        const hosts = entry.endpoints[one.endpoint]!.hosts;
        mounted.add(one);
        routes.add({ ...one, acceptsHost: hosts && hosts.length > 0 ? hostMatcher(hosts) : null });
      }
    }
    routes.sort(
      (a, b) => b.listen.prefix.length - a.listen.prefix.length || Number(a.listen.wildcard) - Number(b.listen.wildcard)
    );
    return new ListenPathTable(routes, skipped);
  }

  get empty(): boolean {
    return this.routes.empty;
  }

  find(method: string, host: string, path: string): Found {
    let allowed: string[] | null = null;
    for (const route of this.routes.near(path)) {
      if (pathBelow(route.listen, path) === null || (route.acceptsHost && !route.acceptsHost(host))) continue;
      if (takes(route.methods, method)) return { route };
      allowed = [...(allowed ?? []), ...route.methods!];
    }
    return allowed ? { allowed: [...new Set(allowed)] } : null;
  }
}

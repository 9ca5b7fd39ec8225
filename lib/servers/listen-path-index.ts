import type { ListenPath } from './listen-path';

/** A path's first segment (`auth` of `/auth/token`). */
const firstSegment = (path: string) => path.slice(1).split('/', 1)[0] ?? '';
/** The bucket of `/*`, which matches every path. */
const EVERY_PATH = '/*';

const bucketOf = ({ prefix, wildcard }: ListenPath) => (prefix === '/' && wildcard ? EVERY_PATH : firstSegment(prefix));

/**
 * Listen paths by first path segment. Every path a listen path matches
 * shares its prefix's first segment (but for `/*`), so a request, or a
 * listen path being checked for collisions, looks at a few of them however
 * many servers are registered.
 */
export class ListenPathIndex<T extends { listen: ListenPath }> {
  private readonly buckets = new Map<string, T[]>();

  add(item: T): void {
    const bucket = bucketOf(item.listen);
    this.buckets.set(bucket, [...(this.buckets.get(bucket) ?? []), item]);
  }

  /** Orders every bucket (e.g. longest listen path first). */
  sort(compare: (a: T, b: T) => number): void {
    for (const bucket of this.buckets.values()) bucket.sort(compare);
  }

  get empty(): boolean {
    return this.buckets.size === 0;
  }

  /** The listen paths that could match `path`, in their bucket's order, `/*` last. */
  near(path: string): T[] {
    const own = this.buckets.get(firstSegment(path)) ?? [];
    const everyPath = this.buckets.get(EVERY_PATH);
    return everyPath ? [...own, ...everyPath] : own;
  }

  /** The listen paths that could take a request `listen` takes. */
  meeting(listen: ListenPath): T[] {
    return bucketOf(listen) === EVERY_PATH ? [...this.buckets.values()].flat() : this.near(listen.prefix);
  }
}

import type { Cluster, Redis } from 'ioredis';

/**
 * Where the plugin keeps its own data: EG's Redis (the default), a Redis or
 * Sentinel of its own, or a Redis Cluster (store.redis). Both kinds answer
 * the same commands; on a cluster a MULTI or pipeline may only name keys of
 * one slot, which the key names see to (token-keys.ts).
 */
export type StoreConnection = Redis | Cluster;

export function isCluster(connection: StoreConnection): connection is Cluster {
  return (connection as Partial<Cluster>).isCluster === true;
}

const ids = new WeakMap<StoreConnection, number>();
let counted = 0;

/** A number per connection, so that what was made for one store is not kept for another after a hot reload. */
export function connectionId(connection: StoreConnection): number {
  const known = ids.get(connection);
  if (known !== undefined) return known;
  ids.set(connection, ++counted);
  return counted;
}

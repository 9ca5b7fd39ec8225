/** The stores the bench runs on, in the order of a full run (BENCH_STORES). */
export const STORE_NAMES = ['emulated', 'redis', 'cluster'] as const;

export type StoreName = (typeof STORE_NAMES)[number];

export function isStoreName(name: string): name is StoreName {
  return (STORE_NAMES as readonly string[]).includes(name);
}

/** How BENCH.md names a store in a sentence or a list. */
export const STORE_LABELS: Record<StoreName, string> = {
  emulated: 'Emulated store',
  redis: 'Real Redis',
  cluster: 'Redis Cluster'
};

/** The cluster the bench starts for the `cluster` store: the smallest redis-cli creates, each primary with a replica. */
export const CLUSTER_SHAPE = { primaries: 3, replicasPerPrimary: 1 };

const clusterNodes = `${CLUSTER_SHAPE.primaries} primaries + ${CLUSTER_SHAPE.primaries * CLUSTER_SHAPE.replicasPerPrimary} replicas`;

/** What each store is, for the title of its section. */
export const STORE_TITLES: Record<StoreName, string> = {
  emulated: "EG's emulated store (ioredis-mock, in the gateway process)",
  redis: 'a real Redis (loopback TCP)',
  cluster: `a Redis Cluster as the plugin's store (${clusterNodes}, loopback TCP; EG's own data on the real Redis)`
};

import Redis from 'ioredis';
import { LocalRedisCluster } from '../support/redis-cluster';
import { realRedis } from './real-redis';
import { CLUSTER_SHAPE } from './store-names';
import type { Store } from './stores';

/** Why the `cluster` store cannot run on this machine, or null: its nodes are Debian's redis-server. */
export function clusterUnavailable(): string | null {
  return LocalRedisCluster.available() ? null : 'no /usr/bin/redis-server or /usr/bin/redis-cli';
}

/**
 * EG's `db.redis` on the real Redis of the `redis` store (its DB flushed as
 * there), and the plugin's own store (`store.redis`) on a Redis Cluster the
 * bench starts on loopback ports: what a deployment that scales the plugin's
 * data out runs. close() stops the cluster and removes its files.
 */
export async function clusterStore(redisUrl: string): Promise<Store> {
  const eg = await realRedis(redisUrl);
  let cluster: LocalRedisCluster | null = null;
  try {
    // No failover is wanted here: a node starved for a second on a loaded 2-core machine must not be voted out.
    const running = (cluster = await LocalRedisCluster.start({ ...CLUSTER_SHAPE, nodeTimeoutMs: 5000 }));
    // Nothing fails over during the bench: the primaries of the start stay the primaries.
    const ports = await running.primaryPorts();
    const primaries = running.nodes
      .filter((node) => ports.includes(node.port))
      .map((node) => new Redis({ ...node, maxRetriesPerRequest: 2 }));
    return {
      ...eg,
      name: 'cluster',
      pluginSettings: { store: { redis: { cluster: running.nodes } } },
      primaries,
      // Each replica follows its primary's FLUSHDB.
      flush: async () => {
        await Promise.all([eg.flush(), ...primaries.map((primary) => primary.flushdb())]);
      },
      close: async () => {
        for (const primary of primaries) primary.disconnect();
        await Promise.all([running.stop(), eg.close()]);
      }
    };
  } catch (error) {
    await Promise.all([cluster?.stop(), eg.close()]);
    throw error;
  }
}

import type Redis from 'ioredis';
import { clusterStore } from './cluster-store';
import { realRedis } from './real-redis';
import type { StoreName } from './store-names';

export type { StoreName } from './store-names';

/** Where the gateways of one part of the bench keep their data. */
export interface Store {
  name: StoreName;
  /** The `db.redis` section of a gateway using this store under its own key namespace. */
  db(namespace: string): Record<string, unknown>;
  /** Merged into the oauth2 plugin's settings (`store.redis`); gateways without the plugin ignore it. */
  pluginSettings: Record<string, unknown>;
  /** A client of EG's real Redis; null on the emulated store. */
  client: Redis.Redis | null;
  /**
   * One client per Redis primary holding the plugin's keys, each seeing only its own keys (for SCAN, INFO and
   * MEMORY USAGE); none on the emulated store.
   */
  primaries: Redis.Redis[];
  /** Empties every database the store owns, so that a gateway starts from nothing. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** EG's in-process emulation (ioredis-mock): one gateway, no network hop to a store. */
function emulatedStore(): Store {
  return {
    name: 'emulated',
    db: (namespace) => ({ emulate: true, namespace }),
    pluginSettings: {},
    client: null,
    primaries: [],
    flush: async () => {},
    close: async () => {}
  };
}

export function openStore(name: StoreName, redisUrl: string): Promise<Store> {
  if (name === 'redis') return realRedis(redisUrl);
  if (name === 'cluster') return clusterStore(redisUrl);
  return Promise.resolve(emulatedStore());
}

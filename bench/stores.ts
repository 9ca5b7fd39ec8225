import Redis from 'ioredis';

export type StoreName = 'emulated' | 'redis';

/** Where the gateways of one half of the bench keep their data. */
export interface Store {
  name: StoreName;
  /** The `db.redis` section of a gateway using this store under its own key namespace. */
  db(namespace: string): Record<string, unknown>;
  /** A client of the real Redis (for INFO and MEMORY USAGE); null on the emulated store. */
  client: Redis.Redis | null;
  close(): Promise<void>;
}

/** EG's in-process emulation (ioredis-mock): one gateway, no network hop to a store. */
function emulatedStore(): Store {
  return { name: 'emulated', db: (namespace) => ({ emulate: true, namespace }), client: null, close: async () => {} };
}

/**
 * The real Redis at `url`, whose DB index is flushed first: the bench owns it
 * (14 by default), and every run starts from an empty database.
 */
async function realRedis(url: string): Promise<Store> {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.slice(1) || 0);
  const client = new Redis(url, { maxRetriesPerRequest: 2 });
  await client.flushdb();
  return {
    name: 'redis',
    db: (namespace) => ({ emulate: false, host: parsed.hostname, port: Number(parsed.port || 6379), db, namespace }),
    client,
    close: async () => {
      client.disconnect();
    }
  };
}

export function openStore(name: StoreName, redisUrl: string): Promise<Store> {
  return name === 'redis' ? realRedis(redisUrl) : Promise.resolve(emulatedStore());
}

import Redis from 'ioredis';
import type { Store } from './stores';

/**
 * The real Redis at `url`, whose DB index is flushed first: the bench owns it
 * (14 by default), and every run starts from an empty database. The plugin
 * keeps its data there too, beside EG's (no `store.redis`).
 */
export async function realRedis(url: string): Promise<Store> {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.slice(1) || 0);
  const client = new Redis(url, { maxRetriesPerRequest: 2 });
  await client.flushdb();
  return {
    name: 'redis',
    db: (namespace) => ({ emulate: false, host: parsed.hostname, port: Number(parsed.port || 6379), db, namespace }),
    pluginSettings: {},
    client,
    primaries: [client],
    flush: async () => {
      await client.flushdb();
    },
    close: async () => {
      client.disconnect();
    }
  };
}

import type Redis from 'ioredis';

/** The plugin's keys at one moment, by family (`at`, `rt`, `grant`, …), and the memory the primaries use. */
export interface Snapshot {
  families: Map<string, { keys: number; bytes: number }>;
  /** used_memory summed over the primaries, less their client, replication and cluster bus buffers. */
  usedMemory: number;
}

/** Every key of one Redis (one primary of a cluster: its own keys only) matching a SCAN pattern. */
async function scanKeys(db: Redis.Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await db.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/**
 * used_memory less the buffers that follow the traffic rather than the data: those of the clients (the gateway's
 * connections keep a query buffer a while after a burst), a primary's replication buffer (Redis 7 shares it between
 * the backlog and the replicas; it fills up to repl-backlog-size, 1 MB, with every write) and the cluster bus links.
 * The last two are 0 on a Redis without replicas, outside a cluster.
 */
function dataMemory(info: string): number {
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  const replication =
    field('mem_total_replication_buffers') || field('mem_replication_backlog') + field('mem_clients_slaves');
  return field('used_memory') - field('mem_clients_normal') - replication - field('mem_cluster_links');
}

const familyOf = (key: string, prefix: string) => key.slice(prefix.length).split(':')[0];

/** MEMORY USAGE (SAMPLES 0: every element counted) of every key under the prefix on one Redis, by family. */
async function snapshotOne(db: Redis.Redis, prefix: string): Promise<Snapshot> {
  // Read first: the buffers of the SCAN and MEMORY USAGE below are the measurement's, not the tokens'.
  const usedMemory = dataMemory(await db.info('memory'));
  const keys = await scanKeys(db, `${prefix}*`);
  const pipeline = db.pipeline(keys.map((key) => ['memory', 'usage', key, 'samples', '0']));
  const sizes = ((await pipeline.exec()) as Array<[Error | null, number]>).map(([, bytes]) => bytes ?? 0);
  const families = new Map<string, { keys: number; bytes: number }>();
  keys.forEach((key, i) => {
    const family = families.get(familyOf(key, prefix)) ?? { keys: 0, bytes: 0 };
    families.set(familyOf(key, prefix), { keys: family.keys + 1, bytes: family.bytes + sizes[i] });
  });
  return { families, usedMemory };
}

/**
 * The plugin's keys on every primary, summed: on a cluster each key lives on
 * exactly one primary, and a primary's SCAN and INFO see only its own (the
 * replicas' copies are left out, as a second copy of the same data).
 */
export async function snapshot(primaries: Redis.Redis[], prefix: string): Promise<Snapshot> {
  const parts = await Promise.all(primaries.map((db) => snapshotOne(db, prefix)));
  const families = new Map<string, { keys: number; bytes: number }>();
  for (const part of parts) {
    for (const [family, { keys, bytes }] of part.families) {
      const sum = families.get(family) ?? { keys: 0, bytes: 0 };
      families.set(family, { keys: sum.keys + keys, bytes: sum.bytes + bytes });
    }
  }
  return { families, usedMemory: parts.reduce((sum, part) => sum + part.usedMemory, 0) };
}

import type { Redis } from 'ioredis';
import { seedWorld } from '../support/admin-client';
import { startGateway } from '../support/gateway';
import { gatewayOptions } from './gateways';
import type { Store } from './stores';
import { Client, passwordTokens, requestTokens } from './tokens';

/** Bytes a family of keys (`at`, `rt`, `grant`, …) takes per issued token. */
export interface KeyFamily {
  family: string;
  keysPerToken: number;
  bytesPerToken: number;
}

export interface MemoryRow {
  label: string;
  tokens: number;
  /** Sum of MEMORY USAGE over the plugin's keys, per token. */
  bytesPerToken: number;
  /** Growth of the whole instance's used_memory per token: indicative only, other databases share it. */
  usedMemoryPerToken: number;
  families: KeyFamily[];
}

/** What one live token leaves in Redis, for BENCH.md's "what is stored": hash fields, or a set's members. */
export interface StoredShape {
  family: string;
  note: string;
  type: string;
  fields: string[];
}

/** A set member with the key prefix and the random ids and digests replaced, to show its form. */
const formOf = (member: string, prefix: string) => member.replace(prefix, '').replace(/[A-Za-z0-9_-]{16,}/g, '<id>');

export interface MemoryReport {
  rows: MemoryRow[];
  shapes: StoredShape[];
}

type Snapshot = { families: Map<string, { keys: number; bytes: number }>; usedMemory: number };

async function scanKeys(db: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await db.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

const familyOf = (key: string, prefix: string) => key.slice(prefix.length).split(':')[0];

/** MEMORY USAGE (SAMPLES 0: every element counted) of every key under the prefix, by family. */
async function snapshot(db: Redis, prefix: string): Promise<Snapshot> {
  const keys = await scanKeys(db, prefix);
  const pipeline = db.pipeline(keys.map((key) => ['memory', 'usage', key, 'samples', '0']));
  const sizes = ((await pipeline.exec()) as Array<[Error | null, number]>).map(([, bytes]) => bytes ?? 0);
  const families = new Map<string, { keys: number; bytes: number }>();
  keys.forEach((key, i) => {
    const family = families.get(familyOf(key, prefix)) ?? { keys: 0, bytes: 0 };
    families.set(familyOf(key, prefix), { keys: family.keys + 1, bytes: family.bytes + sizes[i] });
  });
  const usedMemory = Number(/used_memory:(\d+)/.exec(await db.info('memory'))?.[1] ?? 0);
  return { families, usedMemory };
}

function perToken(label: string, before: Snapshot, after: Snapshot, tokens: number): MemoryRow {
  const families: KeyFamily[] = [];
  for (const [family, now] of after.families) {
    const then = before.families.get(family) ?? { keys: 0, bytes: 0 };
    if (now.bytes === then.bytes && now.keys === then.keys) continue;
    families.push({
      family,
      keysPerToken: (now.keys - then.keys) / tokens,
      bytesPerToken: (now.bytes - then.bytes) / tokens
    });
  }
  return {
    label,
    tokens,
    bytesPerToken: families.reduce((sum, f) => sum + f.bytesPerToken, 0),
    usedMemoryPerToken: (after.usedMemory - before.usedMemory) / tokens,
    families
  };
}

/** Runs `count` calls of `issue`, `parallel` at a time. */
async function issueMany(count: number, parallel: number, issue: () => Promise<unknown>): Promise<void> {
  let started = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (started++ < count) await issue();
    })
  );
}

async function describeShapes(db: Redis, prefix: string, families: string[], note: string): Promise<StoredShape[]> {
  const shapes: StoredShape[] = [];
  for (const family of families) {
    const [key] = (await db.scan('0', 'MATCH', `${prefix}${family}:*`, 'COUNT', 10000))[1];
    if (!key) continue;
    const type = await db.type(key);
    const fields =
      type === 'hash'
        ? await db.hkeys(key)
        : type === 'set'
          ? [...new Set((await db.smembers(key)).map((m) => formOf(m, prefix)))]
          : [(await db.get(key)) ?? ''];
    shapes.push({ family: `${family}:…`, note, type, fields });
  }
  return shapes;
}

/**
 * Issues `count` tokens of each kind through a real gateway on the real
 * Redis (opaque and JWT access tokens, with and without a refresh token) and
 * measures what each leaves in Redis. Credentials are hashed at bcrypt cost
 * 4 here: the check's cost does not change what is stored.
 */
export async function measureTokenMemory(
  store: Store,
  backendUrl: string,
  count: number,
  progress: (line: string) => void
): Promise<MemoryReport> {
  const db = store.client;
  if (!db) throw new Error('the memory measurement needs a real Redis');
  const rows: MemoryRow[] = [];
  const shapes: StoredShape[] = [];
  for (const kind of ['opaque', 'jwt'] as const) {
    await db.flushdb();
    const namespace = `benchmem${kind}`;
    const prefix = `${namespace}-oauth2-plugin:`;
    const gateway = await startGateway(gatewayOptions(kind, backendUrl, store, namespace, { saltRounds: 4 }));
    try {
      const seeded = await seedWorld(gateway.admin, { scopes: ['read', 'write'] });
      const client: Client = { id: seeded.app.id, secret: seeded.app.secret };
      const label = kind === 'opaque' ? 'opaque' : 'JWT';
      let before = await snapshot(db, prefix);
      await issueMany(count, 8, () =>
        requestTokens(gateway.url, client, { grant_type: 'client_credentials', scope: 'read' })
      );
      let after = await snapshot(db, prefix);
      rows.push(perToken(`${label} access token (client_credentials)`, before, after, count));
      progress(`  memory: ${rows[rows.length - 1].label}: ${Math.round(rows[rows.length - 1].bytesPerToken)} B/token`);
      before = after;
      await issueMany(count, 8, () => passwordTokens(gateway.url, client, seeded.user));
      after = await snapshot(db, prefix);
      rows.push(perToken(`${label} access token + refresh token (password)`, before, after, count));
      progress(`  memory: ${rows[rows.length - 1].label}: ${Math.round(rows[rows.length - 1].bytesPerToken)} B/token`);
      shapes.push(
        ...(kind === 'opaque'
          ? await describeShapes(db, prefix, ['at', 'rt', 'grant', 'app-grant', 'user-grant'], '')
          : await describeShapes(db, prefix, ['grant'], ' of JWT access tokens'))
      );
    } finally {
      await gateway.stop();
    }
  }
  await db.flushdb();
  return { rows, shapes };
}

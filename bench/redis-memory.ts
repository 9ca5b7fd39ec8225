import { seedWorld } from '../support/admin-client';
import { startGateway } from '../support/gateway';
import { gatewayOptions } from './gateways';
import { describeShapes, StoredShape } from './key-shapes';
import { Snapshot, snapshot } from './key-snapshot';
import type { Store, StoreName } from './stores';
import { Client, passwordTokens, requestTokens, revokeToken } from './tokens';

export type { StoredShape } from './key-shapes';

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
  /** Growth of used_memory (summed over the primaries, less their buffers) per token: indicative only. */
  usedMemoryPerToken: number;
  families: KeyFamily[];
}

/** What tokens cost in one real store. */
export interface MemoryReport {
  store: StoreName;
  rows: MemoryRow[];
  shapes: StoredShape[];
}

/** The plugin's token key families (lib/store/token-keys.ts), in the order BENCH.md lists them. */
const FAMILIES = ['at', 'rt', 'grant', 'grant-revoked', 'app-grants', 'user-grants', 'jti-revoked'];

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

/**
 * Issues `count` tokens of each kind through a real gateway on a real store
 * (opaque and JWT access tokens, with and without a refresh token) and
 * measures what each leaves in the Redis holding the plugin's keys (every
 * primary of a cluster). Credentials are hashed at bcrypt cost 4 here: the
 * check's cost does not change what is stored.
 */
export async function measureTokenMemory(
  store: Store,
  backendUrl: string,
  count: number,
  progress: (line: string) => void
): Promise<MemoryReport> {
  const { primaries } = store;
  if (primaries.length === 0) throw new Error('the memory measurement needs a real Redis');
  const rows: MemoryRow[] = [];
  const shapes: StoredShape[] = [];
  for (const kind of ['opaque', 'jwt'] as const) {
    await store.flush();
    const namespace = `benchmem${kind}`;
    const prefix = `${namespace}-oauth2-plugin:`;
    const gateway = await startGateway(gatewayOptions(kind, backendUrl, store, namespace, { saltRounds: 4 }));
    try {
      const seeded = await seedWorld(gateway.admin, { scopes: ['read', 'write'] });
      const client: Client = { id: seeded.app.id, secret: seeded.app.secret };
      const label = kind === 'opaque' ? 'opaque' : 'JWT';
      const clientToken = () => requestTokens(gateway.url, client, { grant_type: 'client_credentials', scope: 'read' });
      const measure = async (what: string, issue: () => Promise<unknown>) => {
        const before = await snapshot(primaries, prefix);
        await issueMany(count, 8, issue);
        rows.push(perToken(`${label} access token ${what}`, before, await snapshot(primaries, prefix), count));
        progress(
          `  memory: ${rows[rows.length - 1].label}: ${Math.round(rows[rows.length - 1].bytesPerToken)} B/token`
        );
      };
      await measure('(client_credentials)', clientToken);
      await measure('+ refresh token (password)', () => passwordTokens(gateway.url, client, seeded.user));
      // Only a revocation writes `grant-revoked` (a refresh token's) and `jti-revoked` (a JWT's): one each, after the
      // measurement, so that the list of what is stored shows them too.
      const revoked =
        kind === 'opaque'
          ? (await passwordTokens(gateway.url, client, seeded.user)).refresh_token
          : (await clientToken()).access_token;
      if (revoked) await revokeToken(gateway.url, client, revoked);
      for (const shape of await describeShapes(primaries, prefix, FAMILIES)) {
        if (!shapes.some((known) => known.family === shape.family)) shapes.push(shape);
      }
    } finally {
      await gateway.stop();
    }
  }
  await store.flush();
  return { store: store.name, rows, shapes };
}

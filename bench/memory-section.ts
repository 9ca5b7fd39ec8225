import type { MemoryReport, MemoryRow } from './redis-memory';
import { STORE_LABELS } from './store-names';

/** One row: per token in all, and per key family. */
function rowOf(row: MemoryRow): string {
  // A key shared by many tokens (an app's or user's grant index) counts only by its growth.
  const families = row.families
    .filter((f) => Math.round(f.bytesPerToken) > 0)
    .map(
      (f) =>
        `\`${f.family}\` ${f.keysPerToken >= 0.5 ? `${f.keysPerToken.toFixed(2)} keys` : 'shared key'}, ${Math.round(f.bytesPerToken)} B`
    )
    .join('; ');
  return `| ${row.label} | ${row.tokens} | **${Math.round(row.bytesPerToken)}** | ${Math.round(row.usedMemoryPerToken)} | ${families} |`;
}

function table(report: MemoryReport): string[] {
  return [
    `### ${STORE_LABELS[report.store]}`,
    '',
    '| Tokens issued | Count | Bytes per token (MEMORY USAGE) | used_memory growth per token | Key families per token |',
    '| --- | --- | --- | --- | --- |',
    ...report.rows.map(rowOf),
    ''
  ];
}

const CONTENT: Record<string, string> = { hash: 'hash of', set: 'set of', zset: 'sorted set of', string: 'string:' };

/** One line per family: its type and content, and its key names on each store (the cluster's carry hash tags). */
function shapeLines(memory: MemoryReport[]): string[] {
  const families = [...new Set(memory.flatMap((report) => report.shapes.map((s) => s.family)))];
  return families.map((family) => {
    const found = memory.flatMap((report) =>
      report.shapes.filter((s) => s.family === family).map((shape) => ({ store: report.store, shape }))
    );
    const names = [...new Set(found.map((f) => f.shape.key))];
    const keys =
      names.length === 1
        ? `\`${names[0]}\``
        : found.map((f) => `\`${f.shape.key}\` (${STORE_LABELS[f.store]})`).join(', ');
    const { type } = found[0].shape;
    const fields = [...new Set(found.flatMap((f) => f.shape.fields))].map((f) => `\`${f}\``).join(', ');
    return `- \`${family}\` (${CONTENT[type] ?? type} ${fields}), named ${keys}`;
  });
}

/** BENCH.md's "Redis memory per live token": what was measured on each real store, per token and per key family. */
export function memorySection(memory: MemoryReport[]): string {
  const tokens = memory[0]?.rows[0]?.tokens ?? 0;
  const cluster = memory.some((report) => report.store === 'cluster');
  return [
    `Measured on each real store: ${tokens} tokens of each kind issued through a real gateway, then`,
    "`MEMORY USAGE <key> SAMPLES 0` summed over the plugin's keys, before and after, divided by the tokens issued.",
    ...(cluster
      ? [
          'On the Redis Cluster the keys of every primary are summed, each primary scanned on a connection of its own',
          "(the replicas' second copy is not counted), and `used_memory` is summed over the primaries."
        ]
      : []),
    '`used_memory` is the growth of the whole Redis instance per token, less its client, replication and cluster',
    'bus buffers, which follow the traffic (a primary fills its 1 MB replication backlog as it writes), not the',
    'data (indicative only, and noisy below 1000 tokens: allocator slack, the expires table and, on the single',
    'Redis, other databases of the same instance count in it).',
    '',
    ...memory.flatMap(table),
    "What one live token leaves (the fields of the hashes, the form of the (sorted) sets' members; the values",
    'are ids, scopes and times, never a token: token keys are named by the SHA-256 digest of the token):',
    '',
    ...shapeLines(memory),
    '',
    "Access tokens are not members of their grant's set: `grant` lists only the grant's refresh tokens, so a",
    'client_credentials token, which has none, leaves no grant set. A JWT access token leaves no key of its own,',
    "only its grant's entry in the app's and the user's sorted set (`app-grants`, `user-grants`, one member per",
    "grant, scored by when the grant ends and dropped once it has), which the admin API's revoke-all walks: one key",
    'per app or user, shared by its tokens. `grant-revoked` (the marker of a revoked grant) and',
    '`jti-revoked` (the deny-list entry of a revoked JWT) are written by revocations only: here by one of each,',
    'after the measurement. Every key expires with the longest-lived token it serves.',
    ...(cluster
      ? [
          '',
          "On the cluster every key of a grant carries the grant's id as its hash tag `{…}`, so that a grant and its",
          "tokens share a slot; an app's or user's index is one key, on whichever primary its slot falls."
        ]
      : [])
  ].join('\n');
}

import type { MemoryReport } from './redis-memory';

/** BENCH.md's "Redis memory per live token": what was measured, per token and per key family. */
export function memorySection(memory: MemoryReport): string {
  const rows = memory.rows.map((row) => {
    // A key shared by many tokens (the grant of refreshed tokens) counts only by its growth.
    const families = row.families
      .filter((f) => Math.round(f.bytesPerToken) > 0)
      .map(
        (f) =>
          `\`${f.family}\` ${f.keysPerToken >= 0.5 ? `${f.keysPerToken.toFixed(2)} keys` : 'shared key'}, ${Math.round(f.bytesPerToken)} B`
      )
      .join('; ');
    return `| ${row.label} | ${row.tokens} | **${Math.round(row.bytesPerToken)}** | ${Math.round(row.usedMemoryPerToken)} | ${families} |`;
  });
  const shapes = memory.shapes.map(
    (s) =>
      `- \`${s.family}\`${s.note} (${s.type === 'hash' ? 'hash' : s.type === 'set' ? 'set of' : 'string, named by the app or user and the grant; value'}): ${s.fields.map((f) => `\`${f}\``).join(', ')}`
  );
  return [
    `Measured on the real Redis: ${memory.rows[0]?.tokens ?? 0} tokens of each kind issued through a real gateway, then`,
    "`MEMORY USAGE <key> SAMPLES 0` summed over the plugin's keys, before and after, divided by the tokens",
    'issued. `used_memory` is the growth of the whole Redis instance per token (indicative only:',
    'allocator slack, the expires table and other databases of the same instance count in it).',
    '',
    '| Tokens issued | Count | Bytes per token (MEMORY USAGE) | used_memory growth per token | Key families per token |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    "What one live token leaves (the fields of the hashes, the form of the sets' members; the values are",
    'ids, scopes and times, never a token: token keys are named by the SHA-256 digest of the token):',
    '',
    ...shapes,
    '',
    'A JWT access token itself is not stored; its grant still is (the set naming its `jti`, so that a',
    "revocation can reach caches), and so are the app and user grant indexes used by the admin API's",
    'revoke-all. Every key expires with the longest-lived token it serves.'
  ].join('\n');
}

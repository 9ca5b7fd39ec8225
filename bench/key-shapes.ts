import type Redis from 'ioredis';

/** What one live token leaves in a family of keys: the form of a key's name, and its hash fields or members. */
export interface StoredShape {
  family: string;
  /** A key's name without the prefix, ids and digests replaced (`at:{<id>}:<digest>` on a cluster). */
  key: string;
  /** Redis's TYPE: hash, set, zset or string. */
  type: string;
  /** A hash's fields, the forms of a set's members, or a string's value. */
  fields: string[];
}

/**
 * A key name or member with the key prefix dropped and its random parts named:
 * SHA-256 digests of tokens (43 base64url characters) and ids (grant ids,
 * EG's UUIDs, jtis).
 */
const formOf = (name: string, prefix: string) =>
  name.replace(prefix, '').replace(/[A-Za-z0-9_-]{16,}/g, (run) => (run.length === 43 ? '<digest>' : '<id>'));

/** The first key matching `pattern` on any of the primaries, or null. */
async function firstKey(primaries: Redis.Redis[], pattern: string): Promise<[Redis.Redis, string] | null> {
  for (const db of primaries) {
    let cursor = '0';
    do {
      const [next, keys] = await db.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys[0]) return [db, keys[0]];
      cursor = next;
    } while (cursor !== '0');
  }
  return null;
}

async function contentOf(db: Redis.Redis, key: string, type: string, prefix: string): Promise<string[]> {
  const forms = (members: string[]) => [...new Set(members.map((m) => formOf(m, prefix)))];
  if (type === 'hash') return db.hkeys(key);
  if (type === 'set') return forms(await db.smembers(key));
  if (type === 'zset') return forms(await db.zrange(key, 0, -1));
  return [(await db.get(key)) ?? ''];
}

/** One key of each family found under the prefix, on whichever primary holds one; families with none are left out. */
export async function describeShapes(
  primaries: Redis.Redis[],
  prefix: string,
  families: string[]
): Promise<StoredShape[]> {
  const shapes: StoredShape[] = [];
  for (const family of families) {
    const found = await firstKey(primaries, `${prefix}${family}:*`);
    if (!found) continue;
    const [db, key] = found;
    const type = await db.type(key);
    shapes.push({ family, key: formOf(key, prefix), type, fields: await contentOf(db, key, type, prefix) });
  }
  return shapes;
}

import Redis from 'ioredis';

/** A client on the test Redis of REDIS_URL, or null when the tests run on EG's emulated store. */
export function testRedis(): Redis.Redis | null {
  return process.env.REDIS_URL
    ? new Redis(process.env.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 2 })
    : null;
}

/** What a key holds, as text whatever its type, and its remaining lifetime in ms (-1: none). */
export interface KeyDump {
  text: string;
  pttl: number;
}

/** Every key matching `pattern` (by SCAN) with what it holds: to look for a value anywhere in the store. */
export async function dumpKeys(redis: Redis.Redis, pattern: string): Promise<Map<string, KeyDump>> {
  const dump = new Map<string, KeyDump>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    for (const key of keys) {
      const type = await redis.type(key);
      const value =
        type === 'string'
          ? await redis.get(key)
          : type === 'hash'
            ? await redis.hgetall(key)
            : type === 'set'
              ? await redis.smembers(key)
              : type === 'zset'
                ? await redis.zrange(key, 0, -1, 'WITHSCORES')
                : type === 'list'
                  ? await redis.lrange(key, 0, -1)
                  : null;
      if (value !== null)
        dump.set(key, { text: typeof value === 'string' ? value : JSON.stringify(value), pttl: await redis.pttl(key) });
    }
    cursor = next;
  } while (cursor !== '0');
  return dump;
}

/** The Redis key of a browser's express-session record, from its signed cookie (`s:<id>.<signature>`). */
export async function sessionKey(redis: Redis.Redis, cookie: string): Promise<string> {
  const signed = decodeURIComponent(cookie);
  const id = signed.slice(2, signed.lastIndexOf('.'));
  const [key, ...others] = [...(await dumpKeys(redis, `*sess:${id}`)).keys()];
  if (!key || others.length)
    throw new Error(`expected one session record for ${id}, found ${[key, ...others].filter(Boolean).length}`);
  return key;
}

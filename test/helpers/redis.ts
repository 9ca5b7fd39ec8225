import Redis from 'ioredis';

/** A client on the test Redis of REDIS_URL, or null when the tests run on EG's emulated store. */
export function testRedis(): Redis.Redis | null {
  return process.env.REDIS_URL ? new Redis(process.env.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 2 }) : null;
}

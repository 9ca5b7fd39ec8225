import { testRedis } from './helpers/redis';

/** Mocha root hooks: on a real Redis, start from an empty DB (the suite's own index). */
export const mochaHooks = {
  async beforeAll(): Promise<void> {
    const redis = testRedis();
    if (!redis) return;
    await redis.flushdb();
    redis.disconnect();
  }
};

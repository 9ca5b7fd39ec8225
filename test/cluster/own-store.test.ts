import { expect } from 'chai';
import Redis from 'ioredis';
import { basic, postForm } from '../../support/http';
import { OwnRedis } from '../helpers/redis-server';
import { OwnSentinel } from '../helpers/redis-sentinel';
import { startWorld, World } from '../helpers/world';

/**
 * store.redis by URL and by Sentinel: the plugin's data goes to a Redis of
 * its own, EG's records stay on EG's store (here the emulated one), and
 * every flow works as on EG's connection.
 */
describe('a store of the plugin’s own, by URL and by Sentinel (store.redis)', function () {
  let tokens: OwnRedis;
  let sentinel: OwnSentinel;
  before(async function () {
    if (!OwnRedis.available()) return this.skip(); // starts its own redis-server processes
    tokens = await OwnRedis.start();
    sentinel = await OwnSentinel.start('tokens', tokens.port);
    // A Redis that may evict keys under memory pressure (a cache's setting): the gateway must warn.
    const admin = new Redis({ port: tokens.port, host: '127.0.0.1' });
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    admin.disconnect();
  });
  after(async function () {
    await sentinel?.stop();
    await tokens?.destroy();
  });

  const forms: Array<[string, () => unknown]> = [
    ['a redis:// URL with a DB index', () => `redis://127.0.0.1:${tokens.port}/3`],
    ['a Sentinel group', () => ({ sentinels: [{ host: '127.0.0.1', port: sentinel.port }], name: 'tokens', db: 3 })]
  ];
  for (const [what, setting] of forms) {
    describe(what, function () {
      let world: World;
      let db: Redis.Redis;
      before(async function () {
        db = new Redis({ port: tokens.port, host: '127.0.0.1', db: 3 });
        await db.flushdb();
        world = await startWorld({ settings: { store: { redis: setting() } } });
      });
      after(async function () {
        await world?.stop();
        db?.disconnect();
      });

      it('issues, checks and revokes tokens there, and says so in its start line', async function () {
        const issued = await world.token({
          grant_type: 'password',
          username: world.user.username,
          password: world.user.password
        });
        expect(issued.status, issued.text).to.equal(200);
        expect((await world.api(issued.json.access_token)).status).to.equal(200);
        const grant = issued.json.access_token.split('~')[3];
        const [accessKey, ...more] = await db.keys('*-oauth2-plugin:at:*');
        expect(more).to.deep.equal([]);
        const prefix = accessKey!.slice(0, accessKey!.indexOf('at:'));
        expect(await db.exists(`${prefix}grant:${grant}`)).to.equal(1);
        const revoked = await postForm(
          `${world.gateway.url}/oauth2/revoke`,
          { token: issued.json.refresh_token },
          { Authorization: basic(world.app.id, world.app.secret) }
        );
        expect(revoked.status).to.equal(200);
        expect((await world.api(issued.json.access_token)).status).to.equal(401);
        expect(await db.exists(`${prefix}grant-revoked:${grant}`)).to.equal(1);
        expect(world.gateway.output()).to.match(/store redis (sentinel tokens@127\.0\.0\.1|127\.0\.0\.1:\d+\/3)/);
      });

      it('warns at start that this Redis may evict a revoked grant’s marker (maxmemory-policy allkeys-lru)', function () {
        expect(world.gateway.output()).to.match(/evicts keys \(maxmemory-policy allkeys-lru\).*noeviction/);
      });
    });
  }
});

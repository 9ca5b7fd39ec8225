import { expect } from 'chai';
import Redis from 'ioredis';
import { ChangeFeed } from '../../lib/store/change-feed';
import { clusterWithDeadline } from '../../lib/store/cluster-deadline';
import { LocalRedisCluster } from '../../support/redis-cluster';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

/**
 * ioredis moves a cluster subscription to another node without telling its
 * client, and what was published meanwhile is lost: the feed must notice the
 * silence itself, turn the caches it feeds off and empty them, and come back
 * once it hears again (issue 19, part 2: change feeds across cluster nodes).
 */
describe('a change feed on a Redis Cluster that goes silent', function () {
  this.timeout(30000);
  let cluster: LocalRedisCluster;
  let db: Redis.Cluster;
  let feed: ChangeFeed<{ tokens: string[] }>;
  const heard: Array<string> = [];

  before(async function () {
    if (process.env.REDIS_URL || !LocalRedisCluster.available()) return this.skip(); // once per CI run; own servers
    cluster = await LocalRedisCluster.start();
    db = clusterWithDeadline(new Redis.Cluster(cluster.nodes.slice(0, 1)), 1000);
    feed = ChangeFeed.for(db, `silence-${Date.now()}`, false, quiet, 'test caches');
    feed.onChange((event) => heard.push(event === 'all' ? 'all' : event.tokens.join()));
    for (let i = 0; i < 100 && !feed.connected; i++) await sleep(50);
    expect(feed.connected).to.equal(true);
  });
  after(async function () {
    feed?.close();
    db?.disconnect();
    await cluster?.stop();
  });

  it('delivers what another client publishes', async function () {
    await db.publish(feed.channel, JSON.stringify({ tokens: ['t1'] }));
    for (let i = 0; i < 40 && !heard.includes('t1'); i++) await sleep(25);
    expect(heard).to.include('t1');
  });

  it('turns its caches off and empties them when it has heard nothing for a few seconds, and on once heard again', async function () {
    heard.length = 0;
    cluster.freeze();
    try {
      await sleep(4500);
      expect(feed.connected, 'off while nothing is heard').to.equal(false);
      expect(heard, 'caches emptied').to.include('all');
    } finally {
      cluster.thaw();
    }
    heard.length = 0;
    for (let i = 0; i < 200 && !feed.connected; i++) await sleep(50);
    expect(feed.connected, 'on again once heard').to.equal(true);
    expect(heard[0], 'emptied again: what was published meanwhile is lost').to.equal('all');
  });
});

import { expect } from 'chai';
import Redis from 'ioredis';
import { dumpKeys, sessionKey, testRedis } from '../helpers/redis';
import { OwnRedis, REDIS_SERVER } from '../helpers/redis-server';
import { startWorld, World } from '../helpers/world';
import { APPS, createUser, postAppAction, postRegistration, signedIn } from './app-pages';

const LOOPBACK_URI = 'http://127.0.0.1:8000/callback';
const REVEAL_WINDOW_MS = 60_000;
const secretOf = (html: string) => /<code id="client-secret">([^<]*)<\/code>/.exec(html)?.[1];

/**
 * The secret of an app registered (or rotated) on the pages is shown once,
 * on the page the form post redirects to; until then it waits in Redis under
 * a key of its own that expires within a minute, never in the session record.
 * These tests read the store from outside: the Redis of REDIS_URL, else a
 * redis-server of their own (EG's emulated store lives inside the gateway
 * process, out of a test's reach).
 */
describe('web client registration: the secret shown once', function () {
  this.timeout(60000);
  let world: World;
  let ownRedis: OwnRedis | undefined;
  let redis: Redis.Redis;
  const user = (name: string) => createUser(world.gateway.admin, name);

  before(async function () {
    const settings = { clientRegistration: { enabled: true, maxAppsPerUser: 5 } };
    const shared = testRedis();
    if (shared) {
      redis = shared;
      world = await startWorld({ settings });
      return;
    }
    if (!OwnRedis.available()) {
      console.log(
        `      (skipped: without REDIS_URL these tests start their own ${REDIS_SERVER}, which is not installed)`
      );
      return this.skip();
    }
    ownRedis = await OwnRedis.start();
    redis = new Redis({ host: '127.0.0.1', port: ownRedis.port, maxRetriesPerRequest: 2 });
    world = await startWorld({ settings, redis: ownRedis.gatewayConfig('reveal') });
  });
  after(async function () {
    redis?.disconnect();
    await world?.stop();
    await ownRedis?.destroy();
  });

  it('keeps the secret out of the session record: it waits under its own key for at most 60 s, and nothing of it is left once shown', async function () {
    const browser = await signedIn(world.gateway.url, await user('olga'));
    const posted = await postRegistration(browser, { name: 'Kept apart', redirectUris: LOOPBACK_URI });
    expect(posted.status, posted.text.slice(0, 500)).to.equal(303);
    const session = await sessionKey(redis, browser.cookie('oauth2.sid')!);
    const prefix = session.slice(0, session.lastIndexOf('sess:'));
    const waiting = await dumpKeys(redis, `${prefix}*`);

    const shown = await browser.get(`${APPS}/credentials`);
    expect(shown.status).to.equal(200);
    expect(shown.headers.get('cache-control')).to.equal('no-store');
    const secret = secretOf(shown.text)!;
    expect(secret).to.have.length.above(40);

    expect(waiting.get(session)!.text, 'the session record between the post and the page').not.to.contain(secret);
    const holders = [...waiting].filter(([, dump]) => dump.text.includes(secret));
    expect(holders, 'the secret waits under a key of its own').to.have.length(1);
    const [[revealKey, reveal]] = holders;
    expect(reveal.pttl, 'and that key expires within the window').to.be.within(1, REVEAL_WINDOW_MS);
    expect(await redis.get(session), 'the session record after the page').not.to.contain(secret);
    expect(await redis.exists(revealKey), 'the key is gone once shown').to.equal(0);
    const left = [...(await dumpKeys(redis, '*'))].filter(([, dump]) => dump.text.includes(secret)).map(([key]) => key);
    expect(left, 'no key of the store holds the secret').to.deep.equal([]);
  });

  it('keeps a rotated secret out of the session record too', async function () {
    const browser = await signedIn(world.gateway.url, await user('pavel'));
    await postRegistration(browser, { name: 'Rotated apart', redirectUris: LOOPBACK_URI });
    const appId = /<code id="client-id">([^<]*)<\/code>/.exec((await browser.get(`${APPS}/credentials`)).text)![1];
    expect((await postAppAction(browser, appId, 'rotate')).status).to.equal(303);
    const session = await sessionKey(redis, browser.cookie('oauth2.sid')!);
    const between = await redis.get(session);
    const secret = secretOf((await browser.get(`${APPS}/credentials`)).text)!;
    expect(secret).to.have.length.above(40);
    expect(between).not.to.contain(secret);
  });

  it('lets a secret that is never shown expire with its key within 60 s', async function () {
    const browser = await signedIn(world.gateway.url, await user('quinn'));
    const session = await sessionKey(redis, browser.cookie('oauth2.sid')!);
    const prefix = session.slice(0, session.lastIndexOf('sess:'));
    const before = await dumpKeys(redis, `${prefix}*`);
    expect((await postRegistration(browser, { name: 'Never shown', redirectUris: LOOPBACK_URI })).status).to.equal(303);
    // What the instance writes once at start may land late on a loaded machine (the shared settings' digests take a
    // slow scrypt): it is not the registration's.
    const atStart = /(shared-settings|shared-settings-salt|owned-grants-since)$/;
    const added = [...(await dumpKeys(redis, `${prefix}*`))].filter(([key]) => !before.has(key) && !atStart.test(key));
    expect(
      added.map(([key]) => key),
      'one key is added: the secret waiting'
    ).to.have.length(1);
    expect(added[0][1].pttl).to.be.within(1, REVEAL_WINDOW_MS);
  });

  it('shows the secret to one page load only, even to several loads at once with the same session (no-store)', async function () {
    const browser = await signedIn(world.gateway.url, await user('rosa'));
    expect((await postRegistration(browser, { name: 'Raced', redirectUris: LOOPBACK_URI })).status).to.equal(303);
    const loads = await Promise.all(Array.from({ length: 6 }, () => browser.get(`${APPS}/credentials`)));
    const shown = loads.filter((load) => load.status === 200);
    expect(
      shown,
      'the secret is taken out atomically, not read from a copy of the session each load holds'
    ).to.have.length(1);
    expect(secretOf(shown[0].text)).to.have.length.above(40);
    expect(shown[0].headers.get('cache-control')).to.equal('no-store');
    expect(shown[0].headers.get('pragma')).to.equal('no-cache');
    for (const other of loads.filter((load) => load !== shown[0])) {
      expect(other.status).to.equal(303);
      expect(other.headers.get('location')).to.equal(APPS);
    }
  });
});

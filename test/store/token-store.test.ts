import { expect } from 'chai';
import { createHash } from 'crypto';
import { Browser } from '../../support/browser';
import { authorize, authorizeUrl, codeParams } from '../helpers/flow';
import { RunningGateway, startGateway } from '../../support/gateway';
import { TokenKeys } from '../../lib/store/token-keys';
import { testRedis } from '../helpers/redis';
import { startWorld, World } from '../helpers/world';

describe('token store on a real Redis', function () {
  let world: World;
  let redis: ReturnType<typeof testRedis>;
  const namespace = `S${Date.now().toString(36)}`;
  before(async function () {
    redis = testRedis();
    if (!redis) return this.skip(); // needs REDIS_URL: EG's emulated store lives inside the gateway process
    world = await startWorld({ namespace });
  });
  after(async function () {
    await world?.stop();
    redis?.disconnect();
  });

  /** The plugin's names for a token's key on one Redis. */
  const keys = new TokenKeys(`${namespace}-oauth2-plugin:`, false);

  async function pluginKeys(): Promise<string[]> {
    return redis!.keys(`${namespace}-oauth2-plugin:*`);
  }

  async function dump(): Promise<string> {
    const parts: string[] = [];
    for (const key of await redis!.keys('*')) {
      const type = await redis!.type(key);
      const value =
        type === 'hash'
          ? await redis!.hgetall(key)
          : type === 'set'
            ? await redis!.smembers(key)
            : type === 'zset'
              ? await redis!.zrange(key, 0, -1)
              : await redis!.get(key);
      parts.push(key, JSON.stringify(value));
    }
    return parts.join('\n');
  }

  it('keeps no token in the clear: a dump of Redis holds only SHA-256 digests', async function () {
    const issued = await world.token({
      grant_type: 'password',
      username: world.user.username,
      password: world.user.password
    });
    const { access_token: access, refresh_token: refresh } = issued.json;
    const everything = await dump();
    expect(everything).not.to.contain(access);
    expect(everything).not.to.contain(access.split('~')[4]);
    expect(everything).not.to.contain(refresh);
    expect(everything).not.to.contain(refresh.split('~')[2]);
    const digest = (t: string) => createHash('sha256').update(t).digest('base64url');
    const grant = access.split('~')[3];
    expect(await pluginKeys()).to.include.members([
      `${namespace}-oauth2-plugin:at:${grant}:${digest(access)}`,
      `${namespace}-oauth2-plugin:rt:${grant}:${digest(refresh)}`
    ]);
  });

  it('lets Redis expire each token when the token expires', async function () {
    const issued = await world.token({
      grant_type: 'password',
      username: world.user.username,
      password: world.user.password
    });
    const accessTtl = await redis!.ttl(keys.access(issued.json.access_token)!);
    const refreshTtl = await redis!.ttl(keys.refresh(issued.json.refresh_token)!);
    expect(accessTtl).to.be.within(3598, 3600);
    expect(refreshTtl).to.be.within(1209598, 1209600);
  });

  it('indexes the grants of an app and a user in a sorted set by when each ends, dropping ended ones, so no index outgrows the live grants', async function () {
    const appIndex = keys.ownedGrants('app', world.app.id);
    await redis!.zadd(appIndex, Date.now() - 1000, 'an-ended-grant-0000000');
    const before = await redis!.zrange(appIndex, 0, -1);
    const clientCredentials = (await world.token({ grant_type: 'client_credentials' })).json.access_token;
    const password = (
      await world.token({ grant_type: 'password', username: world.user.username, password: world.user.password })
    ).json.access_token;
    const after = await redis!.zrange(appIndex, 0, -1, 'WITHSCORES');
    const scores = Object.fromEntries(after.flatMap((v, i) => (i % 2 ? [] : [[v, Number(after[i + 1])]])));
    expect(scores).not.to.have.property('an-ended-grant-0000000');
    const seconds = (grant: string) => Math.round((scores[grant]! - Date.now()) / 1000);
    // The client_credentials grant ends with its access token; the password grant with its refresh token.
    expect(seconds(clientCredentials.split('~')[3])).to.be.within(3598, 3600);
    expect(seconds(password.split('~')[3])).to.be.within(1209598, 1209600);
    expect(Object.keys(scores).length).to.equal(before.length - 1 + 2);
    expect(await redis!.ttl(appIndex)).to.be.within(1209598, 1209600);
    expect(await redis!.zscore(keys.ownedGrants('user', world.user.id), password.split('~')[3])).to.not.equal(null);
  });

  it("writes a grant's tokens and its app's and user's index entries in one transaction on one Redis", async function () {
    const monitor = (await redis!.monitor()) as unknown as { on: Function; disconnect(): void };
    const commands: Array<{ source: string; args: string[] }> = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => commands.push({ source, args }));
    const token = (
      await world.token({ grant_type: 'password', username: world.user.username, password: world.user.password })
    ).json.access_token;
    monitor.disconnect();
    const tokenKey = keys.access(token)!;
    const saving = commands.findIndex(({ args }) => args[0]?.toLowerCase() === 'hmset' && args[1] === tokenKey);
    expect(saving).to.be.greaterThan(0);
    // The transaction the token's HMSET is in, as one connection sent it: from its MULTI to its EXEC.
    const own = commands.filter(({ source }) => source === commands[saving]!.source);
    const at = own.indexOf(commands[saving]!);
    const begin = own.map(({ args }) => args[0]?.toLowerCase()).lastIndexOf('multi', at);
    const end = own.findIndex(({ args }, i) => i > at && args[0]?.toLowerCase() === 'exec');
    const transaction = own.slice(begin, end).map(({ args }) => `${args[0]?.toLowerCase()} ${args[1]}`);
    expect(begin).to.be.at.least(0);
    expect(transaction).to.include.members([
      `zadd ${keys.ownedGrants('app', world.app.id)}`,
      `zadd ${keys.ownedGrants('user', world.user.id)}`
    ]);
  });

  it('ends a refresh token written before grants kept their start refreshToken.maxLifetime after its own iat', async function () {
    const now = Math.floor(Date.now() / 1000);
    const legacy = async (iat: number) => {
      const issued = await world.token({
        grant_type: 'password',
        username: world.user.username,
        password: world.user.password
      });
      const key = keys.refresh(issued.json.refresh_token)!;
      await redis!.hdel(key, 'grantStart');
      await redis!.hset(key, 'iat', String(iat));
      return issued.json.refresh_token as string;
    };
    const refresh = async (token: string) => world.token({ grant_type: 'refresh_token', refresh_token: token });
    const old = await refresh(await legacy(now - 7776000 - 60));
    expect(old.status).to.equal(400);
    expect(old.json.error).to.equal('invalid_grant');
    const recent = await refresh(await legacy(now - 60));
    expect(recent.status, recent.text).to.equal(200);
    const successor = await redis!.hgetall(keys.refresh(recent.json.refresh_token)!);
    expect(Number(successor.grantStart), "the grant start travels on from the old token's iat").to.equal(now - 60);
  });

  it('shares tokens between gateway instances on the same Redis', async function () {
    const second = await startWorld({ namespace, seed: { username: 'bob', appName: 'second-app' } });
    try {
      // The second world seeded its own consumers in the same namespace; its token works on the first gateway.
      const token = (await second.token({ grant_type: 'client_credentials' })).json.access_token;
      const res = await world.api(token);
      expect(res.status).to.equal(200);
      expect(res.json.headers['eg-consumer-id']).to.equal(second.app.id);
    } finally {
      await second.stop();
    }
  });
});

describe('browser sessions on a real Redis', function () {
  const namespace = `B${Date.now().toString(36)}`;
  let first: World;
  let second: RunningGateway;
  before(async function () {
    if (!process.env.REDIS_URL) return this.skip(); // sessions shared through Redis need a real one
    first = await startWorld({ namespace });
    second = await startGateway({ namespace });
  });
  after(async function () {
    await second?.stop();
    await first?.stop();
  });

  it('honours on one gateway instance a sign-in made on another', async function () {
    const onFirst = new Browser(first.gateway.url);
    const consent = await authorize(onFirst, first, codeParams(first));
    expect(consent.status).to.equal(200);
    const res = await onFirst.at(second.url).get(authorizeUrl(codeParams(first)));
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('Allow access?');
  });
});

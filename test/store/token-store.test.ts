import { expect } from 'chai';
import { createHash } from 'crypto';
import { Browser } from '../../support/browser';
import { authorize, authorizeUrl, codeParams } from '../helpers/flow';
import { RunningGateway, startGateway } from '../../support/gateway';
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
    expect(everything).not.to.contain(access.split('~')[3]);
    expect(everything).not.to.contain(refresh);
    const digest = (t: string) => createHash('sha256').update(t).digest('base64url');
    expect(await pluginKeys()).to.include.members([
      `${namespace}-oauth2-plugin:at:${digest(access)}`,
      `${namespace}-oauth2-plugin:rt:${digest(refresh)}`
    ]);
  });

  it('lets Redis expire each token when the token expires', async function () {
    const issued = await world.token({
      grant_type: 'password',
      username: world.user.username,
      password: world.user.password
    });
    const digest = (t: string) => createHash('sha256').update(t).digest('base64url');
    const accessTtl = await redis!.ttl(`${namespace}-oauth2-plugin:at:${digest(issued.json.access_token)}`);
    const refreshTtl = await redis!.ttl(`${namespace}-oauth2-plugin:rt:${digest(issued.json.refresh_token)}`);
    expect(accessTtl).to.be.within(3598, 3600);
    expect(refreshTtl).to.be.within(1209598, 1209600);
  });

  it('indexes each grant of an app and a user by a key that expires with the grant, so no index outgrows the live grants', async function () {
    const before = await redis!.keys(`${namespace}-oauth2-plugin:app-grant:${world.app.id}:*`);
    await world.token({ grant_type: 'client_credentials' });
    await world.token({ grant_type: 'password', username: world.user.username, password: world.user.password });
    const appIndex = await redis!.keys(`${namespace}-oauth2-plugin:app-grant:${world.app.id}:*`);
    expect(appIndex.length - before.length).to.equal(2);
    const ttls = await Promise.all(appIndex.filter((key) => !before.includes(key)).map((key) => redis!.ttl(key)));
    // The client_credentials grant lives as long as its access token; the password grant as its refresh token.
    expect(ttls.sort((a, b) => a - b)).to.satisfy(
      ([short, long]: number[]) => short >= 3598 && short <= 3600 && long >= 1209598 && long <= 1209600
    );
    const userIndex = await redis!.keys(`${namespace}-oauth2-plugin:user-grant:${world.user.id}:*`);
    expect(userIndex.length).to.be.at.least(1);
  });

  it('ends a refresh token written before grants kept their start refreshToken.maxLifetime after its own iat', async function () {
    const digest = (t: string) => createHash('sha256').update(t).digest('base64url');
    const now = Math.floor(Date.now() / 1000);
    const legacy = async (iat: number) => {
      const issued = await world.token({
        grant_type: 'password',
        username: world.user.username,
        password: world.user.password
      });
      const key = `${namespace}-oauth2-plugin:rt:${digest(issued.json.refresh_token)}`;
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
    const successor = await redis!.hgetall(`${namespace}-oauth2-plugin:rt:${digest(recent.json.refresh_token)}`);
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

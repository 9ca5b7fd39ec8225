import { expect } from 'chai';
import { RunningGateway, startGateway } from '../../support/gateway';
import { testRedis } from '../helpers/redis';
import { NEEDS_REDIS } from './cluster';

const WARNING = 'another gateway instance on this Redis started with other settings';
const SECRET = 'the session secret of the first instance';
const OTHER_SECRET = 'a session secret only the second instance has';
const PAIRWISE_SECRET = 'a pairwise subject secret only the third instance has';

/** The output once the comparison, which runs after the start, said how it went. */
async function settled(gateway: RunningGateway): Promise<string> {
  const deadline = Date.now() + 10000;
  while (!/the shared settings match|started with other settings/.test(gateway.output())) {
    if (Date.now() > deadline) throw new Error(`no comparison logged:\n${gateway.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return gateway.output();
}

/** Instances that must agree but do not say so at start, instead of failing users one request in three. */
describe(`settings that differ between instances sharing a Redis (${NEEDS_REDIS})`, function () {
  const started: RunningGateway[] = [];
  const namespace = `W${Math.random().toString(36).slice(2, 8)}`;
  const start = async (secret: string, pairwiseSecret?: string) => {
    const gateway = await startGateway({
      namespace,
      settings: { issuer: 'https://auth.example.com', session: { secret }, oidc: { pairwiseSecret } }
    });
    started.push(gateway);
    return gateway;
  };
  before(function () {
    if (!process.env.REDIS_URL) this.skip();
  });
  after(async function () {
    await Promise.all(started.map((gateway) => gateway.stop()));
  });

  it('are named in a warning by the instance that starts with them, and secrets are never logged', async function () {
    await start(SECRET);
    const output = await settled(await start(OTHER_SECRET));
    expect(output, output).to.contain(WARNING);
    expect(output, output).to.contain('session.secret (a sign-in on one instance is unknown to the other)');
    expect(output, output).not.to.match(/issuer \(|keys \(|limits \(/);
    expect(output).not.to.contain(OTHER_SECRET);
    expect(output).not.to.contain(SECRET);

    // A pairwise secret set on one instance only: each would tell a pairwise app another sub for the same user.
    const third = await settled(await start(OTHER_SECRET, PAIRWISE_SECRET));
    expect(third, third).to.contain('oidc.pairwiseSecret (a pairwise client is told another sub');
    expect(third, third).not.to.contain('session.secret (');
    expect(third).not.to.contain(PAIRWISE_SECRET);
  });
});

/** Issue 15, item 23: the digests of secret settings are salted per deployment, at a standard scrypt cost. */
describe(`the stored digests of shared settings (${NEEDS_REDIS})`, function () {
  const started: RunningGateway[] = [];
  before(function () {
    if (!process.env.REDIS_URL) this.skip();
  });
  after(async function () {
    await Promise.all(started.map((gateway) => gateway.stop()));
  });

  it('salts them per deployment: the same secret gives other digests on another deployment', async function () {
    const redis = testRedis()!;
    try {
      const digests: string[] = [];
      for (const namespace of [
        `X${Math.random().toString(36).slice(2, 8)}`,
        `Y${Math.random().toString(36).slice(2, 8)}`
      ]) {
        const gateway = await startGateway({
          namespace,
          settings: { issuer: 'https://auth.example.com', session: { secret: SECRET } }
        });
        started.push(gateway);
        const deadline = Date.now() + 10000;
        while (
          !(await redis.hget(`${namespace}-oauth2-plugin:shared-settings`, 'session.secret')) &&
          Date.now() < deadline
        )
          await new Promise((r) => setTimeout(r, 50));
        expect(await redis.get(`${namespace}-oauth2-plugin:shared-settings-salt`)).to.match(/^[A-Za-z0-9_-]{22}$/);
        digests.push((await redis.hget(`${namespace}-oauth2-plugin:shared-settings`, 'session.secret'))!);
      }
      expect(digests[0]).to.be.a('string');
      expect(digests[0]).not.to.equal(digests[1]);
    } finally {
      redis.disconnect();
    }
  });
});

import { expect } from 'chai';
import { basic, postForm, request, Reply } from '../../support/http';
import { startWorld, World } from '../helpers/world';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectTokens(res: Reply): void {
  expect(res.status, res.text).to.equal(200);
  expect(res.json.access_token).to.be.a('string');
  expect(res.json.refresh_token).to.be.a('string');
}

function grantOf(getWorld: () => World) {
  return {
    start: () =>
      getWorld().token({
        grant_type: 'password',
        username: getWorld().user.username,
        password: getWorld().user.password
      }),
    refresh: (token: string, auth?: { id: string; secret: string }) =>
      getWorld().token({ grant_type: 'refresh_token', refresh_token: token }, auth),
    callApi: (token: string) =>
      request(`${getWorld().gateway.url}/api`, { headers: { Authorization: `Bearer ${token}` } })
  };
}

/**
 * Two requests refreshing one token at once (two tabs, a retry after a lost
 * answer) are not a replay within refreshToken.rotationGracePeriod; after it,
 * reuse still revokes the grant (RFC 9700 §4.14.2).
 */
describe('refresh tokens: rotation grace period (refreshToken.rotationGracePeriod)', function () {
  let world: World;
  before(async function () {
    world = await startWorld({ settings: { refreshToken: { rotationGracePeriod: 2 } } });
  });
  after(async function () {
    await world?.stop();
  });
  const { start, refresh, callApi } = grantOf(() => world);

  it('answers its client retrying a just-rotated refresh token with new tokens of the same grant', async function () {
    const first = await start();
    const rotated = await refresh(first.json.refresh_token);
    expectTokens(rotated);
    const retried = await refresh(first.json.refresh_token);
    expectTokens(retried);
    expect(retried.json.refresh_token).not.to.be.oneOf([first.json.refresh_token, rotated.json.refresh_token]);
    expect((await callApi(rotated.json.access_token)).status).to.equal(200);
    expect((await callApi(retried.json.access_token)).status).to.equal(200);
    // One grant: revoking the first successor (RFC 7009) revokes what the retry got too.
    const revoked = await postForm(
      `${world.gateway.url}/oauth2/revoke`,
      { token: rotated.json.refresh_token },
      { Authorization: basic(world.app.id, world.app.secret) }
    );
    expect(revoked.status).to.equal(200);
    expect((await callApi(retried.json.access_token)).status).to.equal(401);
    expect((await refresh(retried.json.refresh_token)).json.error).to.equal('invalid_grant');
    expect((await refresh(first.json.refresh_token)).json.error, 'no grace for a revoked grant').to.equal(
      'invalid_grant'
    );
  });

  it('answers both of two concurrent refreshes of one token, and keeps the grant', async function () {
    const first = await start();
    const both = await Promise.all([refresh(first.json.refresh_token), refresh(first.json.refresh_token)]);
    for (const res of both) expectTokens(res);
    expect(both[0].json.refresh_token).not.to.equal(both[1].json.refresh_token);
    for (const res of both) {
      expect((await callApi(res.json.access_token)).status).to.equal(200);
      expectTokens(await refresh(res.json.refresh_token));
    }
  });

  it('gives another client presenting a just-rotated refresh token invalid_grant, and keeps the grant', async function () {
    const first = await start();
    const rotated = await refresh(first.json.refresh_token);
    const other = await world.addClient('grace-thief', ['read', 'write']);
    const stolen = await refresh(first.json.refresh_token, other);
    expect(stolen.status).to.equal(400);
    expect(stolen.json.error).to.equal('invalid_grant');
    expect((await callApi(rotated.json.access_token)).status).to.equal(200);
    expectTokens(await refresh(rotated.json.refresh_token));
  });

  it('still revokes the whole grant when a rotated refresh token comes back after the grace period', async function () {
    const first = await start();
    const rotated = await refresh(first.json.refresh_token);
    expectTokens(rotated);
    await sleep(2600);
    const replay = await refresh(first.json.refresh_token);
    expect(replay.status).to.equal(400);
    expect(replay.json.error).to.equal('invalid_grant');
    expect(replay.json.error_description).to.match(/already used/);
    expect((await callApi(rotated.json.access_token)).status).to.equal(401);
    expect((await refresh(rotated.json.refresh_token)).json.error).to.equal('invalid_grant');
  });
});

describe('refresh tokens: the rotation grace period never outlives the token or the grant', function () {
  let shortGrant: World;
  let shortToken: World;
  before(async function () {
    shortGrant = await startWorld({ settings: { refreshToken: { ttl: 60, maxLifetime: 2, rotationGracePeriod: 30 } } });
    shortToken = await startWorld({ settings: { refreshToken: { ttl: 2, rotationGracePeriod: 30 } } });
  });
  after(async function () {
    await shortGrant?.stop();
    await shortToken?.stop();
  });

  for (const [what, getWorld] of [
    ['the grant has reached maxLifetime', () => shortGrant],
    ['the token has expired', () => shortToken]
  ] as const) {
    it(`refuses a just-rotated refresh token once ${what}, within the grace period or not`, async function () {
      const { start, refresh } = grantOf(getWorld);
      const started = Date.now();
      const first = await start();
      expectTokens(await refresh(first.json.refresh_token));
      await sleep(started + 3200 - Date.now());
      const late = await refresh(first.json.refresh_token);
      expect(late.status).to.equal(400);
      expect(late.json.error).to.equal('invalid_grant');
    });
  }
});

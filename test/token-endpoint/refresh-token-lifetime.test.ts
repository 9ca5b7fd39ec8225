import { expect } from 'chai';
import { basic, postForm } from '../../support/http';
import { startWorld, World } from '../helpers/world';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A grant may be refreshed for refreshToken.maxLifetime seconds from its first token response, not forever (RFC 9700
 * §4.14.2).
 */
describe('refresh tokens: absolute grant lifetime (refreshToken.maxLifetime)', function () {
  let world: World;
  before(async function () {
    world = await startWorld({ settings: { refreshToken: { ttl: 60, maxLifetime: 3 } } });
  });
  after(async function () {
    await world?.stop();
  });

  const startGrant = () =>
    world.token({ grant_type: 'password', username: world.user.username, password: world.user.password });
  const refresh = (token: string) => world.token({ grant_type: 'refresh_token', refresh_token: token });
  const introspect = (token: string) =>
    postForm(
      `${world.gateway.url}/oauth2/introspect`,
      { token },
      { Authorization: basic(world.app.id, world.app.secret) }
    );

  it('refuses every refresh once maxLifetime has passed since the grant began, however recently its token was rotated', async function () {
    const started = Date.now();
    let current = (await startGrant()).json.refresh_token;
    for (let i = 0; i < 2; i++) {
      await sleep(800);
      const rotated = await refresh(current);
      expect(rotated.status, rotated.text).to.equal(200);
      current = rotated.json.refresh_token;
    }
    await sleep(started + 3600 - Date.now());
    const late = await refresh(current);
    expect(late.status).to.equal(400);
    expect(late.json.error).to.equal('invalid_grant');
  });

  it('issues no refresh token that outlives the grant: each one, rotated or not, expires when the grant ends', async function () {
    const first = await startGrant();
    const described = await introspect(first.json.refresh_token);
    expect(described.json.active, described.text).to.equal(true);
    expect(described.json.exp - described.json.iat, 'maxLifetime caps a longer refreshToken.ttl').to.equal(3);
    await sleep(1100);
    const rotated = await refresh(first.json.refresh_token);
    const successor = await introspect(rotated.json.refresh_token);
    expect(successor.json.active, successor.text).to.equal(true);
    expect(successor.json.exp, "the grant's end, not the rotation's iat + ttl").to.equal(described.json.exp);
  });
});

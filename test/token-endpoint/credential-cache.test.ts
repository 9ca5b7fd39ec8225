import { expect } from 'chai';
import { startWorld, World } from '../helpers/world';

/**
 * Issue 8: the token endpoint checks a client secret or a password with
 * bcrypt once, then recalls it; nothing about who is let in may change.
 */
describe('token endpoint: secrets checked once, then recalled', function () {
  let world: World;
  // The default sign-in limits (5 per user name, 20 per IP).
  before(async function () {
    world = await startWorld();
  });
  after(async function () {
    await world?.stop();
  });

  const password = () =>
    world.token({ grant_type: 'password', username: world.user.username, password: world.user.password });

  it('issues tokens to 32 concurrent password grants of one user at the default sign-in limits', async function () {
    const answers = await Promise.all(Array.from({ length: 32 }, password));
    expect(answers.map((res) => res.status)).to.deep.equal(Array(32).fill(200));
    const again = await Promise.all(Array.from({ length: 32 }, password));
    expect(again.map((res) => res.status)).to.deep.equal(Array(32).fill(200));
  });

  it('refuses a recalled client secret and password at once when the app, the credential or the user is deactivated', async function () {
    expect((await password()).status).to.equal(200);
    const { admin } = world.gateway;
    await admin.setAppActive(world.app.id, false);
    try {
      expect((await password()).json.error).to.equal('invalid_client');
    } finally {
      await admin.setAppActive(world.app.id, true);
    }
    await admin.setCredentialActive('oauth2', world.app.id, false);
    try {
      expect((await password()).json.error).to.equal('invalid_client');
    } finally {
      await admin.setCredentialActive('oauth2', world.app.id, true);
    }
    await admin.setCredentialActive('basic-auth', world.user.id, false);
    try {
      expect((await password()).json.error).to.equal('invalid_grant');
    } finally {
      await admin.setCredentialActive('basic-auth', world.user.id, true);
    }
    await admin.setUserActive(world.user.id, false);
    try {
      expect((await password()).json.error).to.equal('invalid_grant');
    } finally {
      await admin.setUserActive(world.user.id, true);
    }
    expect((await password()).status).to.equal(200);
  });

  it('recalls only the very secret that was checked: a near miss is still a wrong secret', async function () {
    expect((await password()).status).to.equal(200);
    const near = await world.token({
      grant_type: 'password',
      username: world.user.username,
      password: `${world.user.password}x`
    });
    expect(near.json.error).to.equal('invalid_grant');
    const wrongClient = await world.token(
      { grant_type: 'client_credentials' },
      { id: world.app.id, secret: `${world.app.secret.slice(0, -1)}x` }
    );
    expect(wrongClient.status).to.equal(401);
    expect(wrongClient.json.error).to.equal('invalid_client');
  });
});

describe('token endpoint: sign-in throttle under concurrent guesses', function () {
  let world: World;
  before(async function () {
    world = await startWorld({ settings: { login: { maxFailuresPerUser: 3, maxFailuresPerIp: 100 } } });
  });
  after(async function () {
    await world?.stop();
  });

  it('counts concurrent wrong guesses one by one and then refuses the right password it never checked', async function () {
    const guess = (password: string) =>
      world.token({ grant_type: 'password', username: world.user.username, password });
    const guesses = await Promise.all(Array.from({ length: 10 }, (_, i) => guess(`wrong-${i}`)));
    expect(guesses.every((res) => res.json.error === 'invalid_grant')).to.equal(true);
    const locked = guesses.filter((res) => /Too many failed attempts/.test(res.json.error_description));
    expect(locked.length, 'guesses past the limit are refused unchecked').to.be.at.least(7);
    expect((await guess(world.user.password)).json.error_description).to.match(/Too many failed attempts/);
  });
});

import { expect } from 'chai';
import { Browser, hiddenField } from '../../support/browser';
import { basic, postForm } from '../../support/http';
import { startWorld, World } from '../helpers/world';

/** Issue 15, item 2: a remembered password (credentialCache) skips bcrypt, never the sign-in lock. */
describe('guessing passwords: a lock refuses the right password even when it was proven moments before', function () {
  let world: World;
  before(async function () {
    world = await startWorld({
      settings: {
        grants: ['authorization_code', 'password', 'client_credentials', 'refresh_token'],
        login: { maxFailuresPerUser: 3, maxFailuresPerIp: 1000 }
      }
    });
  });
  after(async function () {
    await world?.stop();
  });

  const passwordGrant = (username: string, password: string) =>
    postForm(
      `${world.gateway.url}/oauth2/token`,
      { grant_type: 'password', username, password },
      { Authorization: basic(world.app.id, world.app.secret) }
    );

  it('refuses the right password in the password grant and on the login page once the user name is locked', async function () {
    const admin = world.gateway.admin;
    const user = await admin.createUser({ username: 'frank', firstname: 'Frank', lastname: 'Example' });
    await admin.createCredential(user.id, 'basic-auth', { password: 'frank-password', autoGeneratePassword: false });
    expect((await passwordGrant('frank', 'frank-password')).status, 'the user, remembered from now on').to.equal(200);
    for (let i = 0; i < 3; i++) expect((await passwordGrant('frank', `guess-${i}`)).status).to.equal(400);
    const grant = await passwordGrant('frank', 'frank-password');
    expect(grant.status, grant.text).to.equal(400);
    expect(grant.json.error_description).to.match(/Too many failed attempts/);
    const browser = new Browser(world.gateway.url);
    const csrf = hiddenField((await browser.get('/oauth2/login')).text, '_csrf');
    const page = await browser.post('/oauth2/login', { _csrf: csrf, username: 'frank', password: 'frank-password' });
    expect(page.status).to.equal(429);
    expect(Number(page.headers.get('retry-after'))).to.be.within(1, 900);
  });
});

/** Issue 15, item 14: what a request names is logged on one line, quoted, and cannot forge another. */
describe('guessing passwords: the log line of a lock cannot be forged through the user name', function () {
  let world: World;
  before(async function () {
    world = await startWorld({ settings: { login: { maxFailuresPerUser: 1, maxFailuresPerIp: 1000 } } });
  });
  after(async function () {
    await world?.stop();
  });

  it('quotes the user name as JSON and keeps its line breaks and terminal escapes out of the log', async function () {
    const forged = 'mallory\n[eg:plugins] info: oauth2: admin granted everything\u001b[2j';
    for (let i = 0; i < 2; i++) {
      await postForm(
        `${world.gateway.url}/oauth2/token`,
        { grant_type: 'password', username: forged, password: `guess-${i}` },
        { Authorization: basic(world.app.id, world.app.secret) }
      );
    }
    const lines = world.gateway.output().split('\n');
    const locked = lines.find((line) => line.includes('locked after 1 failed sign-ins'));
    expect(locked, world.gateway.output().slice(-2000)).to.be.a('string');
    expect(locked).to.contain(
      'sign-in of user name "mallory\\n[eg:plugins] info: oauth2: admin granted everything\\u001b[2j"'
    );
    expect(
      lines.filter((line) => line.startsWith('[eg:plugins] info: oauth2: admin granted')),
      'no forged line'
    ).to.deep.equal([]);
    expect(world.gateway.output()).not.to.contain('\u001b[2j');
  });
});

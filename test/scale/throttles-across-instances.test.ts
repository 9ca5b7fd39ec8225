import { expect } from 'chai';
import { Browser, hiddenField } from '../../support/browser';
import { basic, postForm, Reply } from '../../support/http';
import { Cluster, NEEDS_REDIS, startCluster } from './cluster';

const LIMITS = {
  login: { maxFailuresPerUser: 4, maxFailuresPerIp: 6 },
  clientAuth: { maxFailuresPerClient: 3, maxFailuresPerIp: 1000 },
  device: { maxUserCodeFailures: 2, maxRequestsPerClient: 5, maxRequestsPerIp: 1000 }
};

/**
 * The guessing limits are counted in Redis, so spreading guesses over the
 * instances of a deployment gains nothing. Each test comes from its own
 * client address, as the proxy in front (trustProxy: 1) reports it in
 * X-Forwarded-For, so that the per-IP counts of one test leave the others alone.
 */
describe(`guessing limits across three gateway instances (${NEEDS_REDIS})`, function () {
  this.timeout(30000);
  let cluster: Cluster;

  before(async function () {
    if (!process.env.REDIS_URL) return this.skip();
    cluster = await startCluster(LIMITS);
  });
  after(async function () {
    await cluster?.stop();
  });

  const url = (instance: number) => cluster.instances[instance % 3].url;
  const from = (ip: string) => ({ 'X-Forwarded-For': ip });
  function passwordGrant(instance: number, username: string, password: string, ip: string): Promise<Reply> {
    return postForm(
      `${url(instance)}/oauth2/token`,
      { grant_type: 'password', username, password },
      {
        Authorization: basic(cluster.app.id, cluster.app.secret),
        ...from(ip)
      }
    );
  }
  async function createUser(username: string): Promise<void> {
    const admin = cluster.instances[0].admin;
    const user = await admin.createUser({ username, firstname: 'Test', lastname: 'User' });
    await admin.createCredential(user.id, 'basic-auth', {
      password: `${username}-password`,
      autoGeneratePassword: false
    });
  }

  it('locks a user name after login.maxFailuresPerUser failures spread over the instances, even with the right password, on the login page and the password grant', async function () {
    await createUser('dave');
    const browser = new Browser(url(0), undefined, from('203.0.113.1'));
    const attempt = async (i: number, password: string) => {
      const form = await browser.at(url(i)).get('/oauth2/login');
      return browser
        .at(url(i + 1))
        .post('/oauth2/login', { _csrf: hiddenField(form.text, '_csrf'), username: 'dave', password });
    };
    for (let i = 0; i < LIMITS.login.maxFailuresPerUser; i++)
      expect((await attempt(i, `wrong-${i}`)).status, `failure ${i + 1}`).to.equal(400);
    const locked = await attempt(LIMITS.login.maxFailuresPerUser, 'dave-password');
    expect(locked.status).to.equal(429);
    expect(locked.text).to.contain('Too many failed sign-in attempts');
    const grant = await passwordGrant(2, 'dave', 'dave-password', '203.0.113.1');
    expect(grant.json.error_description).to.match(/Too many failed attempts/);
  });

  it('cannot be outrun by concurrent guesses spread over the instances', async function () {
    await createUser('erin');
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => passwordGrant(i, 'erin', `guess-${i}`, '203.0.113.2'))
    );
    const said = (pattern: RegExp) => answers.filter((res) => pattern.test(res.json.error_description)).length;
    expect(said(/credentials are invalid/)).to.equal(LIMITS.login.maxFailuresPerUser);
    expect(said(/Too many failed attempts/)).to.equal(12 - LIMITS.login.maxFailuresPerUser);
  });

  it('locks a client_id after clientAuth.maxFailuresPerClient wrong secrets spread over the instances, and concurrent guesses cannot outrun it', async function () {
    const admin = cluster.instances[0].admin;
    const victim = await admin.registerClient(
      { name: 'Victim', userId: cluster.user.id, redirectUri: 'http://127.0.0.1:8000/callback' },
      []
    );
    const attempt = (i: number, secret: string) =>
      postForm(
        `${url(i)}/oauth2/token`,
        { grant_type: 'client_credentials' },
        {
          Authorization: basic(victim.id, secret),
          ...from(`203.0.113.${50 + i}`)
        }
      );
    const answers = await Promise.all(Array.from({ length: 9 }, (_, i) => attempt(i, `guess-${i}`)));
    const said = (pattern: RegExp) => answers.filter((res) => pattern.test(res.json.error_description)).length;
    expect(said(/^Client authentication failed$/)).to.equal(LIMITS.clientAuth.maxFailuresPerClient);
    expect(said(/locked/)).to.equal(9 - LIMITS.clientAuth.maxFailuresPerClient);
    for (let i = 0; i < 3; i++)
      expect((await attempt(i, victim.secret)).json.error_description, `the right secret on instance ${i}`).to.match(
        /locked/
      );
  });

  it('locks a client address after login.maxFailuresPerIp failures across user names and instances, and only that address', async function () {
    for (let i = 0; i < LIMITS.login.maxFailuresPerIp; i++) {
      expect((await passwordGrant(i, `nobody-${i}`, 'x', '203.0.113.3')).json.error_description).to.match(
        /credentials are invalid/
      );
    }
    const { user } = cluster;
    expect((await passwordGrant(0, user.username, user.password, '203.0.113.3')).json.error_description).to.match(
      /Too many failed attempts/
    );
    expect((await passwordGrant(1, user.username, user.password, '203.0.113.4')).status).to.equal(200);
  });

  it('locks user code entry after device.maxUserCodeFailures wrong codes spread over the instances', async function () {
    const browser = new Browser(url(0), undefined, from('203.0.113.5'));
    const login = await browser.get('/oauth2/login');
    const signedIn = await browser.at(url(1)).post('/oauth2/login', {
      _csrf: hiddenField(login.text, '_csrf'),
      username: cluster.user.username,
      password: cluster.user.password
    });
    expect(signedIn.status).to.equal(303);
    const csrf = hiddenField((await browser.at(url(2)).get('/oauth2/device')).text, '_csrf');
    const enter = (instance: number, userCode: string) =>
      browser.at(url(instance)).post('/oauth2/device', { _csrf: csrf, user_code: userCode });
    for (let i = 0; i < LIMITS.device.maxUserCodeFailures; i++) {
      const wrong = await enter(i, `BBBB-BBB${'BCD'[i]}`);
      expect(wrong.status, `wrong code ${i + 1}`).to.equal(400);
    }
    const tv = await cluster.instances[0].admin.registerClient(
      { name: 'tv', userId: cluster.developer.id, public: 'true' },
      ['read']
    );
    const { json: device } = await postForm(`${url(0)}/oauth2/device_authorization`, { client_id: tv.id });
    const locked = await enter(LIMITS.device.maxUserCodeFailures, device.user_code);
    expect(locked.status, 'even the right code, once locked').to.equal(429);
    expect(locked.text).to.contain('Too many wrong codes');
  });

  it('limits device authorization requests per client to device.maxRequestsPerClient a minute over all instances: 429 slow_down with Retry-After', async function () {
    const admin = cluster.instances[0].admin;
    const [busy, other] = await Promise.all([
      admin.registerClient({ name: 'busy tv', userId: cluster.developer.id, public: 'true' }, ['read']),
      admin.registerClient({ name: 'other tv', userId: cluster.developer.id, public: 'true' }, ['read'])
    ]);
    const start = (instance: number, clientId: string) =>
      postForm(`${url(instance)}/oauth2/device_authorization`, { client_id: clientId });
    for (let i = 0; i < LIMITS.device.maxRequestsPerClient; i++)
      expect((await start(i, busy.id)).status, `request ${i + 1}`).to.equal(200);
    const refused = await start(LIMITS.device.maxRequestsPerClient, busy.id);
    expect(refused.status).to.equal(429);
    expect(refused.json.error).to.equal('slow_down');
    expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 60);
    expect((await start(0, other.id)).status, 'another client is not slowed down').to.equal(200);
  });
});

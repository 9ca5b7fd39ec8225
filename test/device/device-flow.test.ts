import { expect } from 'chai';
import { Browser, hiddenField } from '../../support/browser';
import { approveDevice } from '../helpers/device';
import { postForm } from '../../support/http';

import { startWorld, World } from '../helpers/world';

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RFC 8628: a device shows a code, its user approves on another screen, the device polls for tokens. */
describe('device authorization grant (RFC 8628)', function () {
  let world: World;
  let tv: { id: string; secret: string };

  const start = (clientId = tv.id, scope = 'read') =>
    postForm(`${world.gateway.url}/oauth2/device_authorization`, { client_id: clientId, scope });
  const poll = (deviceCode: string, clientId = tv.id) =>
    postForm(`${world.gateway.url}/oauth2/token`, {
      grant_type: DEVICE_CODE,
      device_code: deviceCode,
      client_id: clientId
    });

  const approve = (browser: Browser, verificationUri: string, allow: boolean, userCode?: string) =>
    approveDevice(world, browser, verificationUri, allow, userCode);

  before(async function () {
    world = await startWorld({ settings: { device: { interval: 1, maxUserCodeFailures: 2 } } });
    tv = await world.gateway.admin.registerClient({ name: 'Living room TV', userId: world.user.id, public: 'true' }, [
      'read',
      'write'
    ]);
  });
  after(async function () {
    await world?.stop();
  });

  it('answers a device code, a readable user code and where to enter it', async function () {
    const res = await start();
    expect(res.status, res.text).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(res.json.user_code).to.match(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(res.json).to.include({
      verification_uri: `${world.gateway.url}/oauth2/device`,
      expires_in: 600,
      interval: 1
    });
    expect(res.json.verification_uri_complete).to.equal(
      `${world.gateway.url}/oauth2/device?user_code=${res.json.user_code}`
    );
    expect(res.json.device_code).to.have.length.above(40);
  });

  it('says authorization_pending, then slow_down when polled faster than the interval, then gives tokens once approved', async function () {
    const { json: device } = await start();
    expect((await poll(device.device_code)).json.error).to.equal('authorization_pending');
    const tooFast = await poll(device.device_code);
    expect(tooFast.status).to.equal(400);
    expect(tooFast.json.error).to.equal('slow_down');
    const page = await approve(new Browser(world.gateway.url), device.verification_uri_complete, true);
    expect(page).to.contain('Living room TV');
    await sleep(6100); // the interval grew by 5 seconds at slow_down
    const tokens = await poll(device.device_code);
    expect(tokens.status, tokens.text).to.equal(200);
    expect(tokens.json).to.include({ token_type: 'Bearer', scope: 'read' });
    expect(tokens.json).to.have.property('refresh_token');
    await sleep(1100);
    const again = await poll(device.device_code);
    expect(again.json.error, 'the device code is single use').to.equal('invalid_grant');
  });

  it('says access_denied when the user denies, and the user code stops working', async function () {
    const { json: device } = await start();
    const browser = new Browser(world.gateway.url);
    expect(await approve(browser, device.verification_uri_complete, false)).to.contain('was not given access');
    const res = await poll(device.device_code);
    expect(res.status).to.equal(400);
    expect(res.json.error).to.equal('access_denied');
    const page = await browser.get('/oauth2/device');
    const reuse = await browser.post('/oauth2/device', {
      _csrf: hiddenField(page.text, '_csrf'),
      user_code: device.user_code
    });
    expect(reuse.status).to.equal(400);
  });

  it('says expired_token once the device code expired', async function () {
    const short = await startWorld({ settings: { device: { ttl: 1, interval: 1 } }, seed: { username: 'bob' } });
    try {
      const public_ = await short.gateway.admin.registerClient({ name: 'tv', userId: short.user.id, public: 'true' }, [
        'read'
      ]);
      const { json: device } = await postForm(`${short.gateway.url}/oauth2/device_authorization`, {
        client_id: public_.id
      });
      await sleep(1500);
      const res = await postForm(`${short.gateway.url}/oauth2/token`, {
        grant_type: DEVICE_CODE,
        device_code: device.device_code,
        client_id: public_.id
      });
      expect(res.json.error, res.text).to.equal('expired_token');
    } finally {
      await short.stop();
    }
  });

  it('refuses the device code of another client, an unknown one, and a missing one', async function () {
    const { json: device } = await start();
    expect((await poll(device.device_code, world.app.id)).status).to.equal(401); // a confidential client must authenticate
    const other = await world.gateway.admin.registerClient(
      { name: 'other tv', userId: world.user.id, public: 'true' },
      ['read']
    );
    expect((await poll(device.device_code, other.id)).json.error).to.equal('invalid_grant');
    expect(
      (await poll(device.device_code)).json.error,
      "another client's polls do not count against the device's interval"
    ).to.equal('authorization_pending');
    expect((await poll('made-up')).json.error).to.equal('invalid_grant');
    expect(
      (await postForm(`${world.gateway.url}/oauth2/token`, { grant_type: DEVICE_CODE, client_id: tv.id })).json.error
    ).to.equal('invalid_request');
  });

  it('refuses scopes the client does not hold', async function () {
    const res = await start(tv.id, 'admin');
    expect(res.status).to.equal(400);
    expect(res.json.error).to.equal('invalid_scope');
  });

  it('refuses a decision for a code this session never entered, or for another code than the one last shown', async function () {
    const browser = new Browser(world.gateway.url);
    const { json: first } = await start();
    await approve(browser, first.verification_uri_complete, true);
    let page = await browser.get('/oauth2/device');
    const unasked = await browser.post('/oauth2/device/decision', {
      _csrf: hiddenField(page.text, '_csrf'),
      user_code: first.user_code,
      allow: 'Allow'
    });
    expect(unasked.status).to.equal(400);
    const [{ json: shown }, { json: other }] = [await start(), await start()];
    page = await browser.get('/oauth2/device');
    await browser.post('/oauth2/device', { _csrf: hiddenField(page.text, '_csrf'), user_code: shown.user_code });
    const wrongTab = await browser.post('/oauth2/device/decision', {
      _csrf: hiddenField(page.text, '_csrf'),
      user_code: other.user_code,
      allow: 'Allow'
    });
    expect(wrongTab.status).to.equal(400);
    expect((await poll(other.device_code)).json.error).to.equal('authorization_pending');
  });
  // Last: the lock it provokes lasts the login window.
  it('locks user code entry after too many wrong codes (RFC 8628 §5.1)', async function () {
    const browser = new Browser(world.gateway.url);
    const { json: device } = await start();
    await approve(browser, device.verification_uri_complete, true); // signs in
    const statuses: number[] = [];
    for (const code of ['BBBB-BBBB', 'CCCC-CCCC', 'DDDD-DDDD']) {
      const page = await browser.get('/oauth2/device');
      statuses.push(
        (await browser.post('/oauth2/device', { _csrf: hiddenField(page.text, '_csrf'), user_code: code })).status
      );
    }
    // alice's count may already hold a wrong code of an earlier test: only failures count, and they add up.
    expect(statuses[0]).to.equal(400);
    expect(statuses[statuses.length - 1]).to.equal(429);
  });
});

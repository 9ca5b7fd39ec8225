import { expect } from 'chai';
import { postForm, Reply } from '../../support/http';
import { startWorld, World } from '../helpers/world';

/**
 * POST /oauth2/device_authorization stores a device code per request, so it
 * is rate limited per client and per client IP (a minute each). RFC 8628
 * defines no error for it there: the answer is RFC 6585's 429 with
 * Retry-After, and RFC 8628's slow_down.
 */
describe('device authorization request rate', function () {
  let world: World;
  const limits = { maxRequestsPerClient: 3, maxRequestsPerIp: 4 };

  before(async function () {
    world = await startWorld({ settings: { trustProxy: 1, device: limits } });
  });
  after(async function () {
    await world?.stop();
  });

  const newDevice = (name: string) =>
    world.gateway.admin.registerClient({ name, userId: world.developer.id, public: 'true' }, ['read']);
  const start = (clientId: string, ip: string): Promise<Reply> =>
    postForm(`${world.gateway.url}/oauth2/device_authorization`, { client_id: clientId }, { 'X-Forwarded-For': ip });

  function expectSlowDown(res: Reply): void {
    expect(res.status, res.text).to.equal(429);
    expect(res.json.error).to.equal('slow_down');
    expect(res.json.error_description).to.match(/Too many device authorization requests; retry after \d+ seconds/);
    expect(Number(res.headers.get('retry-after'))).to.be.within(1, 60);
    expect(res.headers.get('cache-control')).to.equal('no-store');
  }

  it('answers 429 slow_down with Retry-After past device.maxRequestsPerClient requests of one client in a minute', async function () {
    const [tv, other] = await Promise.all([newDevice('tv'), newDevice('other tv')]);
    for (let i = 0; i < limits.maxRequestsPerClient; i++)
      expect((await start(tv.id, `198.51.100.${i}`)).status).to.equal(200);
    expectSlowDown(await start(tv.id, '198.51.100.10'));
    expect((await start(other.id, '198.51.100.11')).status, 'another client is not slowed down').to.equal(200);
  });

  it('answers 429 slow_down past device.maxRequestsPerIp requests from one client address, whatever the client', async function () {
    const devices = await Promise.all([0, 1, 2, 3, 4].map((i) => newDevice(`device ${i}`)));
    for (let i = 0; i < limits.maxRequestsPerIp; i++)
      expect((await start(devices[i].id, '192.0.2.1')).status).to.equal(200);
    expectSlowDown(await start(devices[4].id, '192.0.2.1'));
    expect((await start(devices[4].id, '192.0.2.2')).status, 'another address is not slowed down').to.equal(200);
  });
});

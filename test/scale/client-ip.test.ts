import { expect } from 'chai';
import { basic, postForm, Reply } from '../../support/http';
import { startWorld, World } from '../helpers/world';

async function passwordGrant(world: World, password: string, forwardedFor?: string): Promise<Reply> {
  return postForm(
    `${world.gateway.url}/oauth2/token`,
    { grant_type: 'password', username: world.user.username, password },
    {
      Authorization: basic(world.app.id, world.app.secret),
      ...(forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {})
    }
  );
}
const LOCKED = /Too many failed attempts/;

/** Which address the per-IP limits count: the TCP peer, or what the trusted proxy in front reports. */
describe('the client address of the per-IP limits', function () {
  describe('with no proxy in front (trustProxy: 0, the default)', function () {
    let world: World;
    before(async function () {
      world = await startWorld({ settings: { login: { maxFailuresPerIp: 2, maxFailuresPerUser: 100 } } });
    });
    after(async function () {
      await world?.stop();
    });

    it('ignores X-Forwarded-For: a client cannot claim a fresh address per guess', async function () {
      await passwordGrant(world, 'wrong', '198.51.100.1');
      await passwordGrant(world, 'wrong', '198.51.100.2');
      expect((await passwordGrant(world, world.user.password, '198.51.100.3')).json.error_description).to.match(LOCKED);
    });
  });

  describe('behind one load balancer (trustProxy: 1)', function () {
    let world: World;
    before(async function () {
      world = await startWorld({
        settings: { trustProxy: 1, login: { maxFailuresPerIp: 2, maxFailuresPerUser: 100 } }
      });
    });
    after(async function () {
      await world?.stop();
    });

    it("counts the address the balancer appended, so one client's failures do not lock out the others behind the same balancer", async function () {
      await passwordGrant(world, 'wrong', '203.0.113.1');
      await passwordGrant(world, 'wrong', '203.0.113.1');
      expect((await passwordGrant(world, world.user.password, '203.0.113.1')).json.error_description).to.match(LOCKED);
      expect((await passwordGrant(world, world.user.password, '203.0.113.2')).status).to.equal(200);
    });

    it('counts an IPv6 client by its /64, which one subscriber can pick fresh addresses in, and an IPv4-mapped address as the IPv4 one', async function () {
      await passwordGrant(world, 'wrong', '2001:db8:1:2::a');
      await passwordGrant(world, 'wrong', '2001:db8:1:2:ffff:ffff:ffff:1');
      expect(
        (await passwordGrant(world, world.user.password, '2001:0db8:0001:0002::77')).json.error_description,
        'same /64'
      ).to.match(LOCKED);
      expect((await passwordGrant(world, world.user.password, '2001:db8:1:3::a')).status, 'the next /64').to.equal(200);
      await passwordGrant(world, 'wrong', '::ffff:203.0.113.50');
      await passwordGrant(world, 'wrong', '203.0.113.50');
      expect(
        (await passwordGrant(world, world.user.password, '[::ffff:cb00:7132]:443')).json.error_description,
        'the same IPv4 client'
      ).to.match(LOCKED);
    });

    it("ignores the entries a client wrote itself before the balancer's", async function () {
      await passwordGrant(world, 'wrong', '192.0.2.1');
      await passwordGrant(world, 'wrong', '198.51.100.7, 192.0.2.1');
      // A third guess: the right password was proven in the test before, and a password recently proven right is no
      // guess.
      expect((await passwordGrant(world, 'wrong again', '198.51.100.8, 192.0.2.1')).json.error_description).to.match(
        LOCKED
      );
    });
  });
});

import { expect } from 'chai';
import { basic, postForm, Reply } from '../../support/http';
import { startWorld, World } from '../helpers/world';

/** Issue 15, item 1: wrong client secrets are counted before any bcrypt and lock the client, then its address. */
describe('guessing client secrets: failed client authentications lock a client_id and an address', function () {
  let world: World;
  let other: { id: string; secret: string };
  before(async function () {
    world = await startWorld({
      settings: { trustProxy: 1, clientAuth: { maxFailuresPerClient: 3, maxFailuresPerIp: 6 } }
    });
    other = await world.addClient('Other client', ['read']);
  });
  after(async function () {
    await world?.stop();
  });

  /** A client_credentials request from the client address `ip` (the load balancer's X-Forwarded-For entry). */
  const tokenRequest = (
    client: { id: string; secret: string },
    ip: string,
    path = '/oauth2/token',
    form: Record<string, string> = { grant_type: 'client_credentials' }
  ): Promise<Reply> =>
    postForm(`${world.gateway.url}${path}`, form, {
      Authorization: basic(client.id, client.secret),
      'X-Forwarded-For': ip
    });

  it('refuses every attempt for a client past clientAuth.maxFailuresPerClient, the right secret too, with Retry-After, and logs the client but never the secret', async function () {
    const victim = await world.addClient('Victim client', ['read']);
    for (let i = 0; i < 3; i++) {
      const wrong = await tokenRequest({ id: victim.id, secret: `wrong-secret-${i}` }, `198.51.100.${i + 1}`);
      expect(wrong.status).to.equal(401);
      expect(wrong.json.error_description).to.equal('Client authentication failed');
    }
    const right = await tokenRequest(victim, '198.51.100.9');
    expect(right.status, right.text).to.equal(401);
    expect(right.json.error).to.equal('invalid_client');
    expect(right.json.error_description).to.match(/locked after too many failed attempts/);
    expect(Number(right.headers.get('retry-after'))).to.be.within(1, 900);
    expect(right.headers.get('www-authenticate')).to.match(/^Basic realm="/);
    expect(world.gateway.output()).to.contain(`client "${victim.id}" locked after 3 failed client authentications`);
    expect(world.gateway.output()).not.to.contain('wrong-secret-');
    expect((await tokenRequest(other, '198.51.100.9')).status, 'another client is not locked').to.equal(200);
  });

  it('shares the count between the token, revocation, introspection and device authorization endpoints', async function () {
    const victim = await world.addClient('Victim of several endpoints', ['read']);
    const wrong = { id: victim.id, secret: 'wrong' };
    expect((await tokenRequest(wrong, '203.0.113.1', '/oauth2/revoke', { token: 'x' })).status).to.equal(401);
    expect((await tokenRequest(wrong, '203.0.113.2', '/oauth2/introspect', { token: 'x' })).status).to.equal(401);
    expect((await tokenRequest(wrong, '203.0.113.3', '/oauth2/device_authorization', {})).status).to.equal(401);
    const locked = await tokenRequest(victim, '203.0.113.4', '/oauth2/revoke', { token: 'x' });
    expect(locked.status).to.equal(401);
    expect(locked.json.error_description).to.match(/locked/);
  });

  it('keeps the lock for a client whose right secret was proven just before: a remembered secret skips bcrypt, never the lock', async function () {
    const victim = await world.addClient('Client remembered', ['read']);
    expect((await tokenRequest(victim, '192.0.2.10')).status, 'the client itself, remembered from now on').to.equal(
      200
    );
    for (let i = 0; i < 3; i++) await tokenRequest({ id: victim.id, secret: `guess-${i}` }, `192.0.2.${20 + i}`);
    const right = await tokenRequest(victim, '192.0.2.10');
    expect(right.status, right.text).to.equal(401);
    expect(right.json.error_description).to.match(/locked/);
  });

  it('does not count a right secret, nor concurrent identical requests, as failures', async function () {
    const busy = await world.addClient('Busy client', ['read']);
    const answers = await Promise.all(Array.from({ length: 12 }, () => tokenRequest(busy, '192.0.2.99')));
    expect(answers.map((res) => res.status)).to.deep.equal(new Array(12).fill(200));
    for (let i = 0; i < 5; i++) expect((await tokenRequest(busy, '192.0.2.99')).status).to.equal(200);
  });

  it('locks an address past clientAuth.maxFailuresPerIp failures across client ids, unknown ones included, and only that address', async function () {
    for (let i = 0; i < 6; i++) {
      expect((await tokenRequest({ id: `no-such-client-${i}`, secret: 'x' }, '100.64.0.77')).status).to.equal(401);
    }
    const fromThere = await tokenRequest(other, '100.64.0.77');
    expect(fromThere.status).to.equal(401);
    expect(fromThere.json.error_description).to.match(/locked/);
    expect((await tokenRequest(other, '100.64.0.78')).status, 'another address').to.equal(200);
  });
});

describe('guessing client secrets: a locked client costs no bcrypt', function () {
  let world: World;
  before(async function () {
    // One bcrypt worker and no queue: a check that needed bcrypt while the worker is busy would be answered 503.
    world = await startWorld({
      settings: {
        trustProxy: 1,
        clientAuth: { maxFailuresPerClient: 2, maxFailuresPerIp: 1000 },
        bcrypt: { workers: 1, maxQueue: 0 }
      },
      system: { crypto: { cipherKey: 'test-cipher-key', algorithm: 'aes256', saltRounds: 12 } }
    });
  });
  after(async function () {
    await world?.stop();
  });

  it('answers a locked client from the counters while the only bcrypt worker is busy', async function () {
    const victim = await world.addClient('Locked client', ['read']);
    const slow = await world.addClient('Slow client', ['read']);
    const send = (client: { id: string; secret: string }, ip: string) =>
      postForm(
        `${world.gateway.url}/oauth2/token`,
        { grant_type: 'client_credentials' },
        { Authorization: basic(client.id, client.secret), 'X-Forwarded-For': ip }
      );
    for (let i = 0; i < 2; i++) await send({ id: victim.id, secret: `wrong-${i}` }, '192.0.2.1');
    const busy = send({ id: slow.id, secret: 'wrong' }, '192.0.2.2'); // a bcrypt of cost 12 on the only worker
    await new Promise((resolve) => setTimeout(resolve, 30));
    const locked = await send({ id: victim.id, secret: 'wrong-again' }, '192.0.2.3');
    expect(locked.status, locked.text).to.equal(401);
    expect(locked.json.error_description).to.match(/locked/);
    expect((await busy).status).to.equal(401);
    const [first, second] = [
      await world.addClient('First client', ['read']),
      await world.addClient('Second client', ['read'])
    ];
    const overflow = await Promise.all([
      send({ id: first.id, secret: 'a' }, '192.0.2.4'),
      send({ id: second.id, secret: 'b' }, '192.0.2.5')
    ]);
    expect(
      overflow.map((res) => res.status).sort(),
      'a second check while the worker is busy and no queue is allowed'
    ).to.deep.equal([401, 503]);
    const refused = overflow.find((res) => res.status === 503)!;
    expect(refused.json.error).to.equal('temporarily_unavailable');
    expect(refused.headers.get('retry-after')).to.equal('1');
  });
});

import { expect } from 'chai';
import { FakeServer, startFakeServer } from '../helpers/fake-server';
import { now } from '../helpers/keys';
import { startWorld, World } from '../helpers/world';
import { request } from '../../support/http';

const LOOPBACK_URI = 'http://127.0.0.1:8000/callback';
const RS_AUTH = `Basic ${Buffer.from('resource-server:rs+secret').toString('base64')}`;
/** A reload EG refuses: the plugin's policy throws on an unknown parameter, and EG keeps the pipelines it has. */
const REFUSED = {
  pipelines: { bad: { apiEndpoints: ['open'], policies: [{ oauth2: [{ action: { bogus: true } }] }] } }
};

/**
 * Issue 18, item 2: when EG refuses a reloaded gateway.config it has run the
 * plugin's init already, then keeps its pipelines and mounts the routes the
 * plugin declared at start again. What those use must stay live: nothing
 * is disposed for a configuration EG did not take.
 */
describe('the plugin after EG refuses a hot reload', function () {
  this.timeout(120000);

  describe('the routes EG mounts again', function () {
    let world: World;
    let iat: string;
    const register = (name: string) =>
      request(`${world.gateway.url}/oauth2/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${iat}` },
        body: JSON.stringify({ client_name: name, redirect_uris: [LOOPBACK_URI] })
      });
    const rename = async (id: string, name: string) => {
      const res = await request(`${world.gateway.adminUrl}/apps/${id}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name })
      });
      expect(res.status, res.text).to.be.below(300);
    };

    before(async function () {
      world = await startWorld({
        watchConfig: true,
        settings: { serviceName: 'Acme', dynamicRegistration: { enabled: true, allowedScopes: ['read'] } }
      });
      const issued = await request(`${world.gateway.adminUrl}/oauth2/registration-tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ owner: world.user.id, uses: 50 })
      });
      iat = issued.json.initial_access_token;
    });
    after(async function () {
      await world?.stop();
    });

    it('still hear app changes: a client cannot take the name an operator app was just given', async function () {
      const app = await world.gateway.admin.createApp({ name: 'Temp Two', userId: world.developer.id });
      expect((await register('Harmless')).status).to.equal(201); // the operator's app names are read now
      expect(await world.gateway.reload(REFUSED)).to.equal(false);
      await rename(app.id, 'Second Bank');
      const res = await register('Second Bank');
      expect(res.status, res.text).to.equal(400);
    });
  });

  describe('the pipelines EG keeps', function () {
    let as: FakeServer;
    let world: World;
    const introspected = (token: string) =>
      as.received.filter((r) => new URLSearchParams(r.body).get('token') === token).length;

    before(async function () {
      as = await startFakeServer((req) =>
        req.headers.authorization === RS_AUTH
          ? { body: { active: true, scope: 'read', client_id: 'c', sub: 'u', exp: now() + 300 } }
          : { status: 401, body: { error: 'invalid_client' } }
      );
      world = await startWorld({
        watchConfig: true,
        policy: {
          tokenStrategy: 'introspection',
          introspection: {
            endpoint: `${as.url}/introspect`,
            clientId: 'resource-server',
            clientSecret: 'rs secret',
            timeout: 500,
            cacheTtl: 60
          }
        }
      });
    });
    after(async function () {
      await world?.stop();
      await as?.close();
    });

    it('keep their caches: answers introspected before are still served from memory', async function () {
      for (let i = 0; i < 2; i++) expect((await world.api('token-a')).status).to.equal(200);
      expect(introspected('token-a')).to.equal(1);
      for (let i = 0; i < 2; i++) expect(await world.gateway.reload(REFUSED)).to.equal(false);
      await new Promise((r) => setTimeout(r, 5500)); // past the time after which a reload EG did not refuse counts as taken
      for (let i = 0; i < 3; i++) expect((await world.api('token-a')).status).to.equal(200);
      expect(introspected('token-a'), 'introspection calls').to.equal(1);
    });
  });
});

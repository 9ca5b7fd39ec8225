import { expect } from 'chai';
import { startWorld, World } from '../helpers/world';
import { request } from '../helpers/http';

describe('smoke', function () {
  let world: World;
  before(async function () { world = await startWorld(); });
  after(async function () { await world?.stop(); });

  it('issues a client_credentials token that opens the protected API', async function () {
    const issued = await world.token({ grant_type: 'client_credentials' });
    console.log(issued.status, issued.json);
    const api = await request(`${world.gateway.url}/api`, { headers: { Authorization: `Bearer ${issued.json.access_token}` } });
    console.log(api.status, api.text);
    expect(api.status).to.equal(200);
  });
});

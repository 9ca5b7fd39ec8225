import { expect } from 'chai';
import { request } from '../../support/http';
import { startWorld, World } from '../helpers/world';

/**
 * Issue 15, item 6: no setting and no request input can make a WWW-Authenticate header throw (ERR_INVALID_CHAR killed
 * the process).
 */
describe('challenge headers: built so that they cannot throw', function () {
  let world: World;
  before(async function () {
    world = await startWorld({
      settings: { serviceName: 'Café 雪 ☕ "Portal"', dynamicRegistration: { enabled: true } }
    });
  });
  after(async function () {
    await world?.stop();
  });

  it('takes a service name in any language for the pages, and challenges with the issuer as realm at the client configuration endpoint', async function () {
    for (let i = 0; i < 2; i++) {
      const res = await request(`${world.gateway.url}/oauth2/register/some-client`, {
        headers: { Authorization: 'Bearer not-a-registration-token' }
      });
      expect(res.status).to.equal(401);
      expect(res.headers.get('www-authenticate')).to.equal(
        `Bearer realm="${world.gateway.url}", error="invalid_token", error_description="The registration access token is invalid or is not this client's"`
      );
    }
    const info = await request(`${world.gateway.url}/oauth2/tokeninfo`, {
      headers: { Authorization: 'Bearer not-a-token' }
    });
    expect(info.status).to.equal(401);
    expect(info.headers.get('www-authenticate')).to.match(
      new RegExp(`^Bearer realm="${world.gateway.url}", error="invalid_token"`)
    );
    const page = await request(`${world.gateway.url}/oauth2/login`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Café 雪 ☕ &quot;Portal&quot;');
  });
});

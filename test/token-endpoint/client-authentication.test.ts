import { expect } from 'chai';
import { basic, postForm } from '../../support/http';
import { startWorld, World } from '../helpers/world';

describe('token endpoint: client authentication', function () {
  let world: World;
  let tokenUrl: string;
  before(async function () {
    world = await startWorld();
    tokenUrl = `${world.gateway.url}/oauth2/token`;
  });
  after(async function () {
    await world?.stop();
  });

  it('accepts client_secret_basic', async function () {
    const res = await postForm(
      tokenUrl,
      { grant_type: 'client_credentials' },
      { Authorization: basic(world.app.id, world.app.secret) }
    );
    expect(res.status).to.equal(200);
    expect(res.json.access_token).to.be.a('string');
  });

  it('accepts client_secret_basic with a lower-case scheme name', async function () {
    const header = basic(world.app.id, world.app.secret).replace('Basic', 'basic');
    expect((await postForm(tokenUrl, { grant_type: 'client_credentials' }, { Authorization: header })).status).to.equal(
      200
    );
  });

  it('accepts client_secret_post', async function () {
    const res = await postForm(tokenUrl, {
      grant_type: 'client_credentials',
      client_id: world.app.id,
      client_secret: world.app.secret
    });
    expect(res.status).to.equal(200);
  });

  it('answers 401 invalid_client with a Basic challenge for a wrong secret sent with Basic', async function () {
    const res = await postForm(
      tokenUrl,
      { grant_type: 'client_credentials' },
      { Authorization: basic(world.app.id, 'wrong') }
    );
    expect(res.status).to.equal(401);
    expect(res.json.error).to.equal('invalid_client');
    expect(res.headers.get('www-authenticate')).to.match(/^Basic realm="/);
  });

  it('answers 401 invalid_client without a Basic challenge for a wrong secret sent in the body', async function () {
    const res = await postForm(tokenUrl, {
      grant_type: 'client_credentials',
      client_id: world.app.id,
      client_secret: 'wrong'
    });
    expect(res.status).to.equal(401);
    expect(res.json.error).to.equal('invalid_client');
    expect(res.headers.get('www-authenticate')).to.equal(null);
  });

  it('answers 401 invalid_client for an unknown client', async function () {
    const res = await postForm(
      tokenUrl,
      { grant_type: 'client_credentials' },
      { Authorization: basic('no-such-app', 'secret') }
    );
    expect(res.status).to.equal(401);
    expect(res.json.error).to.equal('invalid_client');
  });

  it('answers 401 invalid_client when no client authentication is sent', async function () {
    const res = await postForm(tokenUrl, { grant_type: 'client_credentials' });
    expect(res.status).to.equal(401);
    expect(res.json.error).to.equal('invalid_client');
  });

  it('refuses a user name and password posing as a client', async function () {
    const res = await postForm(
      tokenUrl,
      { grant_type: 'client_credentials' },
      { Authorization: basic(world.user.username, world.user.password) }
    );
    expect(res.status).to.equal(401);
    expect(res.json.error).to.equal('invalid_client');
  });

  it('answers invalid_request when Basic and body credentials are sent together', async function () {
    const res = await postForm(
      tokenUrl,
      { grant_type: 'client_credentials', client_id: world.app.id, client_secret: world.app.secret },
      { Authorization: basic(world.app.id, world.app.secret) }
    );
    expect(res.status).to.equal(400);
    expect(res.json.error).to.equal('invalid_request');
  });

  it('answers invalid_request when a body client_id contradicts the Basic one', async function () {
    const res = await postForm(
      tokenUrl,
      { grant_type: 'client_credentials', client_id: 'someone-else' },
      { Authorization: basic(world.app.id, world.app.secret) }
    );
    expect(res.status).to.equal(400);
    expect(res.json.error).to.equal('invalid_request');
  });

  it('answers invalid_client for a malformed Basic header', async function () {
    const res = await postForm(
      tokenUrl,
      { grant_type: 'client_credentials' },
      { Authorization: 'Basic !!!not-base64' }
    );
    expect(res.status).to.equal(401);
    expect(res.json.error).to.equal('invalid_client');
  });

  it('refuses a client whose oauth2 credential was deactivated, and accepts it again once reactivated', async function () {
    await world.gateway.admin.setCredentialActive('oauth2', world.app.id, false);
    try {
      const res = await postForm(
        tokenUrl,
        { grant_type: 'client_credentials' },
        { Authorization: basic(world.app.id, world.app.secret) }
      );
      expect(res.status).to.equal(401);
      expect(res.json.error).to.equal('invalid_client');
    } finally {
      await world.gateway.admin.setCredentialActive('oauth2', world.app.id, true);
    }
    expect((await world.token({ grant_type: 'client_credentials' })).status).to.equal(200);
  });

  it('refuses a client whose application was deactivated', async function () {
    await world.gateway.admin.setAppActive(world.app.id, false);
    try {
      const res = await world.token({ grant_type: 'client_credentials' });
      expect(res.status).to.equal(401);
      expect(res.json.error).to.equal('invalid_client');
    } finally {
      await world.gateway.admin.setAppActive(world.app.id, true);
    }
  });

  it("answers unauthorized_client for a grant type outside the app's grantTypes property", async function () {
    const admin = world.gateway.admin;
    const app = await admin.registerClient(
      { name: 'cc-only', userId: world.user.id, grantTypes: 'client_credentials' },
      ['read']
    );
    const auth = { id: app.id, secret: app.secret };
    expect((await world.token({ grant_type: 'client_credentials' }, auth)).status).to.equal(200);
    const res = await world.token(
      { grant_type: 'password', username: world.user.username, password: world.user.password },
      auth
    );
    expect(res.status).to.equal(400);
    expect(res.json.error).to.equal('unauthorized_client');
  });
});

import { expect } from 'chai';
import { postForm, request } from '../../support/http';
import { startWorld, World } from '../helpers/world';

/** RFC 9728 §5.1: every challenge of the policy names the metadata of the resource (/api derives from its paths). */
const apiMetadata = (world: World) =>
  `resource_metadata="${world.gateway.url}/.well-known/oauth-protected-resource/api"`;

/**
 * The challenges to a request without a token: Bearer, and DPoP with the proof algorithms (RFC 9449 §7.1), as fetch
 * joins the two WWW-Authenticate headers.
 */
const noTokenChallenges = (realm: string, world: World) =>
  `Bearer realm="${realm}", ${apiMetadata(world)}, DPoP realm="${realm}", algs="ES256 PS256 RS256 EdDSA"`;

describe('oauth2 policy: bearer tokens (RFC 6750)', function () {
  let world: World;
  let token: string;
  let readOnly: string;
  before(async function () {
    world = await startWorld();
    token = (await world.token({ grant_type: 'client_credentials' })).json.access_token;
    readOnly = (await world.token({ grant_type: 'client_credentials', scope: 'read' })).json.access_token;
  });
  after(async function () {
    await world?.stop();
  });

  const api = (path: string, headers: Record<string, string> = {}) =>
    request(`${world.gateway.url}${path}`, { headers });

  it('lets a request with a valid token through to the upstream', async function () {
    const res = await api('/api', { Authorization: `Bearer ${token}` });
    expect(res.status).to.equal(200);
    expect(res.json.url).to.equal('/api');
  });

  it('accepts the Bearer scheme name in any case', async function () {
    expect((await api('/api', { Authorization: `bEaReR ${token}` })).status).to.equal(200);
  });

  it('answers 401 with a bare Bearer challenge when no token is sent', async function () {
    const res = await api('/api');
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.equal(noTokenChallenges('express-gateway', world));
  });

  it('answers 401 with a bare Bearer challenge for another authentication scheme', async function () {
    const res = await api('/api', { Authorization: 'Basic YTpi' });
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.equal(noTokenChallenges('express-gateway', world));
  });

  it('answers 401 invalid_token for an unknown token', async function () {
    const res = await api('/api', { Authorization: 'Bearer not-a-token' });
    expect(res.status).to.equal(401);
    expect(res.json.error).to.equal('invalid_token');
    expect(res.headers.get('www-authenticate')).to.match(
      /^Bearer realm="express-gateway", error="invalid_token", error_description="[^"]+", resource_metadata="[^"]+"$/
    );
  });

  it('answers 401 invalid_token for a token whose embedded ids were altered', async function () {
    const parts = token.split('~');
    parts[2] = Buffer.from('someone').toString('base64url');
    const res = await api('/api', { Authorization: `Bearer ${parts.join('~')}` });
    expect(res.status).to.equal(401);
    expect(res.json.error).to.equal('invalid_token');
  });

  it('answers 400 invalid_request for a token with characters RFC 6750 forbids', async function () {
    const res = await api('/api', { Authorization: 'Bearer abc def' });
    expect(res.status).to.equal(400);
    expect(res.json.error).to.equal('invalid_request');
  });

  it('answers 403 insufficient_scope naming the required scopes', async function () {
    const res = await api('/api/write', { Authorization: `Bearer ${readOnly}` });
    expect(res.status).to.equal(403);
    expect(res.json.error).to.equal('insufficient_scope');
    expect(res.headers.get('www-authenticate'))
      .to.match(/error="insufficient_scope"/)
      .and.match(/scope="write"/);
  });

  it('requires every scope of the endpoint', async function () {
    expect((await api('/api/both', { Authorization: `Bearer ${readOnly}` })).status).to.equal(403);
    expect((await api('/api/both', { Authorization: `Bearer ${token}` })).status).to.equal(200);
  });

  it('does not accept a token in the query string by default', async function () {
    const res = await api(`/api?access_token=${encodeURIComponent(token)}`);
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.equal(noTokenChallenges('express-gateway', world));
  });

  it('does not read a form-body token by default, and leaves the body intact', async function () {
    const res = await postForm(`${world.gateway.url}/api`, { access_token: token, a: '1' });
    expect(res.status).to.equal(401);
    const open = await postForm(`${world.gateway.url}/open`, { a: '1' });
    expect(open.json.body).to.equal('a=1');
  });

  it('refuses a token once it has expired', async function () {
    // 2 s: expiry is counted in whole seconds, so a 1 s token issued late in a second may already be gone.
    const shortLived = await startWorld({ settings: { accessToken: { ttl: 2 } } });
    try {
      const issued = (await shortLived.token({ grant_type: 'client_credentials' })).json.access_token;
      const call = () => request(`${shortLived.gateway.url}/api`, { headers: { Authorization: `Bearer ${issued}` } });
      expect((await call()).status).to.equal(200);
      await new Promise((r) => setTimeout(r, 3100));
      const res = await call();
      expect(res.status).to.equal(401);
      expect(res.json.error).to.equal('invalid_token');
    } finally {
      await shortLived.stop();
    }
  });

  describe('when the consumer changes', function () {
    it('refuses the tokens of a deactivated app and accepts them again once it is reactivated', async function () {
      await world.gateway.admin.setAppActive(world.app.id, false);
      try {
        const res = await api('/api', { Authorization: `Bearer ${token}` });
        expect(res.status).to.equal(401);
        expect(res.json.error).to.equal('invalid_token');
      } finally {
        await world.gateway.admin.setAppActive(world.app.id, true);
      }
      expect((await api('/api', { Authorization: `Bearer ${token}` })).status).to.equal(200);
    });

    it('refuses the tokens of a client whose oauth2 credential is deactivated', async function () {
      await world.gateway.admin.setCredentialActive('oauth2', world.app.id, false);
      try {
        expect((await api('/api', { Authorization: `Bearer ${token}` })).status).to.equal(401);
      } finally {
        await world.gateway.admin.setCredentialActive('oauth2', world.app.id, true);
      }
    });

    it('refuses the tokens issued for a deactivated user', async function () {
      const userToken = (
        await world.token({ grant_type: 'password', username: world.user.username, password: world.user.password })
      ).json.access_token;
      expect((await api('/api', { Authorization: `Bearer ${userToken}` })).status).to.equal(200);
      await world.gateway.admin.setUserActive(world.user.id, false);
      try {
        expect((await api('/api', { Authorization: `Bearer ${userToken}` })).status).to.equal(401);
        expect((await api('/api', { Authorization: `Bearer ${token}` })).status).to.equal(200);
      } finally {
        await world.gateway.admin.setUserActive(world.user.id, true);
      }
    });
  });
});

describe('oauth2 policy: opt-in token locations and passThrough', function () {
  let world: World;
  let token: string;
  before(async function () {
    world = await startWorld({ policy: { allowQueryToken: true, allowBodyToken: true, realm: 'orders' } });
    token = (await world.token({ grant_type: 'client_credentials' })).json.access_token;
  });
  after(async function () {
    await world?.stop();
  });

  it('names the configured realm in its challenges', async function () {
    const res = await request(`${world.gateway.url}/api`);
    expect(res.headers.get('www-authenticate')).to.equal(noTokenChallenges('orders', world));
  });

  it('accepts a query token when enabled and removes it before the upstream', async function () {
    const res = await request(`${world.gateway.url}/api?x=1&access_token=${encodeURIComponent(token)}`);
    expect(res.status).to.equal(200);
    expect(res.json.url).to.equal('/api?x=1');
  });

  it('accepts a form-body token when enabled and forwards the rest of the body', async function () {
    const res = await postForm(`${world.gateway.url}/api`, { a: '1', access_token: token, b: 'two words' });
    expect(res.status).to.equal(200);
    expect(res.json.body).to.equal('a=1&b=two+words');
    expect(res.json.headers['content-length']).to.equal(String('a=1&b=two+words'.length));
  });

  it('answers 400 invalid_request when the token comes in more than one way', async function () {
    const res = await request(`${world.gateway.url}/api?access_token=${encodeURIComponent(token)}`, {
      headers: { Authorization: `Bearer ${token}` }
    });
    expect(res.status).to.equal(400);
    expect(res.json.error).to.equal('invalid_request');
  });

  it('answers 400 invalid_request for a repeated query token', async function () {
    const t = encodeURIComponent(token);
    expect((await request(`${world.gateway.url}/api?access_token=${t}&access_token=${t}`)).status).to.equal(400);
  });

  describe('with passThrough', function () {
    let open: World;
    before(async function () {
      open = await startWorld({ policy: { passThrough: true } });
    });
    after(async function () {
      await open?.stop();
    });

    it('lets an anonymous request continue, marked anonymous', async function () {
      const res = await request(`${open.gateway.url}/api`, { headers: { 'eg-consumer-id': 'spoofed' } });
      expect(res.status).to.equal(200);
      expect(res.json.headers['eg-consumer-id']).to.equal('anonymous');
    });

    it('does not forgive a malformed request', async function () {
      const res = await request(`${open.gateway.url}/api`, { headers: { Authorization: 'Bearer a b' } });
      expect(res.status).to.equal(400);
    });

    it('still identifies a request with a valid token', async function () {
      const valid = (await open.token({ grant_type: 'client_credentials' })).json.access_token;
      const res = await request(`${open.gateway.url}/api`, { headers: { Authorization: `Bearer ${valid}` } });
      expect(res.json.headers['eg-consumer-id']).to.equal(open.app.id);
    });
  });
});

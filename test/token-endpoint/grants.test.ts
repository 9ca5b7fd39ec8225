import { expect } from 'chai';
import { Browser, pkcePair } from '../../support/browser';
import { authorize, codeParams, decide, REDIRECT_URI } from '../helpers/flow';
import { postForm, request } from '../../support/http';
import { startWorld, World } from '../helpers/world';

function expectTokenResponse(res: { status: number; json: any; headers: Headers }) {
  expect(res.status, JSON.stringify(res.json)).to.equal(200);
  expect(res.headers.get('content-type')).to.match(/^application\/json/);
  expect(res.headers.get('cache-control')).to.equal('no-store');
  expect(res.headers.get('pragma')).to.equal('no-cache');
  expect(res.json.token_type).to.equal('Bearer');
  expect(res.json.access_token).to.be.a('string');
  expect(res.json.expires_in).to.equal(3600);
}

describe('token endpoint: grants', function () {
  let world: World;
  before(async function () {
    world = await startWorld();
  });
  after(async function () {
    await world?.stop();
  });

  const password = () => ({ grant_type: 'password', username: world.user.username, password: world.user.password });
  const callApi = (token: string, path = '/api') =>
    request(`${world.gateway.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });

  describe('client_credentials (RFC 6749 §4.4)', function () {
    it('grants every scope of the credential when none is asked for, and no refresh token', async function () {
      const res = await world.token({ grant_type: 'client_credentials' });
      expectTokenResponse(res);
      expect(res.json.scope).to.equal('read write');
      expect(res.json).not.to.have.property('refresh_token');
    });

    it('grants exactly the scopes asked for when the credential holds them', async function () {
      const res = await world.token({ grant_type: 'client_credentials', scope: 'read' });
      expectTokenResponse(res);
      expect(res.json.scope).to.equal('read');
    });

    it('answers invalid_scope for a scope the credential does not hold', async function () {
      const res = await world.token({ grant_type: 'client_credentials', scope: 'read admin' });
      expect(res.status).to.equal(400);
      expect(res.json.error).to.equal('invalid_scope');
      expect(res.json.error_description).to.contain('admin');
    });

    it('names a refused scope cut to 100 characters, not echoed whole', async function () {
      const res = await world.token({ grant_type: 'client_credentials', scope: `read ${'x'.repeat(10000)}` });
      expect(res.json.error).to.equal('invalid_scope');
      expect(res.json.error_description)
        .to.contain(`'${'x'.repeat(100)}...'`)
        .and.to.have.length.below(200);
    });

    it('issues a different random token each time', async function () {
      const [a, b] = await Promise.all([
        world.token({ grant_type: 'client_credentials' }),
        world.token({ grant_type: 'client_credentials' })
      ]);
      expect(a.json.access_token).not.to.equal(b.json.access_token);
    });
  });

  describe('password (RFC 6749 §4.3)', function () {
    it('issues an access token and a refresh token for the right password', async function () {
      const res = await world.token(password());
      expectTokenResponse(res);
      expect(res.json.refresh_token).to.be.a('string');
      expect(res.json.scope).to.equal('read write');
      const api = await callApi(res.json.access_token);
      expect(api.json.headers['eg-token-authenticated-user-id']).to.equal(world.user.id);
    });

    it('answers invalid_grant for a wrong password, and for an unknown user alike', async function () {
      const wrong = await world.token({ ...password(), password: 'not-it' });
      const unknown = await world.token({ ...password(), username: 'nobody' });
      for (const res of [wrong, unknown]) {
        expect(res.status).to.equal(400);
        expect(res.json).to.deep.equal({
          error: 'invalid_grant',
          error_description: 'The resource owner credentials are invalid'
        });
      }
    });

    it('answers invalid_grant for a deactivated user', async function () {
      await world.gateway.admin.setUserActive(world.user.id, false);
      try {
        const res = await world.token(password());
        expect(res.status).to.equal(400);
        expect(res.json.error).to.equal('invalid_grant');
      } finally {
        await world.gateway.admin.setUserActive(world.user.id, true);
      }
    });

    it('answers invalid_scope before checking the password for a scope the client lacks', async function () {
      const res = await world.token({ ...password(), scope: 'admin' });
      expect(res.status).to.equal(400);
      expect(res.json.error).to.equal('invalid_scope');
    });

    it('answers unauthorized_client to a client that registered itself, on the pages or over RFC 7591 (RFC 9700 section 2.4)', async function () {
      for (const via of ['web', 'dynamic']) {
        const app = await world.gateway.admin.registerClient(
          {
            name: `self-registered-${via}`,
            userId: world.user.id,
            redirectUri: 'http://127.0.0.1:8000/callback',
            registeredVia: via
          },
          ['read']
        );
        const res = await world.token(password(), app);
        expect(res.status, via).to.equal(400);
        expect(res.json.error).to.equal('unauthorized_client');
      }
    });
  });

  describe('refresh_token (RFC 6749 §6) with rotation', function () {
    it('issues a new access token and a new refresh token, and the old refresh token stops working', async function () {
      const first = await world.token(password());
      const refreshed = await world.token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
      expectTokenResponse(refreshed);
      expect(refreshed.json.refresh_token).to.be.a('string').and.not.equal(first.json.refresh_token);
      expect((await callApi(refreshed.json.access_token)).status).to.equal(200);
    });

    it('revokes the whole grant when a rotated refresh token is used again (RFC 9700 §4.14.2)', async function () {
      const first = await world.token(password());
      const second = await world.token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
      const replay = await world.token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
      expect(replay.status).to.equal(400);
      expect(replay.json.error).to.equal('invalid_grant');
      expect(replay.json.error_description).to.match(/already used/);
      expect((await callApi(first.json.access_token)).status).to.equal(401);
      expect((await callApi(second.json.access_token)).status).to.equal(401);
      const afterReplay = await world.token({ grant_type: 'refresh_token', refresh_token: second.json.refresh_token });
      expect(afterReplay.json.error).to.equal('invalid_grant');
    });

    it("lets a refresh narrow the scope of the access token but keeps the refresh token's scope", async function () {
      const first = await world.token(password());
      const narrowed = await world.token({
        grant_type: 'refresh_token',
        refresh_token: first.json.refresh_token,
        scope: 'read'
      });
      expectTokenResponse(narrowed);
      expect(narrowed.json.scope).to.equal('read');
      const widenedBack = await world.token({
        grant_type: 'refresh_token',
        refresh_token: narrowed.json.refresh_token,
        scope: 'read write'
      });
      expectTokenResponse(widenedBack);
      expect(widenedBack.json.scope).to.equal('read write');
    });

    it('answers invalid_scope when a refresh asks for more than was granted', async function () {
      const first = await world.token({ ...password(), scope: 'read' });
      const res = await world.token({
        grant_type: 'refresh_token',
        refresh_token: first.json.refresh_token,
        scope: 'read write'
      });
      expect(res.status).to.equal(400);
      expect(res.json.error).to.equal('invalid_scope');
      const long = await world.token({
        grant_type: 'refresh_token',
        refresh_token: first.json.refresh_token,
        scope: 'w'.repeat(10000)
      });
      expect(long.json.error_description, 'the scope named is cut').to.have.length.below(200);
      const stillUsable = await world.token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
      expectTokenResponse(stillUsable);
    });

    it('answers invalid_grant for an unknown refresh token', async function () {
      const res = await world.token({ grant_type: 'refresh_token', refresh_token: 'no-such-token' });
      expect(res.status).to.equal(400);
      expect(res.json.error).to.equal('invalid_grant');
    });

    it('answers invalid_grant when another client presents the refresh token, without burning it', async function () {
      const first = await world.token(password());
      const admin = world.gateway.admin;
      const other = await admin.registerClient({ name: 'other-client', userId: world.user.id }, ['read', 'write']);
      const stolen = await world.token(
        { grant_type: 'refresh_token', refresh_token: first.json.refresh_token },
        { id: other.id, secret: other.secret }
      );
      expect(stolen.status).to.equal(400);
      expect(stolen.json.error).to.equal('invalid_grant');
      expectTokenResponse(await world.token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token }));
    });

    it('answers invalid_grant once the resource owner is deactivated', async function () {
      const first = await world.token(password());
      await world.gateway.admin.setUserActive(world.user.id, false);
      try {
        const res = await world.token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
        expect(res.status).to.equal(400);
        expect(res.json.error).to.equal('invalid_grant');
      } finally {
        await world.gateway.admin.setUserActive(world.user.id, true);
      }
    });
  });
});

describe('token endpoint: refresh without rotation (refreshToken.rotate: false)', function () {
  let world: World;
  before(async function () {
    world = await startWorld({ settings: { refreshToken: { rotate: false } } });
  });
  after(async function () {
    await world?.stop();
  });

  it('still rotates the refresh tokens of public clients (RFC 9700 §4.14.2)', async function () {
    const admin = world.gateway.admin;
    const app = await admin.registerClient(
      { name: 'public-rotating', userId: world.user.id, redirectUri: REDIRECT_URI, public: 'true' },
      ['read']
    );
    const pkce = pkcePair();
    const browser = new Browser(world.gateway.url);
    const location = await decide(
      browser,
      await authorize(
        browser,
        world,
        codeParams(world, { client_id: app.id, code_challenge: pkce.challenge, code_challenge_method: 'S256' })
      ),
      true
    );
    const asPublic = (body: Record<string, string>) =>
      postForm(`${world.gateway.url}/oauth2/token`, { client_id: app.id, ...body });
    const first = await asPublic({
      grant_type: 'authorization_code',
      code: location.searchParams.get('code')!,
      redirect_uri: REDIRECT_URI,
      code_verifier: pkce.verifier
    });
    const refreshed = await asPublic({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
    expectTokenResponse(refreshed);
    expect(refreshed.json.refresh_token).to.be.a('string').and.not.equal(first.json.refresh_token);
    const replay = await asPublic({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
    expect(replay.json.error).to.equal('invalid_grant');
  });

  it('keeps the refresh token valid and returns no new one', async function () {
    const first = await world.token({
      grant_type: 'password',
      username: world.user.username,
      password: world.user.password
    });
    for (let i = 0; i < 2; i++) {
      const res = await world.token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
      expectTokenResponse(res);
      expect(res.json).not.to.have.property('refresh_token');
    }
  });
});

describe('token endpoint: password grant brute-force protection (RFC 6749 §4.3.2)', function () {
  let world: World;
  before(async function () {
    world = await startWorld({ settings: { login: { maxFailuresPerUser: 3, maxFailuresPerIp: 100 } } });
  });
  after(async function () {
    await world?.stop();
  });

  it('locks the user name out after too many wrong passwords, shared with the login page', async function () {
    const attempt = (password: string) =>
      world.token({ grant_type: 'password', username: world.user.username, password });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong')).json.error).to.equal('invalid_grant');
    const locked = await attempt(world.user.password);
    expect(locked.status).to.equal(400);
    expect(locked.json).to.deep.equal({
      error: 'invalid_grant',
      error_description: 'Too many failed attempts for this resource owner; try again later'
    });
  });
});

describe('token endpoint: password grant without the refresh_token grant', function () {
  let world: World;
  before(async function () {
    world = await startWorld({ settings: { grants: ['password'], accessToken: { ttl: 3600 } } });
  });
  after(async function () {
    await world?.stop();
  });

  it('issues no refresh token', async function () {
    const res = await world.token({
      grant_type: 'password',
      username: world.user.username,
      password: world.user.password
    });
    expectTokenResponse(res);
    expect(res.json).not.to.have.property('refresh_token');
  });
});

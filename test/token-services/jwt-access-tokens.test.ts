import { createSecretKey } from 'crypto';
import { expect } from 'chai';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { startGateway } from '../../support/gateway';
import { basic, postForm, request } from '../../support/http';
import { ecKeyPair, now, rsaKeyPair, signJwt, tamperedJwt, unsignedJwt } from '../helpers/keys';
import { startWorld, World } from '../helpers/world';

/** accessToken.format: jwt (RFC 9068), signed with configured keys, published as a JWKS. */
describe('token services: JWT access tokens (RFC 9068)', function () {
  const current = ecKeyPair();
  const previous = rsaKeyPair();
  let world: World;
  before(async function () {
    world = await startWorld({
      settings: {
        accessToken: { format: 'jwt', audience: 'https://api.example.com' },
        // OpenID Connect off: a pairwise app still never learns a user's id (OpenID Connect Core §8.1).
        oidc: { pairwiseSecret: 'a-pairwise-subject-key-of-32-characters' },
        keys: [
          { kid: 'ec-2026', alg: 'ES256', key: current.privatePem },
          { kid: 'rsa-2025', alg: 'RS256', key: previous.privatePem }
        ]
      }
    });
  });
  after(async function () {
    await world?.stop();
  });

  const api = (token: string, path?: string) => world.api(token, path);
  const passwordTokens = async () =>
    (
      await world.token({
        grant_type: 'password',
        username: world.user.username,
        password: world.user.password,
        scope: 'read'
      })
    ).json;
  /** A token as the gateway would sign it with the previous key, for the seeded app. */
  const oldKeyToken = (extra: Record<string, unknown> = {}) =>
    signJwt(
      previous.privateKey,
      { alg: 'RS256', kid: 'rsa-2025', typ: 'at+jwt' },
      {
        iss: world.gateway.url,
        aud: 'https://api.example.com',
        sub: world.app.id,
        client_id: world.app.id,
        scope: 'read write',
        jti: `old-${Math.random()}`,
        gid: `g-${Math.random()}`,
        iat: now(),
        exp: now() + 600,
        ...extra
      }
    );

  it('issues a signed at+jwt with the RFC 9068 claims, signed by the first key', async function () {
    const res = await world.token({ grant_type: 'client_credentials', scope: 'read' });
    expect(res.status).to.equal(200);
    expect(res.json.token_type).to.equal('Bearer');
    const token = res.json.access_token;
    expect(decodeProtectedHeader(token)).to.deep.equal({ alg: 'ES256', kid: 'ec-2026', typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).to.include({
      iss: world.gateway.url,
      aud: 'https://api.example.com',
      sub: world.app.id,
      client_id: world.app.id,
      scope: 'read'
    });
    expect(claims.exp! - claims.iat!).to.equal(3600);
    expect(claims.jti).to.be.a('string');
  });

  it('publishes the public keys, which verify the tokens it issues', async function () {
    const jwks = await request(`${world.gateway.url}/oauth2/jwks`);
    expect(jwks.status).to.equal(200);
    expect(jwks.json.keys.map((k: { kid: string }) => k.kid)).to.deep.equal(['ec-2026', 'rsa-2025']);
    for (const key of jwks.json.keys) expect(key).not.to.have.any.keys('d', 'p', 'q', 'dp', 'dq', 'qi');
    const token = (await world.token({ grant_type: 'client_credentials' })).json.access_token;
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks.json), {
      issuer: world.gateway.url,
      typ: 'at+jwt'
    });
    expect(payload.client_id).to.equal(world.app.id);
    const metadata = await request(`${world.gateway.url}/.well-known/oauth-authorization-server`);
    expect(metadata.json.jwks_uri).to.equal(`${world.gateway.url}/oauth2/jwks`);
  });

  it("lets the policy accept its JWTs, with the user's identity downstream", async function () {
    const tokens = await passwordTokens();
    expect(decodeJwt(tokens.access_token).sub).to.equal(world.user.id);
    const res = await api(tokens.access_token);
    expect(res.status).to.equal(200);
    expect(res.json.headers).to.include({
      'eg-token-scopes': 'read',
      'eg-consumer-id': world.app.id,
      'eg-token-authenticated-user-id': world.user.id
    });
    expect((await api(tokens.access_token, '/api/write')).status).to.equal(403);
  });

  it('still accepts a token signed with a key that is no longer the first (rotation)', async function () {
    expect((await api(await oldKeyToken())).status).to.equal(200);
  });

  it('refuses forged variants: tampered, unsigned, HMAC-signed with a public key, other typ, other audience, expired', async function () {
    const good = await oldKeyToken();
    const forgeries = [
      tamperedJwt(good, { ...decodeJwt(good), scope: 'read write admin' }),
      unsignedJwt(decodeJwt(good)),
      await signJwt(
        createSecretKey(Buffer.from(previous.publicPem)),
        { alg: 'HS256', kid: 'rsa-2025', typ: 'at+jwt' },
        decodeJwt(good)
      ),
      await oldKeyToken({ aud: 'https://other.example.com' }),
      await signJwt(previous.privateKey, { alg: 'RS256', kid: 'rsa-2025', typ: 'JWT' }, decodeJwt(good)),
      await oldKeyToken({ exp: now() - 1 }),
      await signJwt(rsaKeyPair().privateKey, { alg: 'RS256', kid: 'rsa-2025', typ: 'at+jwt' }, decodeJwt(good))
    ];
    for (const forged of forgeries) {
      const res = await api(forged);
      expect(res.status, forged).to.equal(401);
      expect(res.json.error).to.equal('invalid_token');
    }
  });

  it('refuses a revoked JWT (deny-list by jti) and reports it inactive', async function () {
    const token = (await world.token({ grant_type: 'client_credentials' })).json.access_token;
    expect((await api(token)).status).to.equal(200);
    const revoked = await postForm(
      `${world.gateway.url}/oauth2/revoke`,
      { token },
      { Authorization: basic(world.app.id, world.app.secret) }
    );
    expect(revoked.status).to.equal(200);
    expect((await api(token)).status).to.equal(401);
    const introspected = await postForm(
      `${world.gateway.url}/oauth2/introspect`,
      { token },
      { Authorization: basic(world.app.id, world.app.secret) }
    );
    expect(introspected.json).to.deep.equal({ active: false });
  });

  it('refuses the JWTs of a grant whose refresh token is revoked', async function () {
    const tokens = await passwordTokens();
    await postForm(
      `${world.gateway.url}/oauth2/revoke`,
      { token: tokens.refresh_token },
      { Authorization: basic(world.app.id, world.app.secret) }
    );
    expect((await api(tokens.access_token)).status).to.equal(401);
  });

  it('introspects an active JWT with its claims', async function () {
    const tokens = await passwordTokens();
    const res = await postForm(
      `${world.gateway.url}/oauth2/introspect`,
      { token: tokens.access_token },
      { Authorization: basic(world.app.id, world.app.secret) }
    );
    expect(res.json).to.include({
      active: true,
      username: world.user.username,
      sub: world.user.id,
      aud: 'https://api.example.com',
      scope: 'read'
    });
  });

  it('keeps refresh tokens opaque, and refreshes into a new JWT', async function () {
    const tokens = await passwordTokens();
    expect(tokens.refresh_token.split('.')).to.have.length(1);
    const refreshed = await world.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(decodeJwt(refreshed.json.access_token).gid).to.equal(decodeJwt(tokens.access_token).gid);
    expect((await api(refreshed.json.access_token)).status).to.equal(200);
  });

  it('gives a pairwise app opaque tokens, whose sealed user id it cannot read, that work at the API and introspect', async function () {
    const app = await world.gateway.admin.registerClient(
      {
        name: 'pairwise',
        userId: world.developer.id,
        redirectUri: 'https://rp.example.com/cb',
        subjectType: 'pairwise'
      },
      ['read']
    );
    const res = await world.token(
      { grant_type: 'password', username: world.user.username, password: world.user.password, scope: 'read' },
      app
    );
    expect(res.status, res.text).to.equal(200);
    const token: string = res.json.access_token;
    expect(token, 'a JWT would show the user id in sub').to.match(/^at~/);
    const readable = token
      .split(/[~.]/)
      .map((part) => Buffer.from(part, 'base64url').toString('latin1'))
      .join(' ');
    expect(readable).not.to.contain(world.user.id);
    expect((await api(token)).status).to.equal(200);
    const own = await postForm(
      `${world.gateway.url}/oauth2/introspect`,
      { token },
      { Authorization: basic(app.id, app.secret) }
    );
    expect(own.json).to.include({ active: true, client_id: app.id });
    expect(own.json.sub).to.be.a('string').and.not.equal(world.user.id);
    expect(own.json).not.to.have.property('username');
  });

  describe('settings', function () {
    const failsWith = async (settings: Record<string, unknown>, message: RegExp) => {
      const gateway = await startGateway({ settings, expectExit: true });
      try {
        expect(await gateway.exited).to.equal(1);
        expect(gateway.output()).to.match(message);
      } finally {
        await gateway.stop();
      }
    };

    it('refuses format jwt without a key', async function () {
      await failsWith({ accessToken: { format: 'jwt' } }, /plugins\.oauth2\.keys must hold a signing key/);
    });

    it('refuses a key that does not fit its algorithm, naming it', async function () {
      await failsWith(
        { accessToken: { format: 'jwt' }, keys: [{ kid: 'a', alg: 'RS256', key: ecKeyPair().privatePem }] },
        /plugins\.oauth2\.keys\[0\]: RS256 cannot be used with this ec key/
      );
      await failsWith(
        { accessToken: { format: 'jwt' }, keys: [{ kid: 'a', alg: 'HS256', key: 'too short' }] },
        /plugins\.oauth2\.keys\[0\]: an HS256 secret must be at least 32 bytes/
      );
      await failsWith(
        { accessToken: { format: 'jwt' }, keys: [{ kid: 'a', alg: 'HS256', key: rsaKeyPair().publicPem }] },
        /plugins\.oauth2\.keys\[0\]: HS256 needs a shared secret; this looks like a PEM or SSH key/
      );
    });

    it('refuses a public key as the signing key', async function () {
      await failsWith(
        { accessToken: { format: 'jwt' }, keys: [{ kid: 'a', alg: 'ES256', key: ecKeyPair().publicPem }] },
        /the first key signs JWT access tokens/
      );
    });

    it('signs with an HMAC secret and publishes no JWKS for it', async function () {
      const hmac = await startWorld({
        settings: {
          accessToken: { format: 'jwt' },
          keys: [{ kid: 'h', alg: 'HS256', key: 'an HMAC secret of at least thirty-two bytes' }]
        }
      });
      try {
        const token = (await hmac.token({ grant_type: 'client_credentials' })).json.access_token;
        expect(decodeProtectedHeader(token).alg).to.equal('HS256');
        expect(
          (await request(`${hmac.gateway.url}/api`, { headers: { Authorization: `Bearer ${token}` } })).status
        ).to.equal(200);
        expect((await request(`${hmac.gateway.url}/oauth2/jwks`)).status).to.equal(404);
      } finally {
        await hmac.stop();
      }
    });
  });
});

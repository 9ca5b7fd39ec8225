import { expect } from 'chai';
import { ecKeyPair, now, rsaKeyPair, signJwt, tamperedJwt, unsignedJwt } from '../helpers/keys';
import { expectOAuthError, request } from '../../support/http';
import { startWorld, World } from '../helpers/world';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TRUSTED = 'https://hr.example.com';
const PARTNER = 'https://partner.example.com';

/** RFC 7523 §2.1: a JWT from a trusted issuer is exchanged for an access token. */
describe('JWT bearer grant (RFC 7523)', function () {
  const issuerKey = rsaKeyPair();
  const otherKey = rsaKeyPair();
  const appKey = ecKeyPair();
  let world: World;
  let selfAsserting: { id: string; secret: string };
  let tokenEndpoint: string;

  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: TRUSTED,
    sub: world.user.username,
    aud: world.gateway.url,
    jti: `jti-${Math.random()}`,
    iat: now(),
    exp: now() + 120,
    ...extra
  });
  const assert = (extra: Record<string, unknown> = {}, key = issuerKey.privateKey) =>
    signJwt(key, { alg: 'RS256', kid: 'hr-1' }, claims(extra));
  const exchange = (
    assertion: string,
    client: { id: string; secret: string } = world.app,
    extra: Record<string, string> = {}
  ) => world.token({ grant_type: JWT_BEARER, assertion, ...extra }, client);

  async function refused(
    assertion: string,
    description: RegExp,
    client?: { id: string; secret: string }
  ): Promise<void> {
    expectOAuthError(await exchange(assertion, client), 400, 'invalid_grant', description);
  }

  before(async function () {
    world = await startWorld({
      settings: {
        jwtBearer: {
          issuers: [
            { issuer: TRUSTED, keys: [{ kid: 'hr-1', alg: 'RS256', key: issuerKey.publicPem }] },
            {
              issuer: PARTNER,
              keys: [{ kid: 'hr-1', alg: 'RS256', key: issuerKey.publicPem }],
              clients: ['only-this-client']
            }
          ]
        },
        assertions: { leeway: 5, maxLifetime: 600 }
      }
    });
    tokenEndpoint = `${world.gateway.url}/oauth2/token`;
    const jwk = { ...appKey.publicKey.export({ format: 'jwk' }), kid: 'app-1', alg: 'ES256' };
    selfAsserting = await world.gateway.admin.registerClient(
      { name: 'self-asserting', userId: world.user.id, jwks: JSON.stringify({ keys: [jwk] }) },
      ['read']
    );
  });
  after(async function () {
    await world?.stop();
  });

  it('issues an access token, and no refresh token, for the user the assertion names by username', async function () {
    const res = await exchange(await assert());
    expect(res.status, res.text).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(res.json).to.include({ token_type: 'Bearer', scope: 'read write' });
    expect(res.json).not.to.have.property('refresh_token');
    const info = await request(`${world.gateway.url}/oauth2/tokeninfo`, {
      headers: { Authorization: `Bearer ${res.json.access_token}` }
    });
    expect(info.json).to.include({ username: world.user.username, client_id: world.app.id });
    const api = await world.api(res.json.access_token);
    expect(api.status).to.equal(200);
  });

  it('maps sub to a user by id as well, and narrows the scope on request', async function () {
    const res = await exchange(await assert({ sub: world.user.id }), world.app, { scope: 'read' });
    expect(res.status, res.text).to.equal(200);
    expect(res.json.scope).to.equal('read');
  });

  it('issues a token for the app itself when sub is the client, and accepts the token endpoint as aud', async function () {
    const res = await exchange(await assert({ sub: world.app.id, aud: tokenEndpoint }));
    expect(res.status, res.text).to.equal(200);
    const info = await request(`${world.gateway.url}/oauth2/tokeninfo`, {
      headers: { Authorization: `Bearer ${res.json.access_token}` }
    });
    expect(info.json).not.to.have.property('username');
  });

  it('refuses a replayed assertion (jti single use)', async function () {
    const assertion = await assert();
    expect((await exchange(assertion)).status).to.equal(200);
    await refused(assertion, /already used/);
  });

  it('refuses a forged, tampered or unsigned assertion', async function () {
    await refused(await assert({}, otherKey.privateKey), /signature is invalid/);
    await refused(tamperedJwt(await assert(), claims({ sub: 'root' })), /signature is invalid/);
    await refused(unsignedJwt(claims()), /algorithm that is not accepted/);
    await refused('not-a-jwt', /malformed/);
  });

  it('refuses an expired, not yet valid, future-issued or too long-lived assertion', async function () {
    await refused(await assert({ iat: now() - 300, exp: now() - 60 }), /has expired/);
    await refused(await assert({ nbf: now() + 60 }), /not valid yet/);
    await refused(await assert({ iat: now() + 60, exp: now() + 120 }), /issued in the future/);
    await refused(await assert({ exp: now() + 3600 }), /more than 600 seconds after it was issued/);
  });

  it('refuses an assertion for another audience, from an untrusted issuer, without exp or jti', async function () {
    await refused(await assert({ aud: 'https://other.example.com' }), /not meant for this audience/);
    await refused(await assert({ iss: 'https://evil.example.com' }), /not issued by a trusted issuer/);
    await refused(
      await signJwt(issuerKey.privateKey, { alg: 'RS256' }, { ...claims(), exp: undefined }),
      /has no exp claim/
    );
    await refused(await assert({ jti: undefined }), /no jti claim/);
  });

  it('refuses an access token of a trusted issuer (typ at+jwt) as an assertion (RFC 8725 §3.11)', async function () {
    await refused(
      await signJwt(issuerKey.privateKey, { alg: 'RS256', kid: 'hr-1', typ: 'at+jwt' }, claims()),
      /access token is not an assertion/
    );
  });

  it("refuses a client that the issuer's clients list does not name", async function () {
    await refused(await assert({ iss: PARTNER }), /may not present assertions of this issuer/);
  });

  it('refuses a subject that is no active user', async function () {
    await refused(await assert({ sub: 'nobody-here' }), /subject is not an active user/);
  });

  it("accepts an app's assertion about itself signed with its registered key, but not one about a user", async function () {
    const own = (extra: Record<string, unknown>) =>
      signJwt(
        appKey.privateKey,
        { alg: 'ES256', kid: 'app-1' },
        {
          iss: selfAsserting.id,
          sub: selfAsserting.id,
          aud: tokenEndpoint,
          jti: `s-${Math.random()}`,
          exp: now() + 60,
          ...extra
        }
      );
    const res = await exchange(await own({}), selfAsserting);
    expect(res.status, res.text).to.equal(200);
    expect(res.json.scope).to.equal('read');
    await refused(await own({ sub: world.user.username }), /only name the client as its subject/, selfAsserting);
    await refused(await own({}), /not issued by a trusted issuer/); // presented by another client
  });

  it('needs the assertion parameter', async function () {
    const res = await world.token({ grant_type: JWT_BEARER });
    expect(res.status).to.equal(400);
    expect(res.json.error).to.equal('invalid_request');
  });
});

import { expect } from 'chai';
import { ecKeyPair, now, rsaKeyPair, signJwt } from '../helpers/keys';
import { basic, postForm } from '../../support/http';
import { startFakeServer, FakeServer } from '../helpers/fake-server';
import { startWorld, World } from '../helpers/world';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** RFC 7523 §2.2: private_key_jwt client authentication with a key the app registered. */
describe('JWT client authentication (private_key_jwt, RFC 7523 §2.2)', function () {
  const key = ecKeyPair();
  const rotated = rsaKeyPair();
  let world: World;
  let client: { id: string; secret: string };
  let byUri: { id: string; secret: string };
  let jwks: FakeServer;

  const assertion = (clientId: string, extra: Record<string, unknown> = {}, signer = key.privateKey, alg = 'ES256') =>
    signJwt(
      signer,
      { alg },
      {
        iss: clientId,
        sub: clientId,
        aud: `${world.gateway.url}/oauth2/token`,
        jti: `c-${Math.random()}`,
        exp: now() + 60,
        ...extra
      }
    );
  const post = (path: string, form: Record<string, string>) => postForm(`${world.gateway.url}/oauth2/${path}`, form);
  const clientCredentials = async (id: string, extra: Record<string, unknown> = {}) =>
    post('token', {
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(id, extra)
    });

  before(async function () {
    // The app's jwksUri below is on loopback: only fetched when the operator allows private networks.
    world = await startWorld({ settings: { clientUrls: { allowPrivateNetworks: true } } });
    const jwk = { ...key.publicKey.export({ format: 'jwk' }), kid: 'k1' };
    client = await world.gateway.admin.registerClient(
      { name: 'signing-app', userId: world.user.id, jwks: JSON.stringify({ keys: [jwk] }) },
      ['read']
    );
    jwks = await startFakeServer(() => ({
      body: { keys: [{ ...rotated.publicKey.export({ format: 'jwk' }), alg: 'RS256' }] }
    }));
    byUri = await world.gateway.admin.registerClient(
      { name: 'jwks-uri-app', userId: world.user.id, jwksUri: `${jwks.url}/jwks` },
      ['read']
    );
  });
  after(async function () {
    await world?.stop();
    await jwks?.close();
  });

  it('authenticates a client at the token endpoint with a JWT signed by its registered key', async function () {
    const res = await clientCredentials(client.id);
    expect(res.status, res.text).to.equal(200);
    expect(res.json.scope).to.equal('read');
  });

  it('fetches the keys of an app that registered a jwksUri (on loopback, with clientUrls.allowPrivateNetworks)', async function () {
    const res = await post('token', {
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(byUri.id, {}, rotated.privateKey, 'RS256')
    });
    expect(res.status, res.text).to.equal(200);
  });

  it('authenticates at the revocation and introspection endpoints (aud: that endpoint)', async function () {
    const token = (await clientCredentials(client.id)).json.access_token;
    const introspected = await post('introspect', {
      token,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(client.id, { aud: `${world.gateway.url}/oauth2/introspect` })
    });
    expect(introspected.status, introspected.text).to.equal(200);
    expect(introspected.json).to.include({ active: true, client_id: client.id });
    const revoked = await post('revoke', {
      token,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(client.id, { aud: `${world.gateway.url}/oauth2/revoke` })
    });
    expect(revoked.status, revoked.text).to.equal(200);
    const after = await post('introspect', {
      token,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(client.id)
    });
    expect(after.json).to.deep.equal({ active: false });
  });

  it('refuses a replayed, expired, wrongly addressed or foreign-signed client assertion with invalid_client', async function () {
    const once = await assertion(client.id);
    expect(
      (
        await post('token', {
          grant_type: 'client_credentials',
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: once
        })
      ).status
    ).to.equal(200);
    const cases: Array<[string, RegExp]> = [
      [once, /already used/],
      [await assertion(client.id, { exp: now() - 120 }), /expired/],
      [await assertion(client.id, { aud: 'https://elsewhere.example.com' }), /audience/],
      [await assertion(client.id, {}, ecKeyPair().privateKey), /signature is invalid/],
      [await assertion(client.id, { sub: 'someone-else' }), /sub must be the client_id/],
      [await assertion(world.app.id), /registered no keys/]
    ];
    for (const [clientAssertion, description] of cases) {
      const res = await post('token', {
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: clientAssertion
      });
      expect(res.status, res.text).to.equal(401);
      expect(res.json.error).to.equal('invalid_client');
      expect(res.json.error_description).to.match(description);
    }
  });

  it('refuses an unknown assertion type, and an assertion alongside a secret', async function () {
    const wrongType = await post('token', {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:example:saml',
      client_assertion: await assertion(client.id)
    });
    expect(wrongType.status).to.equal(401);
    expect(wrongType.json.error_description).to.match(/client_assertion_type must be/);
    const twoMethods = await postForm(
      `${world.gateway.url}/oauth2/token`,
      {
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: await assertion(client.id)
      },
      { Authorization: basic(client.id, client.secret) }
    );
    expect(twoMethods.status).to.equal(400);
    expect(twoMethods.json.error).to.equal('invalid_request');
  });
});

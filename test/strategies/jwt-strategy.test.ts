import { createSecretKey } from 'crypto';
import { expect } from 'chai';
import { startFakeServer, FakeServer } from '../helpers/fake-server';
import { freePort } from '../../support/gateway';
import {
  ecKeyPair,
  edKeyPair,
  now,
  rsaKeyPair,
  signJwt as signUntyped,
  tamperedJwt,
  unsignedJwt
} from '../helpers/keys';
import { startWorld, World } from '../helpers/world';
import { oncePerRun } from '../helpers/once-per-run';

const ISSUER = 'https://idp.example.com';
const AUDIENCE = 'api://orders';
const HMAC_SECRET = 'a shared secret with the outside issuer, 32+ bytes';

/** Access tokens typed as RFC 9068 says (typ: at+jwt), unless the test says otherwise. */
const signJwt = (
  key: Parameters<typeof signUntyped>[0],
  header: Parameters<typeof signUntyped>[1],
  body: Record<string, unknown>
) => signUntyped(key, { typ: 'at+jwt', ...header }, body);

const claims = (extra: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'user-42',
  client_id: 'outside-client',
  scope: 'read',
  preferred_username: 'carol',
  jti: `j-${Math.random()}`,
  iat: now(),
  exp: now() + 300,
  ...extra
});

/** tokenStrategy: jwt, with another issuer's keys (Janus's format) or its JWKS. */
describe("token strategies: jwt (another issuer's JWTs)", function () {
  before(function () {
    // What this suite proves does not depend on the store: once per CI run.
    oncePerRun(this);
  });

  describe('with a key list', function () {
    const rsa = rsaKeyPair();
    const rotatedIn = ecKeyPair();
    let world: World;
    before(async function () {
      world = await startWorld({
        policy: {
          tokenStrategy: 'jwt',
          jwt: {
            issuer: ISSUER,
            audience: AUDIENCE,
            leeway: 30,
            keys: [
              { alg: 'RS256', key: rsa.publicPem, kid: 'rsa-1' },
              { alg: 'ES256', key: rotatedIn.publicPem },
              { alg: 'HS256', key: HMAC_SECRET }
            ]
          }
        }
      });
    });
    after(async function () {
      await world?.stop();
    });

    const api = (token: string, path?: string) => world.api(token, path);
    const rs256 = (extra?: Record<string, unknown>) =>
      signJwt(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, claims(extra));
    const refused = async (token: string, description: string) => {
      const res = await api(token);
      expect(res.status, token).to.equal(401);
      expect(res.json).to.deep.equal({ error: 'invalid_token', error_description: description });
    };

    it('accepts a token signed by a configured key and passes its identity downstream', async function () {
      const res = await api(await rs256());
      expect(res.status).to.equal(200);
      expect(res.json.headers).to.include({
        'eg-token-scopes': 'read',
        'eg-consumer-id': 'outside-client',
        'eg-token-authenticated-user-id': 'user-42',
        'eg-token-issuer': ISSUER
      });
    });

    it("applies the endpoint's scopes alike", async function () {
      const res = await api(await rs256(), '/api/write');
      expect(res.status).to.equal(403);
      expect(res.json.error).to.equal('insufficient_scope');
      expect((await api(await rs256({ scope: 'read write' }), '/api/write')).status).to.equal(200);
      expect((await api(await rs256({ scope: undefined, scp: ['read', 'write'] }), '/api/write')).status).to.equal(200);
    });

    it('accepts the other keys of the list (rotation), each with its own algorithm', async function () {
      expect((await api(await signJwt(rotatedIn.privateKey, { alg: 'ES256' }, claims()))).status).to.equal(200);
      expect(
        (await api(await signJwt(createSecretKey(Buffer.from(HMAC_SECRET)), { alg: 'HS256' }, claims()))).status
      ).to.equal(200);
    });

    it('refuses alg none, a tampered signature, and an unknown signer', async function () {
      await refused(unsignedJwt(claims()), 'The access token is signed with an algorithm that is not accepted');
      await refused(
        tamperedJwt(await rs256(), claims({ scope: 'read write admin' })),
        'The access token signature is invalid'
      );
      await refused(
        await signJwt(rsaKeyPair().privateKey, { alg: 'RS256', kid: 'rsa-1' }, claims()),
        'The access token signature is invalid'
      );
    });

    it('refuses algorithm confusion: an HMAC token keyed with the RSA public key', async function () {
      const confused = await signJwt(
        createSecretKey(Buffer.from(rsa.publicPem)),
        { alg: 'HS256', kid: 'rsa-1' },
        claims()
      );
      await refused(confused, 'The access token signature is invalid');
      const otherAlg = await signJwt(edKeyPair().privateKey, { alg: 'EdDSA', kid: 'rsa-1' }, claims());
      await refused(otherAlg, 'The access token is signed with an algorithm that is not accepted');
    });

    it('tolerates clock skew within the leeway on exp, nbf and iat, and not beyond', async function () {
      expect((await api(await rs256({ exp: now() - 20 }))).status).to.equal(200);
      await refused(await rs256({ exp: now() - 60 }), 'The access token has expired');
      expect((await api(await rs256({ nbf: now() + 20 }))).status).to.equal(200);
      await refused(await rs256({ nbf: now() + 60 }), 'The access token is not valid yet');
      expect((await api(await rs256({ iat: now() + 20 }))).status).to.equal(200);
      await refused(await rs256({ iat: now() + 60 }), 'The access token was issued in the future');
    });

    it('requires the configured issuer and audience, and an exp', async function () {
      await refused(
        await rs256({ iss: 'https://evil.example.com' }),
        'The access token was not issued by a trusted issuer'
      );
      await refused(await rs256({ aud: 'api://other' }), 'The access token is not meant for this audience');
      await refused(await rs256({ exp: undefined }), 'The access token has no exp claim');
    });

    it('refuses a JWT that is not typed as an access token, such as an ID token (RFC 8725 §3.11)', async function () {
      await refused(
        await signUntyped(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1', typ: 'JWT' }, claims()),
        'The access token is not of the expected type'
      );
      await refused(
        await signUntyped(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, claims()),
        'The access token is not of the expected type'
      );
    });

    it('refuses every other spelling of a valid JWT (padding, unused bits), which would be one more entry of the cache each (RFC 7515 §2)', async function () {
      const token = await rs256();
      const signature = token.slice(token.lastIndexOf('.') + 1);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      // A 256-byte RS256 signature leaves 4 unused bits in its last character: flipping the lowest decodes alike.
      const last = alphabet[alphabet.indexOf(signature.slice(-1)) ^ 1];
      expect((await api(token)).status).to.equal(200);
      for (const spelling of [`${token}=`, `${token}==`, `${token.slice(0, -1)}${last}`]) {
        await refused(spelling, 'The access token is malformed');
      }
      expect((await api(token)).status, 'the canonical spelling still passes').to.equal(200);
    });

    it('refuses garbage that only looks like a JWT', async function () {
      await refused('eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln', 'The access token signature is invalid');
      await refused('a.b.c', 'The access token is malformed');
    });
  });

  describe('with the legacy { secret } form', function () {
    let world: World;
    before(async function () {
      world = await startWorld({
        policy: {
          tokenStrategy: 'jwt',
          jwt: { issuer: ISSUER, audience: AUDIENCE, keys: { secret: HMAC_SECRET }, typ: '' }
        }
      });
    });
    after(async function () {
      await world?.stop();
    });

    it('treats it as one HS256 key, and accepts untyped tokens with typ: ""', async function () {
      const token = await signUntyped(createSecretKey(Buffer.from(HMAC_SECRET)), { alg: 'HS256' }, claims());
      expect((await world.api(token)).status).to.equal(200);
      const hs512 = await signJwt(createSecretKey(Buffer.from(HMAC_SECRET + HMAC_SECRET)), { alg: 'HS512' }, claims());
      expect((await world.api(hs512)).status).to.equal(401);
    });
  });

  describe('with a JWKS URI', function () {
    const first = rsaKeyPair();
    const second = ecKeyPair();
    let jwks: FakeServer;
    let world: World;
    let published: object[];
    before(async function () {
      published = [{ ...first.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }];
      jwks = await startFakeServer(() => ({ body: { keys: published } }));
      world = await startWorld({
        policy: {
          tokenStrategy: 'jwt',
          jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUri: `${jwks.url}/jwks`, jwksCooldown: 1 }
        }
      });
    });
    after(async function () {
      await world?.stop();
      await jwks?.close();
    });

    const api = (token: string) => world.api(token);

    it('verifies with the fetched keys and caches them', async function () {
      const token = await signJwt(first.privateKey, { alg: 'RS256', kid: 'k1' }, claims());
      expect((await api(token)).status).to.equal(200);
      expect((await api(token)).status).to.equal(200);
      expect(jwks.received).to.have.length(1);
    });

    it('fetches the JWKS again for an unknown kid (key rotation at the issuer), once the cooldown is over', async function () {
      await new Promise((r) => setTimeout(r, 1100));
      const before = jwks.received.length;
      published.push({ ...second.publicKey.export({ format: 'jwk' }), kid: 'k2', alg: 'ES256', use: 'sig' });
      expect(jwks.received.length, 'the new key was not fetched before it was needed').to.equal(before);
      const token = await signJwt(second.privateKey, { alg: 'ES256', kid: 'k2' }, claims());
      expect((await api(token)).status).to.equal(200);
      expect(jwks.received.length).to.equal(before + 1);
    });

    it('keeps using the keys it has when a fetch fails, and logs it', async function () {
      await new Promise((r) => setTimeout(r, 1100));
      jwks.handler = () => ({ status: 503, body: 'down' });
      const stranger = await signJwt(rsaKeyPair().privateKey, { alg: 'RS256', kid: 'k7' }, claims());
      expect((await api(stranger)).status).to.equal(401);
      expect(world.gateway.output()).to.match(/JWKS .* unavailable: answered 503; still using the keys fetched before/);
      expect((await api(await signJwt(first.privateKey, { alg: 'RS256', kid: 'k1' }, claims()))).status).to.equal(200);
      jwks.handler = () => ({ body: { keys: published } });
    });

    it('refuses a token whose kid the JWKS does not have', async function () {
      await new Promise((r) => setTimeout(r, 1100));
      const token = await signJwt(rsaKeyPair().privateKey, { alg: 'RS256', kid: 'k9' }, claims());
      const res = await api(token);
      expect(res.status).to.equal(401);
      expect(res.json.error_description).to.equal('The access token is signed with an unknown key');
    });
  });

  describe('with an unreachable JWKS URI', function () {
    let world: World;
    before(async function () {
      world = await startWorld({
        policy: {
          tokenStrategy: 'jwt',
          jwt: {
            issuer: ISSUER,
            audience: AUDIENCE,
            jwksUri: `http://127.0.0.1:${await freePort()}/jwks`,
            jwksTimeout: 500
          }
        }
      });
    });
    after(async function () {
      await world?.stop();
    });

    it('answers 401, not 500, and logs why', async function () {
      const token = await signJwt(rsaKeyPair().privateKey, { alg: 'RS256', kid: 'k1' }, claims());
      const res = await world.api(token);
      expect(res.status).to.equal(401);
      expect(res.json).to.deep.equal({
        error: 'invalid_token',
        error_description: 'The access token could not be validated'
      });
      expect(world.gateway.output()).to.match(/oauth2 policy: JWKS http:\/\/127\.0\.0\.1:\d+\/jwks unavailable/);
    });
  });
});

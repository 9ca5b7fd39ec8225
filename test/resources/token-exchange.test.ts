import { expect } from 'chai';
import { basic, expectOAuthError, postForm, Reply, request } from '../../support/http';
import { ecKeyPair, now, signJwt } from '../helpers/keys';
import { startWorld, World } from '../helpers/world';
import { startGateway } from '../../support/gateway';
import { oncePerRun } from '../helpers/once-per-run';
import { buildAssertion, encodeAssertion, samlIdp, signAssertion } from '../helpers/saml';
import { createPrivateKey, randomUUID } from 'crypto';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';
const ORDERS_SERVICE = 'https://orders.internal.example';
const IDP = 'https://idp.trusted.example';
const SAML_IDP = 'https://saml.trusted.example';

type App = { id: string; secret: string };

/** The world's user's tokens from the password grant, with this scope. */
async function passwordTokens(world: World, scope: string): Promise<Reply['json']> {
  const { username, password } = world.user;
  return (await world.token({ grant_type: 'password', username, password, scope })).json;
}

/** RFC 7662, asked by a client holding the introspection scope. */
async function introspectAs(world: World, inspector: App, token: string): Promise<Reply['json']> {
  const { json } = await postForm(
    `${world.gateway.url}/oauth2/introspect`,
    { token },
    { Authorization: basic(inspector.id, inspector.secret) }
  );
  return json;
}

/** RFC 8693 at the token endpoint: who may exchange what, for which audience, with what scope and actor. */
describe('token exchange (RFC 8693)', function () {
  let world: World;
  let service: App;
  let stranger: App;
  let inspector: App;
  const idpKey = ecKeyPair();
  const samlKeys = samlIdp();
  before(async function () {
    world = await startWorld({
      settings: {
        jwtBearer: { issuers: [{ issuer: IDP, keys: [{ kid: 'idp', alg: 'ES256', key: idpKey.publicPem }] }] },
        // Its assertions may be presented by one client only, which is not the service.
        samlBearer: {
          identityProviders: [{ issuer: SAML_IDP, certificate: samlKeys.certificatePem, clients: ['someone-else'] }]
        },
        oidc: { pairwiseSecret: 'a-pairwise-subject-key-of-32-characters' }
      }
    });
    service = await world.addClient('orders-gateway-service', ['read', 'write']);
    // An operator lets the service exchange tokens for two audiences (app property tokenExchangeAudiences).
    await world.gateway.admin.updateApp(service.id, { tokenExchangeAudiences: `${ORDERS_SERVICE} billing-service` });
    stranger = await world.addClient('stranger', ['read']);
    inspector = await world.addClient('inspector', ['introspection']);
  });
  after(async function () {
    await world?.stop();
  });

  const exchange = (params: Record<string, string>, auth: App = service): Promise<Reply> =>
    postForm(
      `${world.gateway.url}/oauth2/token`,
      { grant_type: EXCHANGE, ...params },
      { Authorization: basic(auth.id, auth.secret) }
    );
  const userToken = async (scope = 'read write') => (await passwordTokens(world, scope)).access_token as string;
  const introspect = (token: string) => introspectAs(world, inspector, token);

  it("exchanges a user's token for one meant for an upstream alone, which the gateway's APIs refuse", async function () {
    const subject = await userToken('read');
    const res = await exchange({ subject_token: subject, subject_token_type: ACCESS_TOKEN, audience: ORDERS_SERVICE });
    expect(res.status, res.text).to.equal(200);
    expect(res.json).to.include({ issued_token_type: ACCESS_TOKEN, token_type: 'Bearer', scope: 'read' });
    expect(res.json).not.to.have.property('refresh_token');
    const facts = await introspect(res.json.access_token);
    expect(facts).to.include({ active: true, aud: ORDERS_SERVICE, sub: world.user.id, client_id: service.id });
    expect(facts).not.to.have.property('act');
    const refused = await world.api(res.json.access_token, '/api');
    expect(refused.status).to.equal(401);
    expect(refused.headers.get('www-authenticate')).to.contain('not meant for this resource');
    // The subject token is untouched.
    expect((await world.api(subject, '/api')).status).to.equal(200);
  });

  it('names the actor (act), the client itself, and nests the one before when the subject came from an exchange', async function () {
    const ownToken = async (app: App) =>
      (await world.token({ grant_type: 'client_credentials', scope: 'read' }, app)).json.access_token as string;
    const first = await exchange({
      subject_token: await userToken(),
      subject_token_type: ACCESS_TOKEN,
      actor_token: await ownToken(service),
      actor_token_type: ACCESS_TOKEN,
      audience: 'billing-service'
    });
    expect(first.status, first.text).to.equal(200);
    const act = { sub: service.id, iss: world.gateway.url, client_id: service.id };
    expect((await introspect(first.json.access_token)).act).to.deep.equal(act);

    // Billing, allowed to exchange for the orders service, passes the user on with itself as the actor.
    const billing = await world.addClient('billing', ['read', 'write']);
    await world.gateway.admin.updateApp(billing.id, { tokenExchangeAudiences: ORDERS_SERVICE });
    const second = await exchange(
      {
        subject_token: first.json.access_token,
        subject_token_type: ACCESS_TOKEN,
        actor_token: await ownToken(billing),
        actor_token_type: ACCESS_TOKEN,
        resource: `${ORDERS_SERVICE}/`
      },
      billing
    );
    expect(second.status, second.text).to.equal(200);
    const facts = await introspect(second.json.access_token);
    expect(facts.aud).to.equal(ORDERS_SERVICE);
    expect(facts.act).to.deep.equal({ sub: billing.id, iss: world.gateway.url, client_id: billing.id, act });

    // No client names another as acting, nor a user.
    for (const actorToken of [await ownToken(stranger), await userToken()]) {
      const forged = await exchange({
        subject_token: await userToken(),
        subject_token_type: ACCESS_TOKEN,
        actor_token: actorToken,
        actor_token_type: ACCESS_TOKEN,
        audience: ORDERS_SERVICE
      });
      expectOAuthError(forged, 400, 'invalid_request', /actor token must be the client's own/);
    }
  });

  it('gives a token no longer-lived than its subject, revoked with the grant the subject token is of', async function () {
    const tokens = await passwordTokens(world, 'read');
    const res = await exchange({
      subject_token: tokens.access_token,
      subject_token_type: ACCESS_TOKEN,
      audience: ORDERS_SERVICE
    });
    const [subject, exchanged] = [await introspect(tokens.access_token), await introspect(res.json.access_token)];
    expect(exchanged.exp).to.be.at.most(subject.exp);
    // Exchanging the exchanged token again never extends it either.
    const again = await exchange({
      subject_token: res.json.access_token,
      subject_token_type: ACCESS_TOKEN,
      audience: ORDERS_SERVICE
    });
    expect((await introspect(again.json.access_token)).exp).to.be.at.most(exchanged.exp);
    await postForm(
      `${world.gateway.url}/oauth2/revoke`,
      { token: tokens.refresh_token },
      { Authorization: basic(world.app.id, world.app.secret) }
    );
    expect((await introspect(res.json.access_token)).active).to.equal(false);
    expect((await introspect(again.json.access_token)).active).to.equal(false);
  });

  it("refuses a pairwise app's token to any client but that app, and a token for an upstream at token information", async function () {
    const token = await userToken('read');
    const exchanged = await exchange({
      subject_token: token,
      subject_token_type: ACCESS_TOKEN,
      audience: ORDERS_SERVICE
    });
    // An upstream that got it may not ask this server about the user with it.
    const info = await request(`${world.gateway.url}/oauth2/tokeninfo`, {
      headers: { Authorization: `Bearer ${exchanged.json.access_token}` }
    });
    expect(info.status).to.equal(401);
    expect(info.headers.get('www-authenticate')).to.contain('meant for another service');

    await world.gateway.admin.updateApp(world.app.id, { subjectType: 'pairwise' });
    try {
      const pairwise = await userToken('read');
      const refused = await exchange({
        subject_token: pairwise,
        subject_token_type: ACCESS_TOKEN,
        audience: ORDERS_SERVICE
      });
      expectOAuthError(refused, 400, 'invalid_request', /pairwise client's, which only that client may exchange/);
    } finally {
      await world.gateway.admin.updateApp(world.app.id, { subjectType: 'public' });
    }
  });

  it('never gives a wider scope than the subject token holds', async function () {
    const readOnly = await userToken('read');
    const wider = await exchange({
      subject_token: readOnly,
      subject_token_type: ACCESS_TOKEN,
      audience: ORDERS_SERVICE,
      scope: 'read write'
    });
    expectOAuthError(wider, 400, 'invalid_scope', /exceeds the scope of the subject token/);
    const narrower = await exchange({
      subject_token: await userToken('read write'),
      subject_token_type: ACCESS_TOKEN,
      audience: ORDERS_SERVICE,
      scope: 'write'
    });
    expect(narrower.json.scope).to.equal('write');
    // A client whose credential holds none of the subject token's scopes gets a token with none, not its own.
    const writer = await world.addClient('writer', ['write']);
    await world.gateway.admin.updateApp(writer.id, { tokenExchangeAudiences: ORDERS_SERVICE });
    const none = await exchange(
      { subject_token: readOnly, subject_token_type: ACCESS_TOKEN, audience: ORDERS_SERVICE },
      writer
    );
    expect(none.status, none.text).to.equal(200);
    expect(none.json).not.to.have.property('scope');
    expect((await introspect(none.json.access_token)).scope).to.equal('');
  });

  it('refuses a client no one let exchange tokens, and an audience it may not ask for', async function () {
    const subject = await userToken();
    expectOAuthError(
      await exchange({ subject_token: subject, subject_token_type: ACCESS_TOKEN, audience: ORDERS_SERVICE }, stranger),
      400,
      'unauthorized_client',
      /may not exchange tokens/
    );
    const targets: Array<Record<string, string>> = [
      { audience: 'https://elsewhere.example' },
      { resource: `${world.gateway.url}/api` },
      {}
    ];
    for (const target of targets) {
      const res = await exchange({ subject_token: subject, subject_token_type: ACCESS_TOKEN, ...target });
      expectOAuthError(res, 400, 'invalid_target', /may not exchange tokens for|Name the audience/);
    }
  });

  it('refuses a subject token that is unknown, revoked, or names no user; and a request missing its parts', async function () {
    const base = { subject_token_type: ACCESS_TOKEN, audience: ORDERS_SERVICE };
    expectOAuthError(await exchange({ ...base, subject_token: 'nope' }), 400, 'invalid_request', /invalid, expired/);
    const revoked = await userToken();
    await postForm(
      `${world.gateway.url}/oauth2/revoke`,
      { token: revoked },
      { Authorization: basic(world.app.id, world.app.secret) }
    );
    expectOAuthError(await exchange({ ...base, subject_token: revoked }), 400, 'invalid_request', /invalid, expired/);
    const clientOnly = (await world.token({ grant_type: 'client_credentials' })).json.access_token;
    expectOAuthError(await exchange({ ...base, subject_token: clientOnly }), 400, 'invalid_request', /names no user/);
    const subject = await userToken();
    expectOAuthError(
      await exchange({ subject_token: subject, audience: ORDERS_SERVICE }),
      400,
      'invalid_request',
      /subject_token_type parameter is missing/
    );
    expectOAuthError(
      await exchange({ ...base, subject_token: subject, subject_token_type: 'urn:x:token' }),
      400,
      'invalid_request',
      /is not one this server takes/
    );
    expectOAuthError(
      await exchange({ ...base, subject_token: subject, requested_token_type: JWT }),
      400,
      'invalid_request',
      /requested_token_type/
    );
    expectOAuthError(
      await exchange({ ...base, subject_token: subject, actor_token: subject }),
      400,
      'invalid_request',
      /actor_token_type parameter is missing/
    );
  });

  /** An access token (RFC 9068) of the trusted JWT issuer for the world's user, made out to this server. */
  const idpAccessToken = (claims: Record<string, unknown>) =>
    signJwt(
      createPrivateKey(idpKey.privatePem),
      { alg: 'ES256', kid: 'idp', typ: 'at+jwt' },
      {
        iss: IDP,
        sub: world.user.username,
        aud: world.gateway.url,
        jti: randomUUID(),
        iat: now(),
        exp: now() + 120,
        ...claims
      }
    );

  it('takes a JWT of an issuer trusted for the assertion grants as the subject token, once', async function () {
    const jwt = await idpAccessToken({ scope: 'read' });
    const res = await exchange({ subject_token: jwt, subject_token_type: JWT, audience: ORDERS_SERVICE });
    expect(res.status, res.text).to.equal(200);
    expect(res.json.scope).to.equal('read');
    expect(await introspect(res.json.access_token)).to.include({ sub: world.user.id, aud: ORDERS_SERVICE });
    const again = await exchange({ subject_token: jwt, subject_token_type: JWT, audience: ORDERS_SERVICE });
    expectOAuthError(again, 400, 'invalid_request', /already used/);
    // RFC 9068 §2.2: a client's own token of that issuer (sub is its client_id) names no user, whatever the name.
    const clientToken = await idpAccessToken({ client_id: world.user.username });
    const asUser = await exchange({ subject_token: clientToken, subject_token_type: JWT, audience: ORDERS_SERVICE });
    expectOAuthError(asUser, 400, 'invalid_request', /names no user/);
  });

  it('refuses a SAML assertion of an identity provider whose assertions the client may not present', async function () {
    const xml = buildAssertion({
      issuer: SAML_IDP,
      nameId: world.user.username,
      audiences: [[world.gateway.url]],
      recipient: `${world.gateway.url}/oauth2/token`
    });
    const res = await exchange({
      subject_token: encodeAssertion(signAssertion(xml, samlKeys.privateKey)),
      subject_token_type: 'urn:ietf:params:oauth:token-type:saml2',
      audience: ORDERS_SERVICE
    });
    expectOAuthError(res, 400, 'invalid_request', /identity provider this client may not present/);
  });

  it('is in the server metadata', async function () {
    const metadata = await request(`${world.gateway.url}/.well-known/oauth-authorization-server`);
    expect(metadata.json.grant_types_supported).to.include(EXCHANGE);
  });
});

/** Issue 21 item 3: the policy parameter exchange, so that each service behind the gateway gets a token for it alone. */
describe('token exchange at the policy: each upstream gets a token meant for it alone', function () {
  let world: World;
  let inspector: App;
  before(async function () {
    const proxy = { proxy: [{ action: { serviceEndpoint: 'backend' } }] };
    world = await startWorld({
      gateway: {
        apiEndpoints: {
          api: { host: '*', paths: ['/api', '/api/*'] },
          orders: { host: '*', paths: ['/orders', '/orders/*'] }
        },
        pipelines: {
          protected: { apiEndpoints: ['api'], policies: [{ oauth2: null }, proxy] },
          orders: {
            apiEndpoints: ['orders'],
            policies: [
              {
                oauth2: [
                  {
                    // hideCredentials false and a token in the query: with exchange the caller's never goes up anyway.
                    action: { exchange: { audience: ORDERS_SERVICE }, allowQueryToken: true, hideCredentials: false }
                  }
                ]
              },
              proxy
            ]
          }
        }
      }
    });
    inspector = await world.addClient('inspector', ['introspection']);
  });
  after(async function () {
    await world?.stop();
  });

  const introspect = (token: string) => introspectAs(world, inspector, token);
  const upstreamToken = (reply: Reply) => String(reply.json.headers.authorization).replace(/^Bearer /, '');

  it("sends the upstream a token for its audience instead of the caller's, minted once per token", async function () {
    const tokens = await passwordTokens(world, 'read');
    const first = await world.api(tokens.access_token, '/orders/1');
    expect(first.status, first.text).to.equal(200);
    const sent = upstreamToken(first);
    expect(sent).to.not.equal(tokens.access_token);
    expect(first.text).not.to.contain(tokens.access_token);
    const facts = await introspect(sent);
    expect(facts).to.include({
      active: true,
      aud: ORDERS_SERVICE,
      sub: world.user.id,
      client_id: world.app.id,
      scope: 'read'
    });
    expect(facts.act).to.deep.equal({ sub: world.gateway.url });
    const original = await introspect(tokens.access_token);
    expect(facts.exp).to.be.at.most(original.exp);

    // Kept: the next call of the same token sends the same one.
    expect(upstreamToken(await world.api(tokens.access_token, '/orders/2'))).to.equal(sent);
    // The upstream's token is the upstream's: the gateway's own APIs refuse it; the caller's works there as before.
    expect((await world.api(sent, '/api')).status).to.equal(401);
    expect((await world.api(tokens.access_token, '/api')).status).to.equal(200);

    // Revoking the caller's grant (its refresh token) revokes the upstream's token too, and the caller is refused.
    await postForm(
      `${world.gateway.url}/oauth2/revoke`,
      { token: tokens.refresh_token },
      { Authorization: basic(world.app.id, world.app.secret) }
    );
    expect((await introspect(sent)).active).to.equal(false);
    expect((await world.api(tokens.access_token, '/orders/3')).status).to.equal(401);
  });

  it("never sends the caller's token upstream, even from the query with hideCredentials off", async function () {
    const token = (await world.token({ grant_type: 'client_credentials' })).json.access_token;
    const reply = await request(`${world.gateway.url}/orders/1?access_token=${encodeURIComponent(token)}`);
    expect(reply.status, reply.text).to.equal(200);
    expect(reply.text).not.to.contain(token);
    expect(reply.json.headers.authorization).to.match(/^Bearer /);
  });

  it('gives a client token its own upstream token too', async function () {
    const token = (await world.token({ grant_type: 'client_credentials' })).json.access_token;
    const reply = await world.api(token, '/orders/1');
    expect(reply.status).to.equal(200);
    const facts = await introspect(upstreamToken(reply));
    expect(facts).to.include({ active: true, aud: ORDERS_SERVICE, sub: world.app.id, client_id: world.app.id });
  });

  it("stops the gateway at start for a pipeline exchanging another issuer's tokens", async function () {
    oncePerRun(this);
    const gateway = await startGateway({
      gateway: {
        apiEndpoints: { orders: { host: '*', paths: ['/orders'] } },
        serviceEndpoints: { backend: { url: 'http://127.0.0.1:9' } },
        pipelines: {
          orders: {
            apiEndpoints: ['orders'],
            policies: [
              {
                oauth2: [
                  {
                    action: {
                      tokenStrategy: 'introspection',
                      introspection: { endpoint: 'https://as.example.com/introspect' },
                      exchange: { audience: ORDERS_SERVICE }
                    }
                  }
                ]
              },
              { proxy: [{ action: { serviceEndpoint: 'backend' } }] }
            ]
          }
        }
      },
      expectExit: true
    });
    try {
      expect(await gateway.exited).to.equal(1);
      expect(gateway.output()).to.match(
        /pipelines\.orders\.policies\.0\.oauth2\.0\.action: exchange needs this plugin's own tokens/
      );
    } finally {
      await gateway.stop();
    }
  });
});

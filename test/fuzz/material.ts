import { expect } from 'chai';
import { seedWorld, SeededWorld } from '../../support/admin-client';
import { Browser, hiddenField, pkcePair, signInForm } from '../../support/browser';
import { FakeServer } from '../helpers/fake-server';
import { authorizeUrl, REDIRECT_URI } from '../helpers/flow';
import { RunningGateway } from '../../support/gateway';
import { basic, postForm, request } from '../../support/http';
import { ecKeyPair, now, rsaKeyPair, signJwt } from '../helpers/keys';
import { buildAssertion, samlIdp, signAssertion } from '../helpers/saml';
import { nastyString, randomJsonValue } from './nasty-values';
import { Random } from './random';

export const JWT_ISSUER = 'https://hr.example.com';
export const SAML_IDP = 'https://idp.example.com/saml';
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The HS256 secret of the registered server whose tokens /api-partner accepts. */
export const UPSTREAM_SECRET = 'an HS256 secret of more than thirty-two bytes';
/** External servers registered at the start; the fuzz reads them over the admin API but never changes them. */
export const SERVERS = ['fuzz-upstream', 'fuzz-open'] as const;

/** What the generator draws good values from: real ids, secrets, tokens and sessions of the running gateway. */
export interface FuzzMaterial {
  confidential: { id: string; secret: string };
  publicClient: { id: string };
  keyClient: { id: string };
  dynamic: { id: string; secret: string; registrationToken: string };
  /** Another dynamically registered client, for the fuzz to delete. */
  doomed: { id: string; registrationToken: string };
  fuzzUser: { id: string; username: string; password: string };
  /** Good access tokens that nothing in the fuzz revokes: API calls with them should pass. */
  accessTokens: string[];
  /** Refresh tokens the fuzz may use, revoke and replay (which revokes their grant). */
  refreshTokens: string[];
  /** Access tokens the fuzz may revoke. */
  expendableTokens: string[];
  registrationScopeToken: string;
  initialAccessToken: string;
  device: { deviceCode: string; userCode: string };
  session: { cookie: string; csrf: string; transactionId: string };
  anonymous: { cookie: string; csrf: string };
  jwtAssertions: string[];
  clientAssertions: string[];
  samlAssertions: string[];
  samlUnsigned: string;
  upstreamTokens: string[];
}

/** Assertions signed by trusted keys but with odd claims: the checks after the signature get fuzzed too. */
async function signedOddities<T>(
  r: Random,
  count: number,
  sign: (odd: Record<string, unknown>) => Promise<T> | T
): Promise<T[]> {
  const claims = ['sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'iss', 'scope'];
  const made: T[] = [await sign({})];
  for (let i = 1; i < count; i++) {
    const odd = Object.fromEntries(
      r.some(claims, 2).map((claim) => [claim, r.chance(0.5) ? nastyString(r) : randomJsonValue(r)])
    );
    made.push(await sign(odd));
  }
  return made;
}

export type Keys = {
  issuerKey: ReturnType<typeof rsaKeyPair>;
  clientKey: ReturnType<typeof ecKeyPair>;
  idp: ReturnType<typeof samlIdp>;
};

type Clients = Pick<FuzzMaterial, 'confidential' | 'publicClient' | 'keyClient' | 'fuzzUser'>;

/**
 * The fuzz user, a confidential app, a public one and one with its own keys (private_key_jwt); alice of `seeded` is
 * kept out of the fuzz.
 */
async function seedClients(
  gateway: RunningGateway,
  upstream: FakeServer,
  keys: Keys
): Promise<Clients & { seeded: SeededWorld }> {
  const { admin } = gateway;
  const seeded = await seedWorld(admin);
  await admin.createScopes(['client_registration']);
  const fuzzUser = {
    ...(await admin.createUser({ username: 'fuzz-user', firstname: 'Fuzz', lastname: 'User' })),
    password: 'fuzz-password-1'
  };
  await admin.createCredential(fuzzUser.id, 'basic-auth', { password: fuzzUser.password, autoGeneratePassword: false });
  const owner = seeded.developer.id;
  const confidential = await admin.registerClient({ name: 'fuzz-app', userId: owner, redirectUri: REDIRECT_URI }, [
    'read',
    'write',
    'client_registration'
  ]);
  const publicClient = await admin.registerClient(
    { name: 'fuzz-public', userId: owner, redirectUri: REDIRECT_URI, public: 'true' },
    ['read', 'write']
  );
  const jwk = { ...keys.clientKey.publicKey.export({ format: 'jwk' }), kid: 'c1', alg: 'ES256' };
  const keyClient = await admin.registerClient(
    { name: 'fuzz-keys', userId: owner, jwks: JSON.stringify({ keys: [jwk] }) },
    ['read']
  );
  await admin.registerClient({ name: 'fuzz-keys-uri', userId: owner, jwksUri: `${upstream.url}/jwks` }, ['read']);
  return { seeded, fuzzUser, confidential, publicClient, keyClient };
}

type Tokens = Pick<FuzzMaterial, 'accessTokens' | 'refreshTokens' | 'expendableTokens' | 'registrationScopeToken'>;

/**
 * Tokens of the confidential app. Those the fuzz may revoke, refresh and replay come from other grants than those it
 * presents to the APIs.
 */
async function issueTokens(url: string, { confidential, fuzzUser }: Clients): Promise<Tokens> {
  const token = async (form: Record<string, string>) => {
    const res = await postForm(`${url}/oauth2/token`, form, {
      Authorization: basic(confidential.id, confidential.secret)
    });
    expect(res.status, res.text).to.equal(200);
    return res.json;
  };
  const password = () =>
    token({ grant_type: 'password', username: fuzzUser.username, password: fuzzUser.password, scope: 'read write' });
  const expendable = [
    await password(),
    await password(),
    await password(),
    await token({ grant_type: 'client_credentials', scope: 'read' })
  ];
  return {
    accessTokens: [
      (await token({ grant_type: 'client_credentials', scope: 'read write' })).access_token,
      (await password()).access_token
    ],
    refreshTokens: expendable.flatMap((tokens) => (tokens.refresh_token ? [tokens.refresh_token] : [])),
    expendableTokens: expendable.map((tokens) => tokens.access_token),
    registrationScopeToken: (await token({ grant_type: 'client_credentials', scope: 'client_registration' }))
      .access_token
  };
}

/** Two dynamically registered clients (one to delete) and an admin-issued initial access token. */
async function registerDynamically(
  gateway: RunningGateway,
  registrationScopeToken: string,
  owner: string
): Promise<Pick<FuzzMaterial, 'dynamic' | 'doomed' | 'initialAccessToken'>> {
  const register = async (name: string) => {
    const res = await request(`${gateway.url}/oauth2/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${registrationScopeToken}` },
      body: JSON.stringify({ grant_types: ['client_credentials'], scope: 'read', client_name: name })
    });
    expect(res.status, res.text).to.equal(201);
    return res.json;
  };
  const dynamic = await register('fuzz-dynamic');
  const doomed = await register('fuzz-doomed');
  const initial = await request(`${gateway.adminUrl}/oauth2/registration-tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ owner, uses: 1000 })
  });
  expect(initial.status, initial.text).to.equal(201);
  return {
    dynamic: {
      id: dynamic.client_id,
      secret: dynamic.client_secret,
      registrationToken: dynamic.registration_access_token
    },
    doomed: { id: doomed.client_id, registrationToken: doomed.registration_access_token },
    initialAccessToken: initial.json.initial_access_token
  };
}

/**
 * Assertions signed by the trusted keys, most with odd claims, so that the checks after the signature get fuzzed too.
 */
async function signAssertions(
  r: Random,
  url: string,
  keys: Keys,
  { keyClient, fuzzUser }: Clients
): Promise<
  Pick<FuzzMaterial, 'jwtAssertions' | 'clientAssertions' | 'samlAssertions' | 'samlUnsigned' | 'upstreamTokens'>
> {
  const tokenUrl = `${url}/oauth2/token`;
  const saml = (nameId: string) =>
    buildAssertion({ issuer: SAML_IDP, nameId, audiences: [[url]], recipient: tokenUrl });
  return {
    jwtAssertions: await signedOddities(r, 40, (odd) =>
      signJwt(
        keys.issuerKey.privateKey,
        { alg: 'RS256', kid: 'hr-1' },
        {
          iss: JWT_ISSUER,
          sub: fuzzUser.username,
          aud: url,
          jti: `j-${r.next()}`,
          iat: now(),
          exp: now() + 300,
          ...odd
        }
      )
    ),
    clientAssertions: await signedOddities(r, 40, (odd) =>
      signJwt(
        keys.clientKey.privateKey,
        { alg: 'ES256', kid: 'c1' },
        {
          iss: keyClient.id,
          sub: keyClient.id,
          aud: tokenUrl,
          jti: `c-${r.next()}`,
          exp: now() + 300,
          ...odd
        }
      )
    ),
    samlAssertions: await signedOddities(r, 12, (odd) =>
      signAssertion(saml(typeof odd.sub === 'string' ? odd.sub : fuzzUser.username), keys.idp.privateKey)
    ),
    samlUnsigned: saml(fuzzUser.username),
    upstreamTokens: [
      await signJwt(
        Buffer.from(UPSTREAM_SECRET),
        { alg: 'HS256', typ: 'at+jwt' },
        {
          iss: 'https://up.example',
          aud: 'api',
          sub: 'someone',
          exp: now() + 3600,
          iat: now(),
          scope: 'read'
        }
      )
    ]
  };
}

/** Seeds the gateway and gathers what the generator needs: clients, tokens, sessions, assertions, servers. */
export async function collectMaterial(
  r: Random,
  gateway: RunningGateway,
  upstream: FakeServer,
  keys: Keys
): Promise<{ seeded: SeededWorld; material: FuzzMaterial }> {
  const { seeded, ...clients } = await seedClients(gateway, upstream, keys);
  const tokens = await issueTokens(gateway.url, clients);
  const started = await postForm(`${gateway.url}/oauth2/device_authorization`, {
    client_id: clients.publicClient.id,
    scope: 'read'
  });
  expect(started.status, started.text).to.equal(200);
  const anonymous = new Browser(gateway.url);
  const loginPage = await anonymous.get('/oauth2/login');
  await registerServers(gateway, upstream);
  const material: FuzzMaterial = {
    ...clients,
    ...tokens,
    ...(await registerDynamically(gateway, tokens.registrationScopeToken, clients.fuzzUser.username)),
    device: { deviceCode: started.json.device_code, userCode: started.json.user_code },
    session: await signedInSession(gateway.url, clients.fuzzUser, clients.publicClient.id),
    anonymous: { cookie: `oauth2.sid=${anonymous.cookie('oauth2.sid')}`, csrf: hiddenField(loginPage.text, '_csrf') },
    ...(await signAssertions(r, gateway.url, keys, clients))
  };
  return { seeded, material };
}

/**
 * A browser session signed in as the fuzz user, stopped at a consent page: its cookie, CSRF token and transaction id.
 */
async function signedInSession(
  url: string,
  user: { username: string; password: string },
  clientId: string
): Promise<FuzzMaterial['session']> {
  const browser = new Browser(url);
  const { challenge } = pkcePair();
  const toLogin = await browser.get(
    authorizeUrl({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      state: 's',
      code_challenge: challenge,
      code_challenge_method: 'S256'
    })
  );
  const loginPage = await browser.get(toLogin.headers.get('location')!);
  const signedIn = await browser.post('/oauth2/login', signInForm(loginPage, user.username, user.password));
  const consent = await browser.follow(signedIn);
  expect(consent.status, consent.text.slice(0, 300)).to.equal(200);
  return {
    cookie: `oauth2.sid=${browser.cookie('oauth2.sid')}`,
    csrf: hiddenField(consent.text, '_csrf'),
    transactionId: hiddenField(consent.text, 'transaction_id')
  };
}

/** The two external servers: one with every endpoint on the fake upstream and JWT tokens, one with introspection. */
async function registerServers(gateway: RunningGateway, upstream: FakeServer): Promise<void> {
  const endpoints = Object.fromEntries(
    ['authorize', 'token', 'introspection', 'revoke', 'createClient', 'removeClient'].map((name) => [
      name,
      { url: `${upstream.url}/${name === 'introspection' ? 'introspect' : name}`, timeout: 5000 }
    ])
  );
  const entries = [
    {
      name: SERVERS[0],
      endpoints,
      allowedGrants: ['client_credentials', 'password'],
      allowedResponseTypes: ['code'],
      loginRedirect: 'https://up.example/login',
      secrets: { 'known-client': 'known client secret' },
      tokenStrategy: {
        name: 'jwt',
        jwt: { issuer: 'https://up.example', audience: 'api', keys: { secret: UPSTREAM_SECRET } }
      }
    },
    {
      name: SERVERS[1],
      endpoints: { token: endpoints.token },
      tokenStrategy: {
        name: 'introspection',
        introspection: {
          endpoint: `${upstream.url}/introspect`,
          clientId: 'rs',
          clientSecret: 'rs-secret',
          cacheTtl: 0
        }
      }
    }
  ];
  for (const entry of entries) {
    const res = await request(`${gateway.adminUrl}/oauth2/servers`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(entry)
    });
    expect(res.status, res.text).to.equal(201);
  }
}

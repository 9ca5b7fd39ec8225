import { REDIRECT_URI } from '../helpers/flow';
import { Param, percentEncode } from './encodings';
import { CLIENT_ASSERTION_TYPE, FuzzMaterial } from './material';
import { garbledJwt } from './jwt-mutations';
import { goodOr, maybeMutated, mutateString, nastyString, randomJsonValue } from './nasty-values';
import type { Random } from './random';
import { garbledSamlAssertion } from './saml-mutations';

/** A value drawn from the running gateway's material, good or bad as the generator's rate says. */
export type Gen = (r: Random, m: FuzzMaterial) => string;

export const GRANTS = [
  'authorization_code',
  'implicit',
  'password',
  'client_credentials',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:saml2-bearer',
  'urn:ietf:params:oauth:grant-type:device_code'
] as const;

export const segment = (value: string) => percentEncode(value);

export const clientId: Gen = (r, m) =>
  maybeMutated(r, r.pick([m.confidential.id, m.publicClient.id, m.keyClient.id, m.dynamic.id, 'known-client']));
export const scope = (r: Random) =>
  goodOr(r, r.pick(['read', 'write', 'read write']), [
    'write read read',
    'introspection',
    'client_registration',
    'openid',
    'admin',
    ''
  ]);
export const username: Gen = (r, m) =>
  maybeMutated(r, r.pick([m.fuzzUser.username, m.fuzzUser.id, 'FUZZ-USER', 'nobody']));
export const redirectUri = (r: Random) =>
  goodOr(r, REDIRECT_URI, [
    `${REDIRECT_URI}?x=1`,
    'http://127.0.0.1:8001/callback',
    'http://localhost:8000/callback',
    'https://evil.example/cb'
  ]);
export const state = (r: Random) => maybeMutated(r, r.pick(['st-123', 'x'.repeat(600), '']));

/** Something shaped like one of our opaque access tokens: at~<app>~<user>~<43 characters>. */
const opaqueLike: Gen = (r, m) => {
  const id = (value: string) => Buffer.from(value).toString('base64url');
  const good = `at~${id(m.confidential.id)}~${id(m.fuzzUser.id)}~${'A'.repeat(43)}`;
  return r.chance(0.5) ? good : `at~${id(nastyString(r))}~${id(nastyString(r))}~${mutateString(r, 'B'.repeat(43))}`;
};

/** An access token: a good one, broken, opaque-shaped, a refresh token in its place, or junk. */
export const accessToken: Gen = (r, m) =>
  r.weighted<Gen>([
    [1 + 10 * (1 - r.rate), () => r.pick(m.accessTokens)],
    [4, () => garbledJwt(r, r.pick(m.accessTokens), 'fuzz-es256')],
    [1, opaqueLike],
    [1, () => r.pick(m.refreshTokens)],
    [1, () => r.pick(m.upstreamTokens)],
    [1, () => nastyString(r)]
  ])(r, m);

/** A token to revoke: never one of the access tokens the API calls rely on. */
export const revocableToken: Gen = (r, m) =>
  r.weighted<Gen>([
    [3, () => maybeMutated(r, r.pick(m.refreshTokens))],
    [3, () => maybeMutated(r, r.pick(m.expendableTokens))],
    [2, () => garbledJwt(r, r.pick(m.accessTokens), 'fuzz-es256')],
    [1, () => nastyString(r)]
  ])(r, m);
export const anyToken: Gen = (r, m) => (r.chance(0.5) ? revocableToken(r, m) : accessToken(r, m));
const jwtAssertion: Gen = (r, m) =>
  r.chance(0.4) ? r.pick(m.jwtAssertions) : garbledJwt(r, r.pick(m.jwtAssertions), 'hr-1');
const samlAssertion: Gen = (r, m) => garbledSamlAssertion(r, m.samlAssertions, m.samlUnsigned);

/** RFC 6749 §4, RFC 7521, RFC 8628: each grant's own parameters, or those of another grant. */
export function tokenParams(r: Random, m: FuzzMaterial): Param[] {
  const odd = 2 * r.rate;
  const grant = r.weighted<string>([
    [20, r.pick(GRANTS.filter((g) => g !== 'implicit'))],
    [odd, 'implicit'],
    [odd, 'unknown'],
    [odd, ''],
    [odd, nastyString(r)],
    [odd, GRANTS[r.int(GRANTS.length)].toUpperCase()]
  ]);
  const params: Param[] = [['grant_type', grant]];
  const add = (name: string, gen: Gen, p = 1 - 0.3 * r.rate) => {
    if (r.chance(p)) params.push([name, gen(r, m)]);
  };
  const of = r.chance(1 - 0.3 * r.rate) ? grant : r.pick(GRANTS);
  if (of === 'authorization_code') {
    add('code', (rr) => nastyString(rr));
    add('redirect_uri', redirectUri);
    add('code_verifier', (rr) => maybeMutated(rr, 'v'.repeat(43)));
  }
  if (of === 'password') {
    add('username', username);
    add('password', (rr) => maybeMutated(rr, m.fuzzUser.password));
  }
  if (of === 'refresh_token') add('refresh_token', (rr) => maybeMutated(rr, rr.pick(m.refreshTokens)));
  if (of.endsWith('jwt-bearer')) add('assertion', jwtAssertion);
  if (of.endsWith('saml2-bearer')) add('assertion', samlAssertion);
  if (of.endsWith('device_code')) add('device_code', (rr) => maybeMutated(rr, m.device.deviceCode));
  add('scope', scope, 0.4);
  return params;
}

/** Client authentication carried in the body: client_secret_post, a public client's client_id, or private_key_jwt. */
export function clientBodyParams(r: Random, m: FuzzMaterial): Param[] {
  return r.weighted<() => Param[]>([
    [
      2,
      () => {
        const { id, secret } = r.pick([m.confidential, m.confidential, m.confidential, m.dynamic]);
        return [
          ['client_id', maybeMutated(r, id)],
          ['client_secret', maybeMutated(r, secret)]
        ];
      }
    ],
    [2, () => [['client_id', maybeMutated(r, m.publicClient.id)]]],
    [
      2,
      () => [
        ['client_assertion_type', maybeMutated(r, CLIENT_ASSERTION_TYPE)],
        [
          'client_assertion',
          r.chance(0.4) ? r.pick(m.clientAssertions) : garbledJwt(r, r.pick(m.clientAssertions), 'c1')
        ],
        ...(r.chance(0.3) ? [['client_id', clientId(r, m)] as Param] : [])
      ]
    ]
  ])();
}

/** RFC 7591 §2 client metadata: a plausible registration at a low rate, odd fields and types at a high one. */
export function dynamicMetadata(r: Random): Param[] {
  const machine = r.chance(0.5);
  const good: Param[] = machine
    ? [
        ['grant_types', ['client_credentials']],
        ['scope', scope(r)]
      ]
    : [
        ['redirect_uris', [redirectUri(r)]],
        ['grant_types', ['authorization_code', 'refresh_token']],
        ['response_types', ['code']]
      ];
  good.push(['client_name', goodOr(r, `fuzz client ${r.int(1000)}`, ['', 'x'.repeat(300), '\u202Eevil'])]);
  const odd: Array<[string, () => unknown]> = [
    ['redirect_uris', () => [redirectUri(r), nastyString(r)]],
    [
      'grant_types',
      () => r.some(['authorization_code', 'client_credentials', 'refresh_token', 'implicit', 'password', 'nope'])
    ],
    ['response_types', () => r.some(['code', 'token', 'id_token'])],
    ['client_name', () => nastyString(r)],
    ['scope', () => scope(r)],
    [
      'token_endpoint_auth_method',
      () => r.pick(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none', 'tls_client_auth', ''])
    ],
    [
      'jwks',
      () => r.pick([{ keys: [] }, { keys: [{ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }] }, { keys: {} }, 'x'])
    ],
    ['jwks_uri', () => r.pick(['https://example.com/jwks', 'file:///etc/passwd', nastyString(r)])],
    ['contacts', () => [nastyString(r)]],
    ['logo_uri', () => nastyString(r)],
    ['client_uri', () => 'https://example.com'],
    ['software_id', () => nastyString(r)],
    ['software_statement', () => nastyString(r)]
  ];
  const strays = r
    .some(odd, Math.round(6 * r.rate))
    .map(([name, gen]): Param => [name, r.chance(0.8) ? gen() : randomJsonValue(r)]);
  const kept = new Set(strays.map(([name]) => name));
  return [...good.filter(([name]) => !kept.has(name)), ...strays];
}

/** A junk server name that still starts with fuzz-scratch: no proxy request names it. */
export const scratchName = (r: Random) => `fuzz-scratch${nastyString(r)}`;

/** An external server entry for the admin API: a usable one at a low rate, odd fields and types at a high one. */
export function serverEntry(r: Random, name: string): Param[] {
  const url = goodOr(r, 'https://as.example/token', [
    'http://127.0.0.1:9/token',
    'http://example.com/token',
    'ftp://x',
    nastyString(r)
  ]);
  const good: Param[] = [
    ['name', name],
    ['endpoints', { token: { url, timeout: 5000 } }],
    [
      'tokenStrategy',
      {
        name: 'jwt',
        jwt: {
          issuer: 'https://as.example',
          audience: 'api',
          keys: { secret: 'a scratch secret of more than thirty-two bytes' }
        }
      }
    ]
  ];
  const odd: Array<[string, () => unknown]> = [
    ['name', () => scratchName(r)],
    ['endpoints', () => ({ token: { url, timeout: r.pick([100, 5000, -1, 'x']) }, [nastyString(r)]: { url } })],
    ['allowedGrants', () => r.some([...GRANTS, 'nope'])],
    ['allowedResponseTypes', () => r.some(['code', 'token', 'nope'])],
    ['loginRedirect', () => url],
    ['secrets', () => ({ [nastyString(r)]: nastyString(r) })],
    [
      'tokenStrategy',
      () =>
        r.pick([
          { name: 'jwt', jwt: { issuer: 'x', audience: 'y', keys: { secret: nastyString(r) } } },
          { name: 'jwt', jwt: { issuer: 'x', audience: 'y', keys: [{ alg: 'RS256', key: nastyString(r) }] } },
          { name: 'jwt', jwt: { issuer: 'x', audience: 'y', keys: [{ alg: 'HS256', keyFile: '/etc/passwd' }] } },
          { name: 'introspection', introspection: { endpoint: url } },
          { name: 'introspection' },
          { name: nastyString(r) }
        ])
    ]
  ];
  // A name of any other type is refused; a string one could be a name the proxy requests use.
  const strays = r
    .some(odd, Math.round(6 * r.rate))
    .map(([field, gen]): Param => [field, field === 'name' || r.chance(0.85) ? gen() : randomJsonValue(r)]);
  const replaced = new Set(strays.map(([field]) => field));
  return [...good.filter(([field]) => !replaced.has(field) && r.chance(1 - 0.2 * r.rate)), ...strays];
}

import { Param, percentEncode } from './encodings';
import type { Credentials } from './endpoints';
import type { FuzzMaterial } from './material';
import { garbledJwt } from './jwt-mutations';
import { goodOr, maybeMutated, mutateString, nastyString, randomUnicode } from './nasty-values';
import { accessToken, clientBodyParams } from './parameters';
import type { Random } from './random';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * A Basic header (RFC 6749 §2.3.1) of a known client, good as often as the rate says, else broken in every way seen.
 */
function basicHeader(r: Random, m: FuzzMaterial): string {
  const { id, secret } = r.pick([m.confidential, m.confidential, m.confidential, m.dynamic]);
  return r.weighted<() => string>([
    [10 * (1 - r.rate), () => `Basic ${b64(`${percentEncode(id)}:${percentEncode(secret)}`)}`],
    [2, () => `Basic ${b64(`${percentEncode(id)}:${percentEncode(maybeMutated(r, secret))}`)}`],
    [1, () => `Basic ${b64(`${id}${secret}`)}`],
    [1, () => `Basic ${mutateString(r, b64(`${id}:${secret}`))}`],
    [
      1,
      () =>
        `Basic ${r.pick(['', ' ', '!!!', '====', 'Og==', 'OjpaOg==', b64(':'), b64('\0:\0'), b64(`${'a'.repeat(5000)}:x`)])}`
    ],
    [1, () => `Basic ${b64(`${nastyString(r)}:${nastyString(r)}`)}`],
    [1, () => `Basic ${b64(`%zz${id}:%${secret}`)}`],
    [1, () => `${r.pick(['basic', 'BASIC', 'Basic  ', 'Basic\t', 'Basi'])} ${b64(`${id}:${secret}`)}`],
    [1, () => 'Basic']
  ])();
}

/** `Bearer <token>` (RFC 6750 §2.1), or the scheme misspelt, doubled, quoted, huge or not ASCII. */
function bearerHeader(r: Random, token: string): string {
  return r.weighted<() => string>([
    [2 + 16 * (1 - r.rate), () => `Bearer ${token}`],
    [1, () => `${r.pick(['bearer', 'BEARER', 'Bearer ', 'Bearer\t', 'Token', 'JWT', 'DPoP', 'MAC'])} ${token}`],
    [
      1,
      () =>
        r.pick([
          'Bearer',
          'Bearer ',
          'Bearer  ',
          `Bearer ${token} ${token}`,
          `Bearer ${token},Bearer ${token}`,
          `Bearer "${token}"`,
          `Bearer=${token}`
        ])
    ],
    [1, () => `Bearer ${'A'.repeat(r.pick([8193, 20000]))}`],
    [1, () => `Bearer ${randomUnicode(r, r.between(1, 30))}`]
  ])();
}

/** The Authorization and Cookie headers of a request, by the credentials its endpoint expects. */
export function credentialHeaders(r: Random, credentials: Credentials, m: FuzzMaterial): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  const authorization = (value: string) =>
    headers.push([r.chance(0.9) ? 'Authorization' : r.pick(['authorization', 'AUTHORIZATION']), value]);
  const badCookie = () =>
    r.pick([
      'oauth2.sid=s%3Aabc.def',
      `oauth2.sid=${'x'.repeat(5000)}`,
      `${m.session.cookie}x`,
      `${m.session.cookie}; ${m.anonymous.cookie}`,
      ';;;==',
      'oauth2.sid=',
      `oauth2.sid=${percentEncode(nastyString(r))}`,
      `oauth2.sid=s:${'a'.repeat(32)}.${'b'.repeat(43)}`
    ]);
  switch (credentials) {
    case 'client':
      break; // clientCredentials chose them, with the body parameters that go along
    case 'bearer':
      r.weighted<() => void>([
        [10, () => authorization(bearerHeader(r, accessToken(r, m)))],
        [4 * r.rate, () => undefined],
        [
          2 * r.rate,
          () => {
            authorization(bearerHeader(r, accessToken(r, m)));
            authorization(bearerHeader(r, accessToken(r, m)));
          }
        ],
        [2 * r.rate, () => authorization(basicHeader(r, m))]
      ])();
      break;
    case 'initial-access':
    case 'registration-access': {
      const token =
        credentials === 'initial-access'
          ? goodOr(r, r.pick([m.registrationScopeToken, m.initialAccessToken]), [
              m.dynamic.registrationToken,
              r.pick(m.accessTokens)
            ])
          : goodOr(r, r.pick([m.dynamic.registrationToken, m.doomed.registrationToken]), [
              m.registrationScopeToken,
              m.initialAccessToken
            ]);
      r.weighted<() => void>([
        [10, () => authorization(bearerHeader(r, token))],
        [
          4 * r.rate,
          () =>
            authorization(`Bearer ${r.chance(0.5) ? garbledJwt(r, r.pick(m.accessTokens)) : mutateString(r, token)}`)
        ],
        [2 * r.rate, () => authorization(basicHeader(r, m))],
        [2 * r.rate, () => undefined]
      ])();
      break;
    }
    case 'session':
      r.weighted<() => void>([
        [10, () => headers.push(['Cookie', m.session.cookie])],
        [2 * r.rate, () => headers.push(['Cookie', m.anonymous.cookie])],
        [2 * r.rate, () => headers.push(['Cookie', badCookie()])],
        [4 * r.rate, () => undefined]
      ])();
      break;
    case 'anonymous-session':
      r.weighted<() => void>([
        [10, () => headers.push(['Cookie', m.anonymous.cookie])],
        [2 * r.rate, () => headers.push(['Cookie', badCookie()])],
        [4 * r.rate, () => undefined]
      ])();
      break;
    default:
      if (r.chance(0.1)) authorization(r.chance(0.5) ? basicHeader(r, m) : bearerHeader(r, accessToken(r, m)));
  }
  return headers;
}

/**
 * How a client authenticates (RFC 6749 §2.3, RFC 7523 §2.2): one good
 * method at a low rate; at a high one also broken Basic headers, bearer
 * tokens in its place, and two methods at once.
 */
export function clientCredentials(r: Random, m: FuzzMaterial): { headers: Array<[string, string]>; params: Param[] } {
  const basic = (): Array<[string, string]> => [['Authorization', basicHeader(r, m)]];
  const body = clientBodyParams(r, m);
  return r.weighted<() => { headers: Array<[string, string]>; params: Param[] }>([
    [6, () => ({ headers: basic(), params: [] })],
    [5, () => ({ headers: [], params: body })],
    [4 * r.rate, () => ({ headers: basic(), params: body })],
    [2 * r.rate, () => ({ headers: [], params: [] })],
    [1 * r.rate, () => ({ headers: [['Authorization', bearerHeader(r, accessToken(r, m))]], params: body })],
    [1 * r.rate, () => ({ headers: [...basic(), ...basic()], params: [] })]
  ])();
}

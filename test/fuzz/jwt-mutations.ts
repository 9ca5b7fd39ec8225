import { createHmac } from 'crypto';
import { mutateString, nastyString, randomJsonValue } from './nasty-values';
import type { Random } from './random';

const b64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined')).toString('base64url');

/** Header tricks of JWT attacks: alg none in its spellings, key confusion, remote keys, crit, unencoded payloads. */
function evilHeader(r: Random, kid: string): unknown {
  return r.pick<() => unknown>([
    () => ({ alg: r.pick(['none', 'None', 'NONE', 'nOnE', 'none ', '']), typ: 'JWT' }),
    () => ({ alg: 'HS256', kid }),
    () => ({
      alg: r.pick(['RS256', 'ES256', 'PS256', 'EdDSA', 'ES512', 'HS1', 'RSA-OAEP', 'dir']),
      kid: r.pick([kid, nastyString(r)])
    }),
    () => ({ alg: 'RS256', kid, jku: 'http://127.0.0.1:1/jwks', x5u: 'http://127.0.0.1:1/cert' }),
    () => ({ alg: 'RS256', kid, jwk: { kty: 'oct', k: 'AAAA' } }),
    () => ({ alg: 'RS256', kid, crit: ['exp', r.pick(['b64', 'zip', 'nope'])], b64: false }),
    () => ({ alg: 'RS256', kid, zip: 'DEF' }),
    () => ({
      alg: 'RS256',
      kid: r.pick(['../../../../dev/null', '*', kid.repeat(200), '']),
      typ: r.pick(['at+jwt', 'JWT', 'jwt', ''])
    }),
    () => ({ alg: randomJsonValue(r), kid: randomJsonValue(r) }),
    () => randomJsonValue(r)
  ])();
}

/**
 * A broken JWT made from a good one (`jwt`): truncated, re-segmented,
 * re-headed, re-signed with the wrong key, unsigned, bloated, non-ASCII.
 */
export function garbledJwt(r: Random, jwt: string, kid = 'k1'): string {
  const [header, payload, signature] = jwt.split('.');
  return r.weighted<() => string>([
    [3, () => jwt.slice(0, r.int(jwt.length))],
    [2, () => mutateString(r, jwt)],
    [1, () => `${header}.${payload}`],
    [1, () => `${header}.${payload}.${signature}.${signature}`],
    [1, () => `${header}..${signature}`],
    [1, () => '..'],
    [1, () => `.${payload}.`],
    [2, () => `${b64url(evilHeader(r, kid))}.${payload}.${r.pick(['', signature, 'AAAA'])}`],
    // Key confusion: HMAC over the token with a public value as the secret.
    [
      1,
      () => {
        const head = b64url({ alg: 'HS256', kid });
        return `${head}.${payload}.${createHmac('sha256', kid).update(`${head}.${payload}`).digest('base64url')}`;
      }
    ],
    [2, () => `${header}.${b64url(randomJsonValue(r))}.${signature}`],
    [1, () => `${header}.${payload}.${r.bytes(r.between(0, 300)).toString('base64url')}`],
    [1, () => `${header}.${payload}.${Buffer.from(signature ?? '', 'base64url').toString('base64')}`],
    [1, () => `${header}.${b64url('x'.repeat(r.pick([10000, 100000])))}.${signature}`],
    [1, () => `${header}.${payload}.${signature}`.replace(/[A-Za-z]/, r.pick(['é', '🔥', '\u202E', '\0', ' ']))],
    [
      1,
      () =>
        [r.bytes(20), r.bytes(20), r.bytes(20)]
          .map((b) => b.toString(r.pick(['base64', 'hex', 'latin1'] as const)))
          .join('.')
    ],
    [1, () => `${b64url(r.pick(['{', 'null', '[]', '"x"', '{"alg":"RS256"']))}.${payload}.${signature}`],
    [1, () => `${header}.${b64url(r.pick(['{', 'null', '[]', '1', '{"sub":']))}.${signature}`],
    [
      1,
      () =>
        `${header}.${b64url(`{"sub":${'['.repeat(3000)}${']'.repeat(3000)},"x":${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}}`)}.${signature}`
    ]
  ])();
}

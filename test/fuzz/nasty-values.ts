import type { Random } from './random';

/** Strings that broke parsers, templates, stores and loggers somewhere before. */
const NASTY = [
  '',
  ' ',
  '\t',
  '\r\n',
  '\0',
  'null',
  'undefined',
  'true',
  'false',
  'NaN',
  '-1',
  '0',
  '1e309',
  '0x10',
  '9'.repeat(40),
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '__defineGetter__',
  '{}',
  '[]',
  '{"a":1}',
  '["x"]',
  '"',
  "'",
  '\\',
  '\\u0000',
  '%',
  '%%',
  '%zz',
  '%00',
  '%u0041',
  '+',
  '&',
  '=',
  '&=&',
  '?',
  '#',
  ';',
  "' OR '1'='1",
  '"; DROP TABLE users; --',
  '{"$gt":""}',
  '$where',
  '*',
  '?*',
  '[a-z]',
  'key:*',
  '\r\n*1\r\n$8\r\nFLUSHALL\r\n',
  '../../../../etc/passwd',
  '..%2f..%2f',
  '/',
  '//',
  '.',
  '..',
  'C:\\Windows\\win.ini',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'http://127.0.0.1:1/',
  'https://evil.example/cb',
  'http://[::1',
  'http://a b',
  'http://user:pass@127.0.0.1:8000/callback',
  'http://127.0.0.1:8000/callback#frag',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '#{7*7}',
  '${7*7}',
  '{{7*7}}',
  '<%= 7*7 %>',
  '%s%s%s%n%x',
  '\u202Eevil\u202C',
  '\u200B',
  '\u200D',
  '\uFEFF',
  '🔥',
  '👩‍👩‍👧‍👦',
  'e\u0301\u0301\u0301',
  'Ω≈ç√∫',
  '中文',
  'مرحبا',
  'עברית',
  '\uD800',
  '\uDFFF',
  '\uDBFF\uDC00',
  '\uFFFF',
  '\u0085',
  '\u2028',
  '\u2029',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗͔̊͋',
  'Bearer',
  'Basic',
  'Bearer Bearer',
  'a'.repeat(257),
  'é'.repeat(300)
] as const;

/** An unpleasant string of every kind: special, unicode, long, random. */
export function nastyString(r: Random): string {
  return r.weighted<() => string>([
    [6, () => r.pick(NASTY)],
    [2, () => randomUnicode(r, r.between(1, 40))],
    [1, () => r.pick(['x', 'é', '🔥', '%', '\0']).repeat(r.pick([100, 1000, 10000, 70000]))],
    [1, () => r.bytes(r.between(1, 64)).toString('latin1')],
    [1, () => `${r.pick(NASTY)}${r.pick(NASTY)}${r.pick(NASTY)}`]
  ])();
}

/** Code points from every plane, control characters and lone surrogates included. */
export function randomUnicode(r: Random, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) {
    const code = r.weighted<() => number>([
      [4, () => r.between(0x20, 0x7e)],
      [1, () => r.between(0, 0x1f)],
      [2, () => r.between(0x80, 0x7ff)],
      [2, () => r.between(0x800, 0xffff)],
      [1, () => r.between(0x10000, 0x10ffff)]
    ])();
    text += String.fromCodePoint(code);
  }
  return text;
}

/** A small change of a good value: cut, a character changed, case flipped, padded, doubled. */
export function mutateString(r: Random, value: string): string {
  if (value.length === 0) return nastyString(r);
  const at = r.int(value.length);
  return r.weighted<() => string>([
    [3, () => value.slice(0, at)],
    [
      3,
      () => value.slice(0, at) + r.pick(['A', '.', '~', '%', '\0', 'é', '🔥', ' ', '=', '+', '/']) + value.slice(at + 1)
    ],
    [1, () => value.toUpperCase()],
    [1, () => ` ${value} `],
    [1, () => value + value],
    [1, () => value + r.pick(NASTY)],
    [1, () => value.slice(at) + value.slice(0, at)]
  ])();
}

/** The good value, a small change of it or something nasty, as often as the generator's rate says. */
export function maybeMutated(r: Random, good: string): string {
  return r.weighted<() => string>([
    [10 * (1 - r.rate), () => good],
    [6 * r.rate, () => mutateString(r, good)],
    [4 * r.rate, () => nastyString(r)]
  ])();
}

/** A JSON value of any type, nested a little: what a JSON body carries where a string is expected. */
export function randomJsonValue(r: Random, depth = 0): unknown {
  return r.weighted<() => unknown>([
    [4, () => nastyString(r)],
    [1, () => r.pick([0, -1, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2])],
    [1, () => r.pick([true, false, null])],
    [depth < 3 ? 1 : 0, () => Array.from({ length: r.int(4) }, () => randomJsonValue(r, depth + 1))],
    [
      depth < 3 ? 1 : 0,
      () =>
        Object.fromEntries(
          Array.from({ length: r.int(4) }, () => [
            r.pick(['a', '__proto__', 'constructor', '', nastyString(r)]),
            randomJsonValue(r, depth + 1)
          ])
        )
    ]
  ])();
}

/** Usually the good value, as often as the rate allows; otherwise one of the near misses, possibly changed. */
export function goodOr(r: Random, good: string, nearMisses: readonly string[]): string {
  return r.chance(1 - r.rate) ? good : maybeMutated(r, r.pick(nearMisses));
}

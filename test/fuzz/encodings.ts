import { gzipSync } from 'zlib';
import { nastyString, randomJsonValue } from './nasty-values';
import type { Random } from './random';

/** A parameter as the generator means it: a name and a value of any JSON type (forms send strings). */
export type Param = [string, unknown];

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

const asText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined'));

/** encodeURIComponent that never throws: a lone surrogate goes out as U+FFFD, as a browser would send it. */
export function percentEncode(text: string): string {
  return encodeURIComponent(Buffer.from(text, 'utf8').toString('utf8'));
}

/** A 1 MiB value, made once. */
const MEGABYTE = 'A'.repeat(1_048_576);

const bombs = new Map<string, Buffer>();
/** 16 MB of one character in about 16 kB of gzip, made once: the size limit must hold on the inflated body. */
function gzipBomb(fill: string): Buffer {
  let bomb = bombs.get(fill);
  if (!bomb) bombs.set(fill, (bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024, fill))));
  return bomb;
}

/** Percent-encoding gone wrong: bad escapes, overlong UTF-8, encoded surrogates and NULs, raw bytes. */
const BAD_ESCAPES = [
  '%zz',
  '%',
  '%4',
  '%C0%AF',
  '%E0%80%AF',
  '%ED%A0%80',
  '%00',
  '%FF%FE',
  '%F4%90%80%80',
  '%u0041',
  '\xff',
  '\x80',
  '+%2B+'
];

function badlyEncoded(r: Random, text: string): string {
  const encoded = percentEncode(text);
  const at = r.int(encoded.length + 1);
  return encoded.slice(0, at) + r.pick(BAD_ESCAPES) + encoded.slice(at);
}

/**
 * Parameters as a query string or form body: proper (always, when `clean`), bracketed (qs arrays/objects) or broken.
 */
export function formEncode(r: Random, params: readonly Param[], clean = false): string {
  const style = clean
    ? 'proper'
    : r.weighted<string>([
        [6, 'proper'],
        [2, 'bad-escapes'],
        [1, 'brackets'],
        [1, 'separators']
      ]);
  const pairs = params.map(([name, value]) => {
    const text = asText(value);
    if (style === 'brackets' && r.chance(0.5)) {
      const key = `${name}${r.pick(['[]', '[0]', '[x]', '[__proto__]', '[][]', '.x', '[', ']'])}`;
      return `${percentEncode(key).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${percentEncode(text)}`;
    }
    if (style === 'bad-escapes' && r.chance(0.5))
      return `${r.chance(0.2) ? badlyEncoded(r, name) : percentEncode(name)}=${badlyEncoded(r, text)}`;
    return `${percentEncode(name)}=${percentEncode(text)}`;
  });
  if (style === 'separators')
    return pairs.map((pair) => pair + r.pick(['&', '&&', ';', '&=&', '&&&=', '\n&'])).join('');
  return pairs.join('&');
}

/** JSON that a strict parser refuses or that is valid but of the wrong shape. */
function brokenJson(r: Random, params: readonly Param[]): string {
  const good = JSON.stringify(Object.fromEntries(params));
  return r.pick<() => string>([
    () => good.slice(0, r.int(good.length)),
    () => good.replace(/}$/, ',}'),
    () => `\uFEFF${good}`,
    () => good.replace(/:/, ':NaN,"x":'),
    () => `${'['.repeat(r.pick([100, 5000, 20000]))}${']'.repeat(r.pick([0, 5000, 20000]))}`,
    () => `{${params.map(([name]) => `"${name}":1,"${name}":"x"`).join(',')}}`,
    () => JSON.stringify(params),
    () => JSON.stringify(randomJsonValue(r)),
    () =>
      r.pick([
        'null',
        '0',
        '"x"',
        'true',
        '',
        ' ',
        '{"__proto__":{"polluted":1}}',
        '{"constructor":{"prototype":{"polluted":1}}}'
      ])
  ])();
}

/** A body, its natural content type, and whether it is deliberately huge. */
export interface EncodedBody {
  body: Buffer;
  contentType?: string;
  extraHeaders?: Array<[string, string]>;
}

/** How the generator carries `params` in a body: in the expected format when `clean`, else often not. */
export function encodeBody(
  r: Random,
  params: readonly Param[],
  expected: 'form' | 'json',
  clean: boolean
): EncodedBody {
  const kind = clean
    ? expected
    : r.weighted<string>([
        [12, expected],
        [3, expected === 'form' ? 'json' : 'form'],
        [3, 'broken-json'],
        [2, 'bytes'],
        [1, 'huge-field'],
        [1, 'many-params'],
        [1, 'empty'],
        [1, 'multipart'],
        [1, 'gzip'],
        [1, 'gzip-bomb'],
        [1, 'xml'],
        [1, 'utf16']
      ]);
  switch (kind) {
    case 'form':
      return { body: Buffer.from(formEncode(r, params, clean), 'latin1'), contentType: FORM };
    case 'json': {
      const shaped = params.map(([name, value]): Param => [name, r.chance(0.15) ? randomJsonValue(r) : value]);
      return { body: Buffer.from(JSON.stringify(Object.fromEntries(shaped))), contentType: JSON_TYPE };
    }
    case 'broken-json':
      return { body: Buffer.from(brokenJson(r, params)), contentType: JSON_TYPE };
    case 'bytes':
      return { body: r.bytes(r.between(1, 4096)), contentType: r.pick([FORM, JSON_TYPE, 'application/octet-stream']) };
    case 'huge-field': {
      const [name] = r.pick(params.length ? params : ([['x', '']] as Param[]));
      const text = `${formEncode(r, params)}&${percentEncode(name)}=${MEGABYTE}`;
      return expected === 'json'
        ? {
            body: Buffer.from(JSON.stringify({ ...Object.fromEntries(params), [name]: MEGABYTE })),
            contentType: JSON_TYPE
          }
        : { body: Buffer.from(text), contentType: FORM };
    }
    case 'many-params':
      return {
        body: Buffer.from(
          `${formEncode(r, params)}&${Array.from({ length: 10_000 }, (_, i) => `${r.chance(0.5) ? 'p' : 'scope'}${i % 7 ? i : ''}=${i}`).join('&')}`
        ),
        contentType: FORM
      };
    case 'empty':
      return { body: Buffer.alloc(0), contentType: r.pick([FORM, JSON_TYPE, undefined]) };
    case 'multipart': {
      const boundary = r.pick(['xYzZY', '', '"', 'a'.repeat(100)]);
      const parts = params
        .map(
          ([name, value]) =>
            `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${asText(value)}\r\n`
        )
        .join('');
      return {
        body: Buffer.from(`${parts}--${boundary}--\r\n`),
        contentType: `multipart/form-data; boundary=${boundary}`
      };
    }
    case 'gzip':
      return {
        body: r.chance(0.5) ? gzipSync(formEncode(r, params)) : r.bytes(200),
        contentType: expected === 'json' ? JSON_TYPE : FORM,
        extraHeaders: [['Content-Encoding', r.pick(['gzip', 'deflate', 'br', 'compress', 'identity, gzip', 'x-nope'])]]
      };
    case 'gzip-bomb':
      return {
        body: gzipBomb(expected === 'json' ? ' ' : 'a'),
        contentType: expected === 'json' ? JSON_TYPE : FORM,
        extraHeaders: [['Content-Encoding', 'gzip']]
      };
    case 'xml':
      return {
        body: Buffer.from(
          `<?xml version="1.0"?><a>${params.map(([n, v]) => `<${n}>${asText(v)}</${n}>`).join('')}</a>`
        ),
        contentType: r.pick(['application/xml', FORM])
      };
    default:
      return {
        body: Buffer.from(`\ufeff${formEncode(r, params)}`, 'utf16le'),
        contentType: `${expected === 'json' ? JSON_TYPE : FORM}; charset=utf-16`
      };
  }
}

/** The Content-Type header(s) to send: the body's own (always, when `clean`), else missing, wrong, doubled or odd. */
export function contentTypeHeaders(r: Random, natural: string | undefined, clean: boolean): Array<[string, string]> {
  if (clean) return natural ? [['Content-Type', natural]] : [];
  const odd = () =>
    r.pick([
      FORM,
      JSON_TYPE,
      'text/plain',
      'application/jwt',
      'application/xml',
      'multipart/form-data',
      '*/*',
      '',
      ';',
      'application/',
      `${FORM}; charset=${r.pick(['utf-8', 'UTF-8', 'latin1', 'utf-16', 'nope', '"utf-8"', ''])}`,
      `${JSON_TYPE}; charset=koi8-r`,
      FORM.toUpperCase(),
      `${FORM}, ${JSON_TYPE}`,
      `${FORM};;;;`,
      `${FORM}; ${'x=y; '.repeat(200)}`,
      nastyString(r)
    ]);
  return r.weighted<() => Array<[string, string]>>([
    [14, () => (natural ? [['Content-Type', natural]] : [])],
    [2, () => []],
    [3, () => [['Content-Type', odd()]]],
    [
      1,
      () => [
        ['Content-Type', natural ?? FORM],
        ['Content-Type', odd()]
      ]
    ]
  ])();
}

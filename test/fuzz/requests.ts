import { contentTypeHeaders, encodeBody, formEncode, Param, percentEncode } from './encodings';
import { Endpoint, ENDPOINTS } from './endpoints';
import { clientCredentials, credentialHeaders } from './credentials';
import type { FuzzMaterial } from './material';
import { mutateString, nastyString, randomUnicode } from './nasty-values';
import { Random } from './random';

/** One generated request, before it knows the ports it goes to. */
export interface FuzzRequest {
  index: number;
  endpoint: string;
  target: Endpoint['target'];
  method: string;
  path: string;
  headers: Array<[string, string]>;
  body: Buffer;
  /** Its 400 and 401 answers must be RFC 6749 §5.2 JSON. */
  rfcErrors: boolean;
}

/** Methods an endpoint does not take (all known to Node's parser, so they reach the gateway). */
const OTHER_METHODS = [
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
  'SEARCH',
  'PURGE'
];

/** Node refuses to send (and its server to read) a path with bytes outside 0x21-0x7e: percent-encode those. */
const wirePath = (path: string) => path.replace(/[^\x21-\x7e]/gu, (c) => percentEncode(c));

/** Header values go out as bytes: UTF-8 text as Latin-1, control characters (which HTTP forbids) as '?'. */
const wireValue = (value: string) =>
  Buffer.from(value, 'utf8')
    .toString('latin1')
    .replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '?');

/** Parameters dropped, repeated, renamed, filled with junk, or joined by strangers, as often as the rate says. */
function mutateParams(r: Random, params: Param[]): Param[] {
  const often = (p: number) => r.chance(p * 2 * r.rate);
  let out = [...params];
  if (often(0.15)) out = out.filter(() => r.chance(0.6));
  if (often(0.12) && out.length) {
    const [name, value] = r.pick(out);
    out.splice(r.int(out.length + 1), 0, [name, r.chance(0.5) ? value : nastyString(r)]);
  }
  if (often(0.15) && out.length) {
    const at = r.int(out.length);
    out[at] = [out[at][0], nastyString(r)];
  }
  if (often(0.05) && out.length) {
    const at = r.int(out.length);
    out[at] = [
      r.pick([out[at][0].toUpperCase(), ` ${out[at][0]}`, `${out[at][0]}\0`, mutateString(r, out[at][0])]),
      out[at][1]
    ];
  }
  if (often(0.1))
    out.push([r.pick(['__proto__', 'constructor', 'x', nastyString(r), 'access_token', 'client_id']), nastyString(r)]);
  return out;
}

/** Headers a client or a proxy in front may add: forwarding, spoofed identity, odd Accept, huge or non-ASCII values. */
function extraHeaders(r: Random): Array<[string, string]> {
  const choices: Array<[string, () => string]> = [
    [
      'X-Forwarded-For',
      () =>
        r.pick([
          '1.2.3.4',
          '1.2.3.4, 5.6.7.8',
          '::1',
          'unknown',
          nastyString(r),
          Array.from({ length: 500 }, (_, i) => `10.0.${i % 256}.1`).join(', ')
        ])
    ],
    ['X-Forwarded-Proto', () => r.pick(['https', 'http', 'https, http', nastyString(r)])],
    ['X-Forwarded-Host', () => r.pick(['evil.example', nastyString(r)])],
    ['Accept', () => r.pick(['text/html', '*/*', 'application/json;q=0', 'image/png', nastyString(r)])],
    ['Accept-Encoding', () => r.pick(['gzip, br', 'identity;q=0', '*;q=0', nastyString(r)])],
    ['Accept-Language', () => r.pick(['fr-CH, fr;q=0.9', 'x'.repeat(1000), nastyString(r)])],
    ['Origin', () => r.pick(['https://evil.example', 'null', nastyString(r)])],
    ['Referer', () => nastyString(r)],
    ['eg-consumer-id', () => nastyString(r)],
    ['x-authenticated-userid', () => 'admin'],
    ['X-Big', () => 'x'.repeat(r.pick([4000, 20000]))],
    ['Expect', () => '100-continue'],
    ['Connection', () => r.pick(['close', 'keep-alive, X-Big', 'Upgrade'])],
    ['Range', () => r.pick(['bytes=0-0', 'bytes=-1', nastyString(r)])],
    ['If-None-Match', () => nastyString(r)],
    ['X-Unicode', () => randomUnicode(r, 20)]
  ];
  return r.chance(0.3) ? r.some(choices, 3).map(([name, value]) => [name, value()]) : [];
}

/**
 * Odd spellings of a path: doubled slashes, dot segments, encoded
 * separators, case, suffixes, length. On the admin port only those that stay
 * under /oauth2/: EG's admin app reads every other path itself, plugin or not.
 */
function mutatePath(r: Random, path: string, target: Endpoint['target']): string {
  const [route, query] = path.split(/\?(.*)/s);
  const anywhere = [
    () => route.replace('/', '//'),
    () => route.toUpperCase(),
    () => `/${route.slice(1).replace(/\//g, '%2F')}`
  ];
  const odd = r.pick<() => string>([
    ...(target === 'gateway' ? anywhere : []),
    () => route.replace(/\/([^/]*)$/, '//$1'),
    () => route.replace(/^\/([^/]+)/, '/$1/%2e%2e/$1'),
    () => route.replace(/^\/([^/]+)/, '/$1/./'),
    () => `${route}/`,
    () => `${route};jsessionid=x`,
    () => `${route}%00`,
    () => `${route}%2F`,
    () => `${route}.json`,
    () => `${route}/${'a'.repeat(r.pick([300, 8000]))}`,
    () => `${route}/${percentEncode(nastyString(r))}`,
    () => `${route}%`,
    () => `${route}#fragment`,
    () => `/oauth2/${percentEncode(randomUnicode(r, 5))}`
  ])();
  return query === undefined ? odd : `${odd}?${query}`;
}

/** How far a request strays from a good one. */
const MODES: ReadonlyArray<readonly [number, { rate: number; clean: boolean }]> = [
  /** Well-formed, one or two values wrong: reaches grants, validators and stores. */
  [35, { rate: 0.1, clean: true }],
  /** Well-formed HTTP carrying many bad values. */
  [30, { rate: 0.5, clean: true }],
  /** The envelope broken too: encodings, content types, methods, paths, headers. */
  [35, { rate: 0.5, clean: false }]
];

/**
 * Request `index` of the run with this seed: an endpoint, then its
 * parameters, their carrier, credentials, headers and path, strayed from a
 * good request as far as its mode says. The same seed and index give the
 * same request.
 */
export function generateRequest(seed: number, index: number, m: FuzzMaterial): FuzzRequest {
  const r = new Random(seed, index);
  const { rate, clean } = r.weighted(MODES);
  r.rate = rate;
  const endpoint = r.weighted(ENDPOINTS.map((e) => [e.weight, e] as const));
  const method = clean || endpoint.fixedMethods || r.chance(0.9) ? r.pick(endpoint.methods) : r.pick(OTHER_METHODS);
  const client = endpoint.credentials === 'client' ? clientCredentials(r, m) : { headers: [], params: [] };
  const params = mutateParams(r, [...endpoint.params(r, m), ...client.params]);
  const headers: Array<[string, string]> = [];
  let path = endpoint.path(r, m);
  let body: Buffer = Buffer.alloc(0);
  const inQuery = endpoint.carrier === 'query' || ((method === 'GET' || method === 'HEAD') && (clean || r.chance(0.8)));
  if (inQuery && params.length) path += `${path.includes('?') ? '&' : '?'}${formEncode(r, params, clean)}`;
  if (!inQuery && endpoint.carrier !== 'none') {
    const encoded = encodeBody(r, params, endpoint.carrier === 'json' ? 'json' : 'form', clean);
    body = encoded.body;
    headers.push(...contentTypeHeaders(r, encoded.contentType, clean), ...(encoded.extraHeaders ?? []));
  }
  headers.push(...client.headers, ...credentialHeaders(r, endpoint.credentials, m));
  if (!clean) {
    if (r.chance(0.1))
      path += `${path.includes('?') ? '&' : '?'}${formEncode(r, [
        [nastyString(r), nastyString(r)],
        ['x', 'y'.repeat(r.pick([10, 5000]))]
      ])}`;
    headers.push(...extraHeaders(r));
    if (r.chance(0.15)) path = mutatePath(r, path, endpoint.target);
  }
  return {
    index,
    endpoint: endpoint.name,
    target: endpoint.target,
    method,
    path: wirePath(path),
    headers: headers.map(([n, v]) => [n, wireValue(v)]),
    body,
    rfcErrors: Boolean(endpoint.rfcErrors)
  };
}

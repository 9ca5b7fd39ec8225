/**
 * Resource identifiers (RFC 8707 §2, RFC 9728 §1.2): absolute URLs without a fragment naming one protected resource.
 */

/** Where an API endpoint is served, as EG holds it (gateway.config.yml, or the route EG puts in req.egContext). */
export interface EndpointRoute {
  host?: unknown;
  hostRegex?: unknown;
  paths?: unknown;
  path?: unknown;
  pathRegex?: unknown;
  /** The scopes its calls need (EG's `scopes`). */
  scopes?: unknown;
}

const MAX_LENGTH = 2048;

/**
 * Whether a value may name a resource (RFC 8707 §2: an absolute URI without a fragment). Only http(s) URLs with a host
 * are taken: they are what a protected resource's metadata lives under (RFC 9728 §3).
 */
export function isResourceIdentifier(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return false;
  if (value.includes('#') || /[\s"\\<>^`{|}]/.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '' && !url.username && !url.password
  );
}

/**
 * One spelling per resource, so that the same URL written another way names the same one: scheme and host in lower
 * case, no default port, no trailing `/` (an origin has no path at all), the query kept.
 * @param value an identifier (isResourceIdentifier).
 */
export function canonicalResource(value: string): string {
  const url = new URL(value);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path}${url.search === '?' ? '' : url.search}`;
}

/** @throws TypeError, when a pipeline's `resource` cannot name a resource, naming the parameter. */
export function requireResourceIdentifier(value: string | undefined): void {
  if (value !== undefined && !isResourceIdentifier(value))
    throw new TypeError('oauth2 policy: resource must be an http(s) URL with a host and no fragment or user');
}

/** Characters that make an Express 4 path segment a pattern rather than text (path-to-regexp 0.1). */
const PATTERN = /[*:()?+[\]|{}$^\\]/;

/** The literal start of an Express path: the segments before the first pattern, without a final `/`. */
function literalPrefix(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/').slice(1)) {
    if (PATTERN.test(segment)) break;
    segments.push(segment);
  }
  return segments.length ? `/${segments.join('/')}`.replace(/\/+$/, '') : '';
}

/** Whether a path is EG's catch-all: any path of the host. */
const isCatchAll = (path: string) => path === '*' || path === '/*' || path === '/' || path === '';

/** The longest run of whole segments two paths share. */
function sharedPrefix(a: string, b: string): string {
  const left = a.split('/');
  const right = b.split('/');
  let n = 0;
  while (n < left.length && n < right.length && left[n] === right[n]) n++;
  return left.slice(0, n).join('/');
}

/**
 * The identifier an API endpoint has when its pipeline names none: the gateway's public origin (the issuer's, or
 * the endpoint's own host on the issuer's scheme and port) and the literal path every one of its paths starts with.
 * `/orders/*` and `/orders` give `https://gw.example.com/orders`; `*` gives the origin. None for a `hostRegex`, a
 * `pathRegex` or a wildcard host, nor for paths that share no literal start (`/mcp` and `/sse`, `/:tenant/x`): no one
 * URL names them, and the origin would name every API of the host.
 */
export function derivedResource(route: EndpointRoute, issuer: string): string | null {
  if (route.hostRegex !== undefined || route.pathRegex !== undefined) return null;
  const base = new URL(issuer);
  if (typeof route.host === 'string' && route.host !== '*') {
    if (!/^[A-Za-z0-9.-]+$/.test(route.host)) return null;
    base.hostname = route.host;
  }
  const listed = [route.paths ?? route.path ?? []].flat().filter((p): p is string => typeof p === 'string');
  const paths = listed.length ? listed : ['*'];
  const path = paths.map(literalPrefix).reduce(sharedPrefix);
  if (path === '' && !paths.every(isCatchAll)) return null;
  const derived = `${base.origin}${path}`;
  return isResourceIdentifier(derived) ? canonicalResource(derived) : null;
}

/**
 * Where a resource's metadata is (RFC 9728 §3.1): the well-known segment inserted between the host and the path; a
 * trailing `/` of the path is dropped, a query kept.
 */
export function metadataUrl(resource: string): string {
  const url = new URL(canonicalResource(resource));
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}/.well-known/oauth-protected-resource${path}${url.search}`;
}

import type { IncomingHttpHeaders } from 'http';

/** The bounds settings clientIdMetadataDocuments puts on how long a document is used. */
export interface CacheBounds {
  minCacheSeconds: number;
  maxCacheSeconds: number;
}

/** The freshness lifetime an answer's headers give, in seconds (RFC 9111 §4.2.1), or undefined when none. */
function declaredLifetime(headers: IncomingHttpHeaders): number | undefined {
  const directives = String(headers['cache-control'] ?? '')
    .toLowerCase()
    .split(',')
    .map((part) => part.trim());
  if (directives.some((d) => d === 'no-store' || d === 'no-cache')) return 0;
  const maxAge = directives.find((d) => d.startsWith('max-age='));
  if (maxAge) {
    const seconds = Number(maxAge.slice('max-age='.length).replace(/^"|"$/g, ''));
    return Number.isInteger(seconds) && seconds >= 0 ? seconds : 0; // §4.2.1: an invalid max-age is stale
  }
  if (headers.expires === undefined) return undefined;
  const expires = Date.parse(headers.expires);
  const date = headers.date === undefined ? Date.now() : Date.parse(headers.date);
  // §5.3: an invalid Expires (such as "0") means already expired.
  return Number.isNaN(expires) || Number.isNaN(date) ? 0 : Math.max(0, Math.floor((expires - date) / 1000));
}

/**
 * How long a fetched document is used before it is fetched again, in seconds: what its
 * caching headers say (draft-ietf-oauth-client-id-metadata-document §5.2: RFC 9111), within
 * the operator's bounds, and the lower bound when they say nothing.
 */
export function documentLifetime(headers: IncomingHttpHeaders, bounds: CacheBounds): number {
  const declared = declaredLifetime(headers) ?? bounds.minCacheSeconds;
  return Math.min(bounds.maxCacheSeconds, Math.max(bounds.minCacheSeconds, declared));
}

import { URI_CHARACTERS } from '../client-urls/client-url-rule';

/** Longest client_id URL accepted: the most any client id may be here (client.repository.ts). */
const MAX_LENGTH = 200;

/**
 * Whether a client_id names a metadata document rather than an app: an https URL
 * (draft-ietf-oauth-client-id-metadata-document §3). The apps EG makes have UUIDs, never this.
 */
export function isDocumentClientId(clientId: unknown): clientId is string {
  return typeof clientId === 'string' && clientId.startsWith('https://');
}

/** A path segment `.` or `..`, also percent-encoded (RFC 3986 §3.3, §5.2.4). */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * Why an https client_id cannot be a client ID metadata document URL (§3), as a
 * phrase completing "The client_id URL ...", or undefined when it can: a path
 * other than `/`, no dot segment, fragment, user name or password, written as
 * WHATWG URL writes it (so that one document has one client_id, compared as
 * strings) in RFC 3986's characters.
 */
export function documentClientIdProblem(clientId: string): string | undefined {
  if (clientId.length > MAX_LENGTH) return `is longer than ${MAX_LENGTH} characters`;
  if (!URI_CHARACTERS.test(clientId)) return 'holds a character a URI is not written in';
  if (clientId.includes('#')) return 'has a fragment';
  const path = clientId.replace(/^https:\/\/[^/?]*/, '').replace(/\?.*$/, '');
  if (path.split('/').some((segment) => DOT_SEGMENT.test(segment))) return 'has a . or .. path segment';
  let parsed: URL;
  try {
    parsed = new URL(clientId);
  } catch {
    return 'is not an absolute URL';
  }
  if (parsed.username || parsed.password) return 'holds a user name or password';
  if (parsed.pathname === '/' || parsed.pathname === '') return 'has no path (it must name a document)';
  if (parsed.href !== clientId) return `is not written as ${parsed.href} (lowercase host, no default port)`;
  return undefined;
}

/** The host (with its port, if any) of a document client_id, as the consent page shows it. */
export function documentHost(clientId: string): string {
  return new URL(clientId).host;
}

/**
 * Whether `allowedHosts` (clientIdMetadataDocuments) lets a host's documents in:
 * an exact entry, or `*.suffix` for its subdomains; an empty list lets any in.
 */
export function isAllowedHost(host: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  // `*.example.com` matches below example.com on the default port (a host with a port ends with `:port`).
  return allowed.some((entry) => (entry.startsWith('*.') ? host.endsWith(entry.slice(1)) : host === entry));
}

import { InvalidRedirectUri } from '../errors';

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);
const MAX_LENGTH = 2000;

/**
 * Why a redirect URI cannot be registered, or null when it can: absolute
 * and without a fragment (RFC 6749 §3.1.2), compared exactly, so no
 * wildcard (RFC 9700 §4.1.3), and over https so that codes and tokens never
 * cross the network in clear; plain http only on loopback, where native
 * apps listen (RFC 8252 §7.3).
 */
function redirectUriProblem(uri: unknown): string | null {
  if (typeof uri !== 'string' || !uri) return 'must be a non-empty string';
  if (uri.length > MAX_LENGTH) return `is longer than ${MAX_LENGTH} characters`;
  if (uri.includes('#')) return 'must not have a fragment';
  if (uri.includes('*')) return 'must not hold a wildcard';
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return 'must be an absolute URI';
  }
  if (parsed.protocol === 'https:') return parsed.hostname ? null : 'must name a host';
  if (parsed.protocol === 'http:') return LOOPBACK.has(parsed.hostname) ? null : 'must use https (plain http only on 127.0.0.1, [::1] or localhost)';
  return 'must use https (plain http only on loopback)';
}

/**
 * The redirect URIs of a registration (RFC 7591 §2).
 * @param required whether a redirect-based grant was asked for, which needs at least one
 * @throws InvalidRedirectUri naming the first unusable URI
 */
export function checkRedirectUris(value: unknown, required: boolean): string[] {
  const uris = (value ?? []) as unknown[];
  if (required && uris.length === 0) {
    throw new InvalidRedirectUri('redirect_uris is required for the authorization_code and implicit grants');
  }
  uris.forEach((uri, index) => {
    const problem = redirectUriProblem(uri);
    if (problem) throw new InvalidRedirectUri(`redirect_uris[${index}] ${problem}`);
  });
  return [...new Set(uris as string[])];
}

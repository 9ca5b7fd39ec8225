import { isIP } from 'net';
import { isSafeFetchUrl } from '../keys/safe-url';
import type { Settings } from '../settings';
import { isPublicAddress } from './public-address';

/**
 * RFC 3986 §2: the characters a URI is written in (unreserved, reserved, `%`). EG's app model checks its URI
 * properties against that (`format: uri`): anything else written there would fail as a 500.
 */
export const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;
export const NOT_URI_CHARACTERS = 'holds a character a URI is not written in (RFC 3986: percent-encode it)';

/** What decides whether a URL a client supplied may be fetched (settings `clientUrls`). */
export type ClientUrlRules = Settings['clientUrls'];

/**
 * The IP address a URL's host names literally, if it does. WHATWG URL has
 * already normalised the other spellings (`0x7f.1`, `2130706433`,
 * `[::ffff:127.0.0.1]`), so this is the address a connection would use.
 */
export function literalAddress(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) ? host : undefined;
}

/**
 * Why a URL supplied by a client (a registered `jwks_uri`, RFC 7591 §2) may
 * not be fetched, as a phrase completing "<field> ...", or undefined when it
 * may, as far as can be told without DNS. https only, so nobody on the path
 * substitutes the answer; no literal non-public address, so the URL cannot
 * point the gateway at its own networks (server-side request forgery). With
 * `allowPrivateNetworks`, private addresses and plain http on loopback pass.
 */
export function clientUrlProblem(url: string, rules: ClientUrlRules): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not an absolute URL';
  }
  if (parsed.username || parsed.password) return 'holds a user name or password';
  if (!URI_CHARACTERS.test(url)) return NOT_URI_CHARACTERS;
  if (parsed.protocol !== 'https:' && !(rules.allowPrivateNetworks && isSafeFetchUrl(url))) {
    return rules.allowPrivateNetworks ? 'must be https (plain http only on loopback)' : 'must be https';
  }
  const address = literalAddress(parsed);
  if (address && !rules.allowPrivateNetworks && !isPublicAddress(address))
    return `names a non-public address (${address})`;
  return undefined;
}

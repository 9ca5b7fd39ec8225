import { isSafeFetchUrl } from '../keys/safe-url';
import type { ServerEntry } from './server-entry';

/** Bytes an HMAC key needs to be as strong as its hash (RFC 7518 §3.2). */
const HMAC_KEY_BYTES: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 };

/** Every URL of the entry, named by where it is. */
function urlsOf(entry: ServerEntry): Array<[string, string]> {
  const urls: Array<[string, string]> = [];
  for (const [name, upstream] of Object.entries(entry.endpoints)) {
    urls.push([`endpoints.${name}.url`, upstream.url]);
    upstream.targets
      ?.slice(1)
      .forEach((target, index) => urls.push([`endpoints.${name}.targets.${index + 1}.url`, target.url]));
  }
  const { introspection, jwt } = entry.tokenStrategy;
  if (introspection) urls.push(['tokenStrategy.introspection.endpoint', introspection.endpoint]);
  if (jwt?.jwksUri) urls.push(['tokenStrategy.jwt.jwksUri', jwt.jwksUri]);
  if (entry.loginRedirect) urls.push(['loginRedirect', entry.loginRedirect]);
  return urls;
}

/**
 * What makes an entry weaker than this gateway would make it, one sentence
 * each. Janus accepts them all (its own example has an http upstream on a
 * private host and the HS256 key "secret"), and an operator migrating cannot
 * make a partner rotate keys on the day of the move: through Janus's
 * /oauth/servers they are warnings (refused with servers.strict); this
 * registry's own /oauth2/servers refuses them.
 */
export function weaknessesOf(entry: ServerEntry): string[] {
  const found: string[] = [];
  for (const [where, url] of urlsOf(entry)) {
    if (!isSafeFetchUrl(url))
      found.push(
        `${where} is plain http off loopback: client secrets, codes and tokens cross the network in clear (${url})`
      );
  }
  if (entry.tokenStrategy.introspection?.tokenIn?.query) {
    found.push(
      'tokenStrategy.introspection.tokenIn.query: access tokens go to the endpoint in the URL, which logs and proxies keep'
    );
  }
  const jwt = entry.tokenStrategy.name === 'jwt' ? entry.tokenStrategy.jwt : undefined;
  if (jwt) {
    const keys = Array.isArray(jwt.keys) ? jwt.keys : jwt.keys ? [{ alg: 'HS256' as const, key: jwt.keys.secret }] : [];
    keys.forEach((key, index) => {
      const needed = HMAC_KEY_BYTES[key.alg];
      if (needed && key.key !== undefined && Buffer.byteLength(key.key) < needed) {
        found.push(
          `tokenStrategy.jwt.keys.${index}: an ${key.alg} key of ${Buffer.byteLength(key.key)} bytes, shorter than its hash (${needed}): it can be guessed offline from any token`
        );
      }
    });
    if (!jwt.issuer)
      found.push('tokenStrategy.jwt.issuer is not set: a token signed with these keys is accepted whoever issued it');
    if (!jwt.audience)
      found.push(
        'tokenStrategy.jwt.audience is not set: a token signed with these keys is accepted whatever API it was meant for'
      );
  }
  return found;
}

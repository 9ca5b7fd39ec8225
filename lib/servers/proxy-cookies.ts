/**
 * Cookies across the front proxy. The browser keeps an upstream's cookies
 * under names of their own server, `proxied~<server>~<name>`, confined to the
 * server's proxy path (`Path` rewritten, `Domain` dropped). Only those go back
 * up, under their own names: the gateway's session cookie and every other
 * cookie of the origin stay in the browser, whatever path covers the proxy.
 * `~` never occurs in a server name, so no server's names can be another's.
 */

/** RFC 6265 §4.1.1: a cookie name is an RFC 9110 §5.6.2 token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** What the names of one server's cookies begin with, in the browser. */
export const cookiePrefix = (server: string) => `proxied~${server}~`;

/** A `name=value` pair split at its first `=`, the name trimmed; null when there is no `=`. */
function splitPair(pair: string): { name: string; value: string } | null {
  const at = pair.indexOf('=');
  return at < 0 ? null : { name: pair.slice(0, at).trim(), value: pair.slice(at + 1) };
}

/** The request's cookies that carry `prefix`, under the names the upstream gave them. */
export function cookiesForUpstream(header: string | undefined, prefix: string): string | undefined {
  const kept = (header ?? '').split(';').flatMap((part) => {
    const cookie = splitPair(part);
    return cookie && cookie.name.startsWith(prefix) && cookie.name.length > prefix.length
      ? [`${cookie.name.slice(prefix.length)}=${cookie.value.trim()}`]
      : [];
  });
  return kept.length ? kept.join('; ') : undefined;
}

/**
 * The upstream's Set-Cookie lines, renamed with `prefix` and scoped to
 * `path`. A line without a usable name is dropped (nothing could be prefixed
 * to it), as is one that would set `sessionCookie`.
 */
export function cookiesFromUpstream(
  lines: string[] | undefined,
  prefix: string,
  path: string,
  sessionCookie: string
): string[] {
  return (lines ?? []).flatMap((line) => {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    const cookie = splitPair(pair ?? '');
    if (!cookie || !TOKEN.test(cookie.name) || prefix + cookie.name === sessionCookie) return [];
    const kept = attributes.filter((attribute) => !/^(path|domain)\s*(=|$)/i.test(attribute));
    return [[`${prefix}${cookie.name}=${cookie.value}`, ...kept, `Path=${path}`].join('; ')];
  });
}

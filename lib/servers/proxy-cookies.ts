/**
 * Cookies across the front proxy. The gateway's session cookie never reaches
 * an upstream, and an upstream may not set it; an upstream's own cookies are
 * confined to its own path under the proxy (`Path` rewritten, `Domain`
 * dropped), so one server cannot read or overwrite another's.
 */

const nameOf = (cookie: string) => cookie.split('=', 1)[0].trim();

/** The Cookie header without the gateway's own session cookie. */
export function cookiesForUpstream(header: string | undefined, sessionCookie: string): string | undefined {
  const kept = (header ?? '').split(';').map((part) => part.trim()).filter((part) => part && nameOf(part) !== sessionCookie);
  return kept.length ? kept.join('; ') : undefined;
}

/** The upstream's Set-Cookie lines, scoped to `path`, without any that would set the session cookie. */
export function cookiesFromUpstream(lines: string[] | undefined, sessionCookie: string, path: string): string[] {
  return (lines ?? []).filter((line) => nameOf(line) !== sessionCookie).map((line) => {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    const kept = attributes.filter((attribute) => !/^(path|domain)=/i.test(attribute));
    return [pair, ...kept, `Path=${path}`].join('; ');
  });
}

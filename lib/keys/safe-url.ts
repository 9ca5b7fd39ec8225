const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Keys and introspection answers decide who gets in: they must come over
 * https, so nobody on the network path can substitute them. Plain http is
 * only for loopback (a sidecar, a test).
 */
export function isSafeFetchUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname));
  } catch {
    return false;
  }
}

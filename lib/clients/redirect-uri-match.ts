/** A loopback IP literal redirect URI, split at its port: RFC 8252 §7.3 (http, 127.0.0.1 or [::1]). */
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?#].*)?$/;

/** The URI with its port left out, for a loopback IP redirect URI; null for any other. */
function withoutLoopbackPort(uri: string): string | null {
  const match = LOOPBACK.exec(uri);
  if (!match || (match[2] !== undefined && Number(match[2]) > 65535)) return null;
  return `http://${match[1]}${match[3] ?? ''}`;
}

/**
 * Whether a redirect URI of a request is one the client registered: the
 * same string (RFC 9700 §4.1.3: exact matching, no normalisation), or, for
 * a loopback IP literal, the same string but for the port: native apps
 * listen on whatever port the system gives them (RFC 8252 §7.3: "MUST allow
 * any port to be specified at the time of the request"). `localhost` is not
 * a loopback literal (RFC 8252 §8.3) and gets no such leeway.
 */
export function isRegisteredRedirect(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  const asked = withoutLoopbackPort(requested);
  return asked !== null && registered.some((uri) => withoutLoopbackPort(uri) === asked);
}

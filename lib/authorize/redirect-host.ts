/**
 * Where an authorization answer goes, as the consent page names it: the
 * redirect URI's host (with its port), in the ASCII form the browser will
 * use, so an internationalised look-alike host shows as `xn--…`. A URI with
 * no host (a native app's private-use scheme, RFC 8252 §7.1) is named by
 * its scheme.
 */
export function redirectHost(redirectUri: string): string {
  const url = new URL(redirectUri);
  return url.host || url.protocol;
}

import { InvalidRedirectUri } from '../errors';
import { redirectUriProblem } from './redirect-uri-rule';

/**
 * The redirect URIs of a registration (RFC 7591 §2), by the same rule as the web pages'.
 * @param required whether a redirect-based grant was asked for, which needs at least one
 * @throws InvalidRedirectUri naming the first unusable URI
 */
export function checkRedirectUris(value: unknown, required: boolean): string[] {
  const uris = (value ?? []) as unknown[];
  if (required && uris.length === 0) {
    throw new InvalidRedirectUri('redirect_uris is required for the authorization_code and implicit grants');
  }
  uris.forEach((uri, index) => {
    const problem = typeof uri === 'string' && uri ? redirectUriProblem(uri) : 'must be a non-empty string';
    if (problem) throw new InvalidRedirectUri(`redirect_uris[${index}] ${problem}`);
  });
  return [...new Set(uris as string[])];
}

import { isSafeFetchUrl } from '../keys/safe-url';
import { NOT_URI_CHARACTERS, URI_CHARACTERS } from '../client-urls/client-url-rule';

/** Longest redirect URI accepted: well past any real callback, short of abuse. */
const MAX_LENGTH = 2000;

/**
 * Why a redirect URI may not be registered, or undefined when it may.
 * RFC 6749 §3.1.2: absolute, no fragment. RFC 9700 §4.1.1: exact match, so
 * no wildcard, and https unless the redirect stays on the user's own machine
 * (loopback, RFC 8252 §7.3). No whitespace: EG keeps extra URIs space separated.
 */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length > MAX_LENGTH) return `is longer than ${MAX_LENGTH} characters`;
  if (/\s/.test(uri)) return 'contains a space';
  if (!URI_CHARACTERS.test(uri)) return NOT_URI_CHARACTERS;
  if (uri.includes('#')) return 'has a fragment (#); redirect URIs may not';
  if (uri.includes('*')) return 'has a wildcard (*); register each exact URI';
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return 'is not an absolute URL (it must start with https://)';
  }
  if (parsed.username || parsed.password) return 'holds a user name or password';
  if (!isSafeFetchUrl(uri)) return 'must use https (plain http only on 127.0.0.1, [::1] or localhost)';
  return undefined;
}

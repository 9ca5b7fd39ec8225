import { looksLikeJwt } from './jwt-access-token';
import { parseAccessToken } from './token-value';

/** What a presented token is, by its shape: our tokens tell their kind without a store read. */
export type TokenKind = 'opaque-access' | 'jwt-access' | 'refresh' | 'unknown';

const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function tokenKind(token: string): TokenKind {
  if (looksLikeJwt(token)) return 'jwt-access';
  if (parseAccessToken(token)) return 'opaque-access';
  return REFRESH_TOKEN.test(token) ? 'refresh' : 'unknown';
}

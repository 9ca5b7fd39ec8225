import { looksLikeJwt } from './jwt-access-token';
import { parseAccessToken, refreshTokenGrant } from './token-value';

/** What a presented token is, by its shape: our tokens tell their kind without a store read. */
export type TokenKind = 'opaque-access' | 'jwt-access' | 'refresh' | 'unknown';

export function tokenKind(token: string): TokenKind {
  if (looksLikeJwt(token)) return 'jwt-access';
  if (parseAccessToken(token)) return 'opaque-access';
  return refreshTokenGrant(token) !== undefined ? 'refresh' : 'unknown';
}

/**
 * What every token strategy yields: the same shape whatever issued the
 * token, so scope checks and downstream headers work alike.
 */
export interface ValidatedToken {
  /** Public token identifier (never the token). */
  id: string;
  scopes: string[];
  /** Epoch seconds. */
  issuedAt: number;
  expiresAt: number;
  clientId: string;
  userId: string;
  username: string;
  grantType: string;
  redirectUri: string;
  /** The EG application the token was issued to, as stored by EG. */
  consumer: Record<string, string>;
}

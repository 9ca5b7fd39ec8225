/**
 * What every token strategy yields: the same shape whatever issued the
 * token, so scope checks, introspection answers and downstream headers work
 * alike.
 */
export interface ValidatedToken {
  /** Public token identifier (jti), never the token. */
  id: string;
  scopes: string[];
  /** Epoch seconds. */
  issuedAt: number;
  expiresAt: number;
  issuer: string;
  audience: string[];
  /**
   * The resources this server issued the token for (RFC 8707), which its audience names; empty for a token requested
   * for none, and for every token of another issuer (whose audience the pipeline's strategy checks).
   */
  resources: string[];
  /** The user, or the client itself for a token issued to the client. */
  subject: string;
  clientId: string;
  /** Empty when the token was issued to the client itself. */
  userId: string;
  username: string;
  grantType: string;
  redirectUri: string;
  /** The grant the token belongs to, when the token is one of ours. */
  grantId: string;
  /** The consumer application as stored by EG; for another issuer's token, what its claims say of the client. */
  consumer: Record<string, string>;
}

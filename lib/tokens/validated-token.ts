/**
 * Who acts for the subject of a token that came from a token exchange with an actor token (RFC 8693 §4.1 `act`): the
 * actor, and the actor before it when the subject token had one.
 */
export interface Actor {
  sub: string;
  iss?: string;
  client_id?: string;
  act?: Actor;
}

/** An `act` claim as a token carries it, if it is one: a `sub` string, and any nested one alike (depth-capped). */
export function actorOf(value: unknown, depth = 0): Actor | undefined {
  if (!value || typeof value !== 'object' || depth > 8) return undefined;
  const { sub, iss, client_id: clientId, act } = value as Record<string, unknown>;
  if (typeof sub !== 'string') return undefined;
  const nested = actorOf(act, depth + 1);
  return {
    sub,
    ...(typeof iss === 'string' ? { iss } : {}),
    ...(typeof clientId === 'string' ? { client_id: clientId } : {}),
    ...(nested ? { act: nested } : {})
  };
}

/** The DPoP key thumbprint of a `cnf` claim (RFC 9449 §6.1 `jkt`), if it names one. */
export function boundKey(cnf: unknown): string | undefined {
  const jkt = cnf && typeof cnf === 'object' ? (cnf as Record<string, unknown>).jkt : undefined;
  return typeof jkt === 'string' && jkt ? jkt : undefined;
}

/** The certificate thumbprint of a `cnf` claim (RFC 8705 §3.1 `x5t#S256`), if it names one. */
export function boundCertificate(cnf: unknown): string | undefined {
  const x5t = cnf && typeof cnf === 'object' ? (cnf as Record<string, unknown>)['x5t#S256'] : undefined;
  return typeof x5t === 'string' && x5t ? x5t : undefined;
}

/** The `cnf` claim (RFC 7800) of a token bound to a DPoP key, a certificate or both; undefined for a bearer token. */
export function confirmation(
  token: Pick<ValidatedToken, 'jkt' | 'x5t'>
): { jkt?: string; 'x5t#S256'?: string } | undefined {
  if (!token.jkt && !token.x5t) return undefined;
  return { ...(token.jkt ? { jkt: token.jkt } : {}), ...(token.x5t ? { 'x5t#S256': token.x5t } : {}) };
}

/** An actor kept as JSON in a token's record; undefined for one that does not read as an actor. */
export function actorFromJson(text: string): Actor | undefined {
  try {
    return actorOf(JSON.parse(text));
  } catch {
    return undefined;
  }
}

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
  /** Who acts for the subject (RFC 8693 §4.1), for a token of a token exchange with an actor. */
  act?: Actor | undefined;
  /**
   * The thumbprint of the key the token is bound to (RFC 9449 §6 `cnf.jkt`): the policy takes it only with a DPoP proof
   * of that key.
   */
  jkt?: string | undefined;
  /**
   * The thumbprint of the client certificate the token is bound to (RFC 8705 §3.1 `cnf.x5t#S256`): the policy takes
   * it only from a client presenting that certificate.
   */
  x5t?: string | undefined;
  /** The consumer application as stored by EG; for another issuer's token, what its claims say of the client. */
  consumer: Record<string, string>;
}

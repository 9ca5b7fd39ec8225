import { InvalidToken } from '../errors';
import { isSafeFetchUrl } from '../keys/safe-url';
import type { ValidatedToken } from '../tokens/validated-token';
import { boundCertificate, boundKey } from '../tokens/validated-token';

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const seconds = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** `scope` is a space-separated string (RFC 9068, RFC 7662); some issuers send `scp`, as a list or a string. */
function scopesOf(claims: Record<string, unknown>): string[] {
  const raw = claims.scope ?? claims.scp;
  const list = Array.isArray(raw) ? raw.filter((s): s is string => typeof s === 'string') : text(raw).split(' ');
  return [...new Set(list.filter(Boolean))];
}

/**
 * Maps another issuer's token facts (verified JWT claims, or an RFC 7662
 * introspection answer: both use the same claim names) onto the shape local
 * tokens have, so scope checks and downstream headers work alike. The client
 * is `client_id` (RFC 9068, RFC 7662), else `azp`; the user is `sub` unless
 * `sub` names the client itself (RFC 9068 §2.2).
 * @throws InvalidToken for a token bound in a way the gateway cannot check.
 */
export function fromClaims(claims: Record<string, unknown>, issuer: string): ValidatedToken {
  // RFC 7800 §3: a token confirmed by a method this gateway cannot check (a `jwk`, an SHA-1 `x5t`, an unreadable
  // value) is not a bearer token either.
  if (claims.cnf !== undefined && !boundKey(claims.cnf) && !boundCertificate(claims.cnf))
    throw new InvalidToken('The access token is bound (cnf) in a way this gateway cannot check');
  const clientId = text(claims.client_id) || text(claims.azp);
  const subject = text(claims.sub);
  const audience = Array.isArray(claims.aud)
    ? claims.aud.filter((a): a is string => typeof a === 'string')
    : [text(claims.aud)].filter(Boolean);
  return {
    id: text(claims.jti),
    scopes: scopesOf(claims),
    issuedAt: seconds(claims.iat),
    expiresAt: seconds(claims.exp),
    issuer: text(claims.iss) || issuer,
    audience,
    resources: [],
    subject,
    clientId,
    userId: subject && subject !== clientId ? subject : '',
    username: text(claims.username) || text(claims.preferred_username),
    grantType: '',
    redirectUri: '',
    grantId: '',
    // RFC 9449 §6: a token bound to a key, of whatever issuer, is taken only with a proof of that key.
    ...(boundKey(claims.cnf) ? { jkt: boundKey(claims.cnf) } : {}),
    // RFC 8705 §3: so is a token bound to a certificate, only from a client presenting it.
    ...(boundCertificate(claims.cnf) ? { x5t: boundCertificate(claims.cnf) } : {}),
    consumer: clientId ? { name: clientId } : {}
  };
}

/**
 * Keys and introspection endpoints must be https (see isSafeFetchUrl).
 * @throws TypeError at pipeline load, naming the parameter.
 */
export function requireSafeUrl(url: string, parameter: string): void {
  if (!isSafeFetchUrl(url)) {
    throw new TypeError(`oauth2 policy: ${parameter} must be an https URL (plain http only on loopback): ${url}`);
  }
}

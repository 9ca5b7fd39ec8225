import type { TokenRecord } from '../store/token.store';
import type { EgApplication } from '../eg/types';
import type { Subjects } from '../oidc/subjects';
import { type Actor, confirmation, type ValidatedToken } from './validated-token';

/** RFC 7662 §2.2. Only `active` is required; an inactive token says nothing else. */
export interface IntrospectionAnswer {
  active: boolean;
  scope?: string;
  client_id?: string;
  username?: string | undefined;
  token_type?: string;
  exp?: number;
  iat?: number;
  sub?: string;
  aud?: string | string[] | undefined;
  iss?: string;
  jti?: string;
  /** Who acts for the subject (RFC 8693 §4.1). */
  act?: Actor;
  /** The key (RFC 9449 §6.2) or certificate (RFC 8705 §3.2) the token is bound to. */
  cnf?: { jkt?: string; 'x5t#S256'?: string };
}

export const INACTIVE: IntrospectionAnswer = Object.freeze({ active: false });

/** An active access token, as RFC 7662 §2.2 words it. */
export function describeAccessToken(token: ValidatedToken): IntrospectionAnswer {
  const cnf = confirmation(token);
  return {
    active: true,
    scope: token.scopes.join(' '),
    client_id: token.clientId,
    username: token.username || undefined,
    token_type: token.jkt ? 'DPoP' : 'Bearer',
    exp: token.expiresAt,
    iat: token.issuedAt,
    sub: token.subject,
    aud: token.audience.length === 1 ? token.audience[0] : token.audience,
    iss: token.issuer,
    jti: token.id,
    ...(token.act ? { act: token.act } : {}),
    ...(cnf ? { cnf } : {})
  };
}

/** An active refresh token: no token_type, which RFC 7662 takes from RFC 6749 §7.1 (access tokens only). */
export function describeRefreshToken(record: TokenRecord, issuer: string): IntrospectionAnswer {
  return {
    active: true,
    scope: record.scope,
    client_id: record.appId,
    username: record.username || undefined,
    exp: record.exp,
    iat: record.iat,
    sub: record.userId || record.appId,
    // The grant's resources (RFC 8707): what the token may be refreshed for.
    ...(record.resources ? { aud: record.resources.split(' ') } : {}),
    iss: issuer,
    jti: record.jti
  };
}

/**
 * An answer about a token, given to the client it was issued to: a pairwise client (OpenID Connect Core §8.1) learns
 * the user as its ID tokens name them, never the user's id or name (Subjects.toldOf). A token of the client itself
 * (client_credentials: sub is its own id) is left as it is.
 */
export function answerToOwnClient(
  answer: IntrospectionAnswer,
  app: EgApplication,
  subjects: Subjects
): IntrospectionAnswer {
  if (!answer.active || answer.sub === undefined || answer.sub === answer.client_id) return answer;
  const { sub, username, ...rest } = answer;
  return { ...rest, ...subjects.toldOf({ sub, username }, app) };
}

import type { Request } from 'express';
import type { Client } from '../clients/client';
import type { PkceMethod } from '../pkce';

/**
 * An authorization request once checked (RFC 6749 §4.1.1, §4.2.1): known
 * client, exactly registered redirect URI, supported response type, allowed
 * scopes, well-formed PKCE. From here on errors go back to the client.
 */
export interface AuthorizeRequest {
  client: Client;
  redirectUri: string;
  /** Whether redirect_uri was in the request: then the token request must repeat it (RFC 6749 §4.1.3). */
  redirectUriGiven: boolean;
  responseType: 'code' | 'token';
  state?: string | undefined;
  scopes: string[];
  codeChallenge: string;
  codeChallengeMethod: PkceMethod | '';
}

const KEY = Symbol('oauth2.authorizeRequest');

export function setAuthorizeRequest(
  req: Request,
  value: Partial<AuthorizeRequest> & Pick<AuthorizeRequest, 'client' | 'redirectUri'>
): void {
  (req as unknown as Record<symbol, unknown>)[KEY] = value;
}

export function getAuthorizeRequest(
  req: Request
): (Partial<AuthorizeRequest> & Pick<AuthorizeRequest, 'client' | 'redirectUri'>) | undefined {
  return (req as unknown as Record<symbol, AuthorizeRequest | undefined>)[KEY];
}

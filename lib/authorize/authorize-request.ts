import type { ClaimsRequest } from '../oidc/claims-request';
import type { ResponseType } from '../oidc/response-types';
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
  /** In its canonical order (lib/oidc/response-types.ts). */
  responseType: ResponseType;
  state?: string | undefined;
  scopes: string[];
  /** The resources the request names (RFC 8707 §2), checked; empty for none. */
  resources: string[];
  codeChallenge: string;
  codeChallengeMethod: PkceMethod | '';
  /** The key the code is bound to (RFC 9449 §10 `dpop_jkt`): its exchange needs a DPoP proof of that key. */
  dpopJkt?: string | undefined;
  /** An OpenID Connect request's own parameters (openid scope, oidc on): nonce, prompt, max_age (Core §3.1.2.1). */
  openId?: OpenIdRequest | undefined;
}

/** What an OpenID Connect authentication request asks beyond OAuth (Core §3.1.2.1). */
export interface OpenIdRequest {
  nonce?: string | undefined;
  prompt: Array<'none' | 'login' | 'consent' | 'select_account'>;
  /** Seconds since the user signed in beyond which they must sign in again. */
  maxAge?: number | undefined;
  /** An ID token this server issued, naming the user the client expects to be signed in (not yet checked). */
  idTokenHint?: string | undefined;
  /** The individual claims asked for (Core §5.5). */
  claims?: ClaimsRequest | undefined;
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

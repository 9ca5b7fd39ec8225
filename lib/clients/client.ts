import type { EgApplication } from '../eg/types';

/** How a client proved its identity at this request (RFC 7591 §2 names); `none` for a public client. */
export type ClientAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'private_key_jwt'
  | 'tls_client_auth'
  | 'self_signed_tls_client_auth'
  | 'none';

/** An OAuth client: an active EG application with an active oauth2 credential. */
export interface Client {
  id: string;
  name: string;
  app: EgApplication;
  /** The scopes its oauth2 credential holds: the most any of its tokens may carry. */
  scopes: string[];
  /** Exact redirect URIs it registered (RFC 9700 §4.1.3). */
  redirectUris: string[];
  /** A public client (RFC 6749 §2.1) cannot keep a secret: it authenticates with client_id only and must use PKCE. */
  isPublic: boolean;
  authMethod: ClientAuthMethod;
  /** The grant types the app narrows itself to (its `grantTypes` property); null: not narrowed. */
  grantTypes: string[] | null;
}

/**
 * An app's `grantTypes` property (space or comma separated, as written by registration or the operator); null when it
 * names none.
 */
export function appGrantTypes(app: EgApplication): string[] | null {
  const declared = typeof app.grantTypes === 'string' ? app.grantTypes.split(/[\s,]+/).filter(Boolean) : [];
  return declared.length > 0 ? declared : null;
}

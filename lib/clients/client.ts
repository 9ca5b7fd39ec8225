import type { EgApplication } from '../eg/types';

/** An authenticated OAuth client: an active EG application with an active oauth2 credential. */
export interface Client {
  id: string;
  app: EgApplication;
  /** The scopes its oauth2 credential holds: the most any of its tokens may carry. */
  scopes: string[];
  /** How it proved its identity at this request (RFC 7591 §2 method names). */
  authMethod: 'client_secret_basic' | 'client_secret_post';
}

import type { Client } from '../clients/client';
import { findClient, isUsableRedirectUri } from '../clients/client.repository';
import type { EgServices } from '../eg/types';
import type { IdTokens } from './id-tokens';

/** What an RP-Initiated Logout request asks, once checked (OpenID Connect RP-Initiated Logout 1.0 §2). */
export interface EndSessionRequest {
  client?: Client | undefined;
  /** Where to send the browser once signed out: one of the client's registered post-logout redirect URIs. */
  redirectUri?: string | undefined;
  state?: string | undefined;
}

/** A logout request that cannot be followed: shown on a page, never redirected (RP-Initiated Logout §3). */
export class EndSessionRefused extends Error {}

/** state travels back in a URL and through a form: bounded like the authorization request's. */
const MAX_STATE = 2048;

/** The post-logout redirect URIs an app registered (`postLogoutRedirectUris`, space separated). */
export function postLogoutRedirectUris(client: Client): string[] {
  const value = client.app.postLogoutRedirectUris;
  return typeof value === 'string' ? value.split(/\s+/).filter(isUsableRedirectUri) : [];
}

function single(value: unknown, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new EndSessionRefused(`The ${name} parameter is malformed.`);
  return value;
}

/**
 * Reads the parameters of a logout request (GET query or POST form): the client is named by the id_token_hint's
 * audience or by client_id (both: they must agree); a post_logout_redirect_uri must be one the client registered,
 * exactly, and needs the client named.
 * @throws EndSessionRefused with a message for the page.
 */
export async function readEndSessionRequest(
  params: Record<string, unknown>,
  { idTokens, services }: { idTokens: IdTokens; services: EgServices }
): Promise<EndSessionRequest> {
  const hint = single(params.id_token_hint, 'id_token_hint');
  const clientId = single(params.client_id, 'client_id');
  const redirectUri = single(params.post_logout_redirect_uri, 'post_logout_redirect_uri');
  const state = single(params.state, 'state');
  if (state !== undefined && state.length > MAX_STATE) {
    throw new EndSessionRefused(`The state parameter is longer than ${MAX_STATE} characters.`);
  }
  const hinted = hint === undefined ? null : await idTokens.readHint(hint);
  if (hint !== undefined && !hinted)
    throw new EndSessionRefused('The id_token_hint is not an ID token of this server.');
  if (hinted && clientId !== undefined && !hinted.aud.includes(clientId)) {
    throw new EndSessionRefused('The client_id is not the audience of the id_token_hint.');
  }
  const namedClient = clientId ?? (hinted?.aud.length === 1 ? hinted.aud[0] : undefined);
  const client =
    namedClient === undefined ? undefined : ((await findClient(services, namedClient, 'none')) ?? undefined);
  if (namedClient !== undefined && !client) throw new EndSessionRefused('The client is unknown.');
  if (redirectUri !== undefined) {
    if (!client)
      throw new EndSessionRefused('A post_logout_redirect_uri needs the client named (id_token_hint or client_id).');
    // Anyone can describe a client by a metadata document: only its own ID token shows the request is its.
    if (client.app.registeredVia === 'document' && !hinted) {
      throw new EndSessionRefused('A post_logout_redirect_uri of this client needs its id_token_hint.');
    }
    if (!postLogoutRedirectUris(client).includes(redirectUri)) {
      throw new EndSessionRefused('The post_logout_redirect_uri is not registered for this client.');
    }
  }
  return { client, redirectUri, state: redirectUri === undefined ? undefined : state };
}

/** Where the browser goes once signed out: the redirect URI with state (RP-Initiated Logout §3). */
export function postLogoutLocation(request: EndSessionRequest): string | undefined {
  if (request.redirectUri === undefined) return undefined;
  const url = new URL(request.redirectUri);
  if (request.state !== undefined) url.searchParams.set('state', request.state);
  return url.toString();
}

import { DEVICE_CODE, DISCOURAGED_GRANTS } from '../../schemas/settings.schema';
import type { Client } from './client';

/**
 * Grants a public client may use: those where no client secret stands in
 * for the user (RFC 9700 §2.4): the code flow with PKCE, refresh, and the
 * device flow, made for devices that cannot keep a secret (RFC 8628 §3.4).
 */
const PUBLIC_CLIENT_GRANTS = new Set<string>(['authorization_code', 'refresh_token', DEVICE_CODE]);

export function publicClientMayUse(grantType: string): boolean {
  return PUBLIC_CLIENT_GRANTS.has(grantType);
}

/**
 * An app its owner registered on the pages or over RFC 7591, or made from its metadata document; not the operator's.
 */
export function isSelfRegistered(client: Client): boolean {
  return ['web', 'dynamic', 'document'].includes(client.app.registeredVia as string);
}

/**
 * Whether a client may use a grant (at the token endpoint) or the response
 * type that belongs to it (at the authorization endpoint): a public client
 * only those of publicClientMayUse, a self-registered one never a
 * discouraged grant, and an app may narrow its grant types with a
 * `grantTypes` property (space or comma separated).
 */
export function appAllowsGrant(client: Client, grantType: string): boolean {
  if (client.isPublic && !publicClientMayUse(grantType)) return false;
  if (isSelfRegistered(client) && DISCOURAGED_GRANTS.includes(grantType)) return false;
  return client.grantTypes === null || client.grantTypes.includes(grantType);
}

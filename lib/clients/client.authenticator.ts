import type { VerifiedSecrets } from '../credentials/verified-secrets';
import type { EgServices } from '../eg/types';
import type { Client, ClientAuthMethod } from './client';
import { findClientWithSecretHash } from './client.repository';

/**
 * Checks a client_id / client_secret pair against EG: the application must
 * exist and be active, and its oauth2 credential must be active and hold the
 * secret (checked against EG's stored bcrypt hash, or recalled from a recent
 * check of that same hash by `secrets`). A public client has no secret to
 * check and is refused here.
 * @returns the client, or null for any mismatch (the caller must not say which).
 */
export async function authenticateClient(
  services: EgServices,
  secrets: VerifiedSecrets,
  clientId: string,
  secret: string,
  authMethod: ClientAuthMethod
): Promise<Client | null> {
  if (!clientId || typeof secret !== 'string' || !secret) return null;
  const found = await findClientWithSecretHash(services, clientId, authMethod);
  if (!found || !found.secretHash || found.client.isPublic) return null;
  return await secrets.verify('app', found.client.id, secret, found.secretHash) ? found.client : null;
}

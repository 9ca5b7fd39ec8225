import type { EgServices } from '../eg/types';
import type { Client, ClientAuthMethod } from './client';
import { findClient } from './client.repository';

/**
 * Checks a client_id / client_secret pair against EG: the application must
 * exist and be active, and its oauth2 credential must be active and hold the
 * secret (EG compares it with its stored bcrypt hash). A public client has no
 * secret to check and is refused here.
 * @returns the client, or null for any mismatch (the caller must not say which).
 */
export async function authenticateClient(
  services: EgServices,
  clientId: string,
  secret: string,
  authMethod: ClientAuthMethod
): Promise<Client | null> {
  if (!clientId || !secret) return null;
  const consumer = await services.auth.authenticateCredential(clientId, secret, 'oauth2');
  if (!consumer || consumer.type !== 'application' || consumer.id !== clientId) return null;
  const client = await findClient(services, consumer.id, authMethod);
  return client && !client.isPublic ? client : null;
}

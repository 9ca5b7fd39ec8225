import type { EgServices } from '../eg/types';
import { asScopeList } from '../scopes';
import type { Client } from './client';

/**
 * Checks a client_id / client_secret pair against EG: the application must
 * exist and be active, and its oauth2 credential must be active and hold the
 * secret. EG compares the secret with its stored bcrypt hash.
 * @returns the client, or null for any mismatch (the caller must not say which).
 */
export async function authenticateClient(
  services: EgServices,
  clientId: string,
  secret: string,
  authMethod: Client['authMethod']
): Promise<Client | null> {
  if (!clientId || !secret) return null;
  const consumer = await services.auth.authenticateCredential(clientId, secret, 'oauth2');
  if (!consumer || consumer.type !== 'application' || consumer.id !== clientId) return null;
  const credential = await services.credential.getCredential(consumer.id, 'oauth2');
  if (!credential || !credential.isActive) return null;
  return { id: consumer.id, app: consumer, scopes: asScopeList(credential.scopes), authMethod };
}

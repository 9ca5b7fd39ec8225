import type { EgServices, EgUser } from '../eg/types';

/**
 * Checks a resource owner's username and password against the EG user and its
 * basic-auth credential (bcrypt-hashed by EG). Inactive users or credentials
 * fail like a wrong password.
 */
export async function authenticateUser(services: EgServices, username: string, password: string): Promise<EgUser | null> {
  if (!username || !password) return null;
  const consumer = await services.auth.authenticateCredential(username, password, 'basic-auth');
  if (!consumer || consumer.type !== 'user' || !consumer.isActive) return null;
  if (consumer.username !== username && consumer.id !== username) return null;
  return consumer;
}

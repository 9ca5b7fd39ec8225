import type { EgServices } from '../eg/types';
import { InvalidGrant } from '../errors';
import { findUser } from '../users/find-user';

/** The resource owner an assertion speaks for. */
export interface AssertedUser {
  id: string;
  username: string;
}

/**
 * The active EG user an assertion's subject names, by username first, then
 * by user id (RFC 7523 §3 item 2, RFC 7522 §3 item 3: the subject is the
 * resource owner the token is for).
 * @throws InvalidGrant when no active user has that name or id.
 */
export async function assertedUser(services: EgServices, subject: string, noun: string): Promise<AssertedUser> {
  const user = await findUser(services, subject, 'username');
  if (!user || !user.isActive) throw new InvalidGrant(`The ${noun}'s subject is not an active user of this server`);
  return { id: user.id, username: user.username };
}

import bcrypt from 'bcryptjs';
import { randomBytes } from 'crypto';
import type { EgServices, EgUser } from '../eg/types';

/**
 * A bcrypt hash of nothing anybody knows, compared against when there is no
 * real hash to compare with, so that an unknown user costs as much time as a
 * wrong password and response times do not tell which user names exist.
 */
let decoy: Promise<string> | undefined;
function decoyHash(): Promise<string> {
  decoy ??= bcrypt.hash(randomBytes(16).toString('hex'), 10);
  return decoy;
}

async function findUser(services: EgServices, username: string): Promise<EgUser | null> {
  return (await services.user.find(username)) || null;
}

/**
 * Checks a resource owner's username and password against the EG user and its
 * basic-auth credential (bcrypt-hashed by EG). Inactive users or credentials
 * fail like a wrong password, in about the same time.
 */
export async function authenticateUser(services: EgServices, username: string, password: string): Promise<EgUser | null> {
  if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) return null;
  const user = await findUser(services, username);
  const credential = user?.isActive ? await services.credential.getCredential(user.id, 'basic-auth', { includePassword: true }) : null;
  const hash = credential?.isActive && typeof credential.password === 'string' ? credential.password : null;
  const matches = await bcrypt.compare(password, hash ?? await decoyHash());
  return user && hash && matches ? user : null;
}

import type { EgServices, EgUser } from '../eg/types';

/** A user who may sign in: active, with an active basic-auth credential, and its bcrypt hash as stored now. */
export interface SignInAccount {
  user: EgUser;
  passwordHash: string;
}

/** Reads the account of a user name; null when there is none that may sign in. No bcrypt. */
export async function findSignInAccount(services: EgServices, username: unknown): Promise<SignInAccount | null> {
  if (typeof username !== 'string' || !username) return null;
  const user = (await services.user.find(username)) || null;
  if (!user?.isActive) return null;
  const credential = await services.credential.getCredential(user.id, 'basic-auth', { includePassword: true });
  return credential?.isActive && typeof credential.password === 'string'
    ? { user, passwordHash: credential.password }
    : null;
}

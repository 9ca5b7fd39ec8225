import bcrypt from 'bcryptjs';
import { randomBytes } from 'crypto';
import type { VerifiedSecrets } from '../credentials/verified-secrets';
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

/** A user who may sign in: active, with an active basic-auth credential, and its bcrypt hash as stored now. */
export interface SignInAccount { user: EgUser; passwordHash: string }

/** Reads the account of a user name; null when there is none that may sign in. No bcrypt. */
export async function findSignInAccount(services: EgServices, username: unknown): Promise<SignInAccount | null> {
  if (typeof username !== 'string' || !username) return null;
  const user = (await services.user.find(username)) || null;
  if (!user?.isActive) return null;
  const credential = await services.credential.getCredential(user.id, 'basic-auth', { includePassword: true });
  return credential?.isActive && typeof credential.password === 'string' ? { user, passwordHash: credential.password } : null;
}

/**
 * Checks a resource owner's password against the account's bcrypt hash (or,
 * without an account, against a decoy in about the same time). A match is
 * remembered by `secrets`, so the next check of the same password skips bcrypt.
 */
export async function passwordMatches(secrets: VerifiedSecrets, account: SignInAccount | null, password: unknown): Promise<boolean> {
  if (typeof password !== 'string' || !password) return false;
  if (!account) {
    await bcrypt.compare(password, await decoyHash());
    return false;
  }
  return secrets.verify('user', account.user.id, password, account.passwordHash);
}
